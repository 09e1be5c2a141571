"""Versioned model artifacts on disk (NumPy/SciPy/JSON only: nothing is unpickled on load).

Layout under the root (default ``models/recommender/``)::

    latest                               one line: the newest version's directory name
    rec-20240501T120000Z-3f2a9c1e/       one version (UTC time + content hash)
        meta.json                        format, version, created_at, params, blend, scales,
                                         fit report, data counts
        catalogue.json                   product ids, titles, category paths, brands, attributes, images
        arrays.npz                       popularity, factors, prices, stock, flags, near-duplicate
                                         groups, customer histories
        seq.npz knn.npz content.npz      item x item neighbour matrices (CSR)

A version directory is written under a temporary name and renamed into place, then ``latest``
is replaced atomically (``os.replace``), so a reader never sees a half-written model.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional, Union

import numpy as np
import scipy.sparse as sp

from recommender.catalogue import Catalogue
from recommender.hybrid import ITEM_ITEM, Blend, HybridModel
from recommender.model import CustomerHistories, RecommenderModel

# 2: near-duplicate groups replaced the content vectors.
FORMAT = 2
LATEST = "latest"
PREFIX = "rec-"
REPO_ROOT = Path(__file__).resolve().parent.parent


def default_root() -> Path:
    """Where artifacts go when the caller names no root; the application passes the
    configured one (``RECOMMENDER_MODEL_DIR``, read by its settings)."""
    return REPO_ROOT / "models" / "recommender"


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, tuple):
        return list(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def save(model: RecommenderModel, root: Union[str, Path, None] = None, keep: int = 3) -> Path:
    """Write ``model`` as a new version, point ``latest`` at it, prune old versions."""
    root = Path(root) if root is not None else default_root()
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".writing-", dir=root))
    try:
        h = model.hybrid
        for name in ITEM_ITEM:
            sp.save_npz(tmp / f"{name}.npz", sp.csr_matrix(h.matrices[name]), compressed=False)
        arrays = {"pop": h.pop, "factors": h.factors, "duplicates": model.duplicates,
                  **model.catalogue.array_fields(), **model.customers.arrays()}
        np.savez(tmp / "arrays.npz", **arrays)
        (tmp / "catalogue.json").write_text(json.dumps(model.catalogue.to_json(), ensure_ascii=False,
                                                       default=_json_default), encoding="utf-8")
        digest = hashlib.sha256()
        for f in sorted(tmp.iterdir()):
            with open(f, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
        created = datetime.now(timezone.utc)
        version = f"{PREFIX}{created.strftime('%Y%m%dT%H%M%S')}{created.microsecond // 1000:03d}Z-" \
                  f"{digest.hexdigest()[:8]}"
        meta = dict(model.meta)
        meta.update({"format": FORMAT, "version": version, "created_at": created.isoformat(),
                     "blend": h.blend.to_json(), "scales": h.scales, "max_history": h.max_history,
                     "candidates": h.candidates, "n_items": h.n_items,
                     "n_customers": int(len(model.customers.customer_ids))})
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1, default=_json_default),
                                       encoding="utf-8")
        final = root / version
        # mkdtemp/mkstemp create owner-only entries; the action server may run as another user.
        os.chmod(tmp, 0o755)
        for f in tmp.iterdir():
            os.chmod(f, 0o644)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _point_latest(root, version)
    model.meta = meta
    prune(root, keep)
    return final


def _point_latest(root: Path, version: str) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=".latest-", dir=root)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(version + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp_name, 0o644)
    os.replace(tmp_name, root / LATEST)


def latest_version(root: Union[str, Path, None] = None) -> Optional[Path]:
    root = Path(root) if root is not None else default_root()
    try:
        name = (root / LATEST).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = root / name
    return path if name and path.is_dir() else None


def prune(root: Path, keep: int) -> None:
    """Delete all but the ``keep`` newest versions (never the one ``latest`` names), and
    leftovers of interrupted writes older than an hour."""
    current = latest_version(root)
    versions = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith(PREFIX))
    for old in versions[: max(0, len(versions) - max(keep, 1))]:
        if current is None or old.resolve() != current.resolve():
            shutil.rmtree(old, ignore_errors=True)
    for stale in root.glob(".writing-*"):
        if time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)


def load(path: Union[str, Path]) -> RecommenderModel:
    path = Path(path)
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path}: artifact format {meta.get('format')!r}, this code reads {FORMAT}")
    with np.load(path / "arrays.npz", allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    matrices = {name: sp.load_npz(path / f"{name}.npz").tocsr() for name in ITEM_ITEM}
    doc = json.loads((path / "catalogue.json").read_text(encoding="utf-8"))
    catalogue = Catalogue.from_json(doc, arrays)
    hybrid = HybridModel(matrices, arrays["factors"], arrays["pop"], {k: float(v) for k, v in meta["scales"].items()},
                         Blend.from_json(meta["blend"]), int(meta["max_history"]), int(meta["candidates"]))
    return RecommenderModel(hybrid, catalogue, arrays["duplicates"], CustomerHistories.from_arrays(arrays), meta)


def load_latest(root: Union[str, Path, None] = None) -> Optional[RecommenderModel]:
    path = latest_version(root)
    return load(path) if path is not None else None
