"""NLU evaluation: held-out set, k-fold cross-validation, training time, parse latency.

    python bench/nlu_eval.py                  # everything (about 15 minutes on 2 cores)
    python bench/nlu_eval.py --skip-cv        # held-out + latency only
    python bench/nlu_eval.py --skip-heldout   # cross-validation only
    python bench/nlu_eval.py --model models/nlu-x.tar.gz --skip-cv   # an existing model

What it does
- trains an NLU model from config.yml + data/ (timed), unless --model is given;
- starts ``rasa run --enable-api`` with it on 127.0.0.1 and POSTs every message of the
  held-out file (bench/data/nlu_heldout.yml, never under data/, so never trained on) to
  /model/parse; those calls give the held-out scores and the parse latency p50/p99 (after a
  warm-up, one client, keep-alive);
- k-fold cross-validation on data/ (stratified by intent; each fold trains on the other
  folds, lookup tables and regexes in every fold), parsing in-process;
- from the cross-validation's intent rankings, a grid over the FallbackClassifier's
  threshold and ambiguity_threshold with the cost of each setting (see `fallback_grid`).

Scores
- intents: macro-F1 over the 14 intents, per-intent P/R/F1, accuracy; "after fallback" counts
  nlu_fallback as a miss (what the shopper gets is a clarifying question, not an answer),
  "top intent" is the classifier's first choice before the FallbackClassifier.
- out-of-scope recall: out_of_scope messages predicted out_of_scope (strict); also the share
  that got out_of_scope *or* a clarifying question (never a confident wrong answer).
- entities: micro P/R/F1 on (entity, value) pairs per message (values as normalised for the
  actions; the headline), and on (entity, value, start, end) (spans exact).
- confusion matrices: bench/out/nlu_confusion_heldout.png and nlu_confusion_cv.png.
Everything is also written to bench/out/nlu_report.json and bench/out/nlu_report.md.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shop_nlu.normalize import normalize_text  # noqa: E402
OUT = ROOT / "bench" / "out"
CONFIG = ROOT / "config.yml"   # the pipeline under evaluation (--config)
HELDOUT = ROOT / "bench" / "data" / "nlu_heldout.yml"   # --heldout
DATA = ROOT / "data"   # training data (--data)
INTENTS = ["greet", "goodbye", "thank", "affirm", "deny", "inform", "purchase",
           "product_inquiry", "after_sales", "order_status", "ask_recommendation",
           "human_handoff", "bot_challenge", "out_of_scope"]
FALLBACK = "nlu_fallback"

logger = logging.getLogger("nlu_eval")


# --- data -------------------------------------------------------------------------------------

def noisy_texts() -> set:
    """Texts of the generated noisy copies of the training examples (shop_nlu/augment.py)."""
    from shop_nlu.augment import OUTPUT, read_examples

    return {ex.text for ex in read_examples([OUTPUT])} if OUTPUT.exists() else set()


def load_examples(path: Path) -> List[dict]:
    """[{text, intent, entities: [{entity, value, start, end}]}] from a Rasa NLU file or dir."""
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.shared.nlu.training_data.loading import load_data

    if path.is_dir():
        data = TrainingDataImporter.load_from_config(
            str(CONFIG), str(ROOT / "domain.yml"), [str(path)]).get_nlu_data()
    else:
        data = load_data(str(path))
    out = []
    for ex in data.intent_examples:
        out.append({
            "text": ex.get("text"),
            "intent": ex.get("intent"),
            "entities": [{"entity": e["entity"], "value": str(e.get("value")), "start": e["start"],
                          "end": e["end"]} for e in ex.get("entities") or []],
        })
    return out


# --- metrics ----------------------------------------------------------------------------------

def intent_scores(gold: Sequence[str], pred: Sequence[str]) -> dict:
    per = {}
    for intent in INTENTS:
        tp = sum(1 for g, p in zip(gold, pred) if g == intent and p == intent)
        fp = sum(1 for g, p in zip(gold, pred) if g != intent and p == intent)
        fn = sum(1 for g, p in zip(gold, pred) if g == intent and p != intent)
        support = tp + fn
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[intent] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4),
                       "support": support}
    present = [i for i in INTENTS if per[i]["support"]]
    macro = statistics.mean(per[i]["f1"] for i in present) if present else 0.0
    acc = sum(1 for g, p in zip(gold, pred) if g == p) / len(gold) if gold else 0.0
    oos = [p for g, p in zip(gold, pred) if g == "out_of_scope"]
    return {
        "macro_f1": round(macro, 4),
        "accuracy": round(acc, 4),
        "per_intent": per,
        "oos_recall": round(sum(p == "out_of_scope" for p in oos) / len(oos), 4) if oos else None,
        "oos_recall_or_clarify": round(
            sum(p in ("out_of_scope", FALLBACK) for p in oos) / len(oos), 4) if oos else None,
        "fallback_rate": round(sum(p == FALLBACK for p in pred) / len(pred), 4) if pred else 0.0,
        "n": len(gold),
    }


def entity_scores(gold: Sequence[List[dict]], pred: Sequence[List[dict]], spans: bool) -> dict:
    def keys(ents):
        return Counter((e["entity"], str(e["value"])) + ((e["start"], e["end"]) if spans else ())
                       for e in ents)

    per = defaultdict(lambda: [0, 0, 0])
    for g, p in zip(gold, pred):
        gk, pk = keys(g), keys(p)
        for k in set(gk) | set(pk):
            tp = min(gk[k], pk[k])
            per[k[0]][0] += tp
            per[k[0]][1] += pk[k] - tp
            per[k[0]][2] += gk[k] - tp

    def prf(tp, fp, fn):
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        return {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4),
                "tp": tp, "fp": fp, "fn": fn}

    tot = [sum(v[i] for v in per.values()) for i in range(3)]
    return {"micro": prf(*tot), "per_entity": {k: prf(*v) for k, v in sorted(per.items())}}


def entity_errors(examples, pred_entities, limit=60):
    rows = []
    for ex, pe in zip(examples, pred_entities):
        g = Counter((e["entity"], str(e["value"])) for e in ex["entities"])
        p = Counter((e["entity"], str(e["value"])) for e in pe)
        if g != p:
            rows.append({"text": ex["text"], "missing": sorted((g - p).elements()),
                         "extra": sorted((p - g).elements())})
    return rows[:limit]


def confusion_png(gold, pred, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    labels = INTENTS + ([FALLBACK] if FALLBACK in pred else [])
    matrix = confusion_matrix(gold, pred, labels=labels)
    fig, ax = plt.subplots(figsize=(11, 9))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j]:
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center",
                        color="white" if matrix[i, j] > matrix.max() / 2 else "black", fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def top_two(ranking: List[dict]) -> Tuple[str, float, float]:
    ranked = [r for r in ranking if r["name"] != FALLBACK]
    ranked.sort(key=lambda r: -r["confidence"])
    first = ranked[0] if ranked else {"name": None, "confidence": 0.0}
    second = ranked[1]["confidence"] if len(ranked) > 1 else 0.0
    return first["name"], first["confidence"], second


MAX_CLARIFY_RATE = 0.10


def fallback_grid(gold: Sequence[str], rankings: Sequence[List[dict]]) -> dict:
    """Cost of each (threshold, ambiguity_threshold) on cross-validation predictions.

    cost per message: 1 for a confident wrong answer, 0.3 for a clarifying question when
    the first choice was right (an extra click), 0.1 for a clarifying question when it was
    wrong (the right meaning is usually the second button). The recommended setting is the
    cheapest one that asks back on at most MAX_CLARIFY_RATE of the messages (the cost alone
    keeps raising the threshold: a shop that answers one message in five with a question is
    not usable either); the unconstrained optimum is reported too."""
    tops = [top_two(r) for r in rankings]
    rows = []
    for threshold in [0.0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8]:
        for ambiguity in [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]:
            wrong = clar_right = clar_wrong = 0
            for g, (name, c1, c2) in zip(gold, tops):
                fallback = c1 < threshold or (c1 - c2) < ambiguity
                if fallback:
                    if name == g:
                        clar_right += 1
                    else:
                        clar_wrong += 1
                elif name != g:
                    wrong += 1
            n = len(gold)
            rows.append({"threshold": threshold, "ambiguity_threshold": ambiguity,
                         "confident_wrong": round(wrong / n, 4),
                         "clarify_when_right": round(clar_right / n, 4),
                         "clarify_when_wrong": round(clar_wrong / n, 4),
                         "cost": round((wrong + 0.3 * clar_right + 0.1 * clar_wrong) / n, 4)})
    unconstrained = min(rows, key=lambda r: (r["cost"], -r["threshold"]))
    allowed = [r for r in rows if r["clarify_when_right"] + r["clarify_when_wrong"] <= MAX_CLARIFY_RATE]
    best = min(allowed, key=lambda r: (r["cost"], -r["threshold"])) if allowed else unconstrained
    return {"best": best, "unconstrained": unconstrained, "max_clarify_rate": MAX_CLARIFY_RATE,
            "grid": rows}


# --- training and parsing -----------------------------------------------------------------------

def train_nlu_model(data_paths: Sequence[str], out_dir: Path, name: str) -> Tuple[Path, float]:
    from rasa.model_training import train_nlu

    started = time.perf_counter()
    model = train_nlu(config=str(CONFIG), nlu_data=data_paths[0] if len(data_paths) == 1
                      else data_paths, output=str(out_dir), fixed_model_name=name,
                      domain=str(ROOT / "domain.yml"))
    return Path(model), time.perf_counter() - started


def parse_in_process(model: Path, texts: Sequence[str]) -> List[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def run():
        return [await agent.parse_message(t) for t in texts]

    return asyncio.run(run())


def _free_port() -> int:
    """A free port; inside TEST_PORT_RANGE (e.g. 6000-6099) when it is set, as the tests' servers
    (several runs sharing one machine each keep to their own ports)."""
    raw = os.environ.get("TEST_PORT_RANGE", "").strip()
    low, _, high = raw.partition("-")
    candidates = range(int(low), int(high or low) + 1) if raw else [0]
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError(f"no free port in TEST_PORT_RANGE={raw}")


def parse_via_server(model: Path, texts: Sequence[str], warmup: int = 30) -> Tuple[List[dict], List[float], float]:
    import requests

    port = _free_port()
    log = open(OUT / "nlu_eval_server.log", "w")
    # an empty endpoints file: /model/parse needs no action server, tracker store or broker
    endpoints = OUT / "nlu_eval_endpoints.yml"
    endpoints.write_text("# bench/nlu_eval.py: NLU only\n", encoding="utf-8")
    cmd = [str(Path(sys.executable).parent / "rasa"), "run", "--enable-api", "-m", str(model),
           "-i", "127.0.0.1", "-p", str(port), "--endpoints", str(endpoints),
           "--log-file", str(OUT / "nlu_eval_rasa.log")]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=str(ROOT),
                            start_new_session=True)
    session = requests.Session()
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError(f"rasa run exited; see {log.name}")
            try:
                if session.get(f"{url}/status", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            time.sleep(1)
        else:
            raise RuntimeError("rasa server did not come up in 10 minutes")
        startup = time.perf_counter() - started
        for text in list(texts)[:warmup]:
            session.post(f"{url}/model/parse", json={"text": text}, timeout=30)
        results, latencies = [], []
        for text in texts:
            t0 = time.perf_counter()
            resp = session.post(f"{url}/model/parse", json={"text": text}, timeout=30)
            latencies.append((time.perf_counter() - t0) * 1000)
            resp.raise_for_status()
            results.append(resp.json())
        return results, latencies, startup
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
        log.close()


def predictions(parsed: Sequence[dict]):
    intents = [p["intent"]["name"] for p in parsed]
    tops = [top_two(p.get("intent_ranking") or [p["intent"]])[0] for p in parsed]
    ents = [[{"entity": e["entity"], "value": str(e["value"]), "start": e["start"], "end": e["end"]}
             for e in p.get("entities") or []] for p in parsed]
    return intents, tops, ents


def score(examples, parsed) -> dict:
    gold = [ex["intent"] for ex in examples]
    intents, tops, ents = predictions(parsed)
    gold_ents = [ex["entities"] for ex in examples]
    return {
        "intent_after_fallback": intent_scores(gold, intents),
        "intent_top": intent_scores(gold, tops),
        "entities_value": entity_scores(gold_ents, ents, spans=False),
        "entities_span": entity_scores(gold_ents, ents, spans=True),
        # with the top confidence: a confident error in cross-validation is often a label to check
        "intent_errors": [{"text": ex["text"], "gold": ex["intent"], "pred": i, "top": t,
                           "confidence": round(float((p.get("intent_ranking") or [p["intent"]])[0].get("confidence") or 0), 3)}
                          for ex, i, t, p in zip(examples, intents, tops, parsed) if i != ex["intent"]],
        "entity_errors": entity_errors(examples, ents),
    }


def _text_key(text: str) -> str:
    """A message with case, spacing, punctuation and full-width / traditional forms ignored."""
    return re.sub(r"[\s\W_]+", "", normalize_text(text).lower())


def seen_in_training(examples, parsed) -> dict:
    """How many evaluation messages also occur in the training data (same text up to case,
    spacing and punctuation: "你好", "谢谢", "转人工" turn up everywhere), and the scores on the
    rest — the part that measures phrasings the model has not seen."""
    from rasa.shared.importers.importer import TrainingDataImporter

    training = TrainingDataImporter.load_from_config(
        str(CONFIG), str(ROOT / "domain.yml"), [str(DATA)]).get_nlu_data()
    known = {_text_key(ex.get("text")) for ex in training.intent_examples}
    unseen = [i for i, ex in enumerate(examples) if _text_key(ex["text"]) not in known]
    intents, _, _ = predictions(parsed)
    scores = intent_scores([examples[i]["intent"] for i in unseen], [intents[i] for i in unseen])
    return {"seen": len(examples) - len(unseen), "unseen": len(unseen),
            "unseen_macro_f1": scores["macro_f1"], "unseen_oos_recall": scores["oos_recall"]}


# --- the runs ---------------------------------------------------------------------------------

def run_heldout(model: Optional[Path], work: Path, report: dict) -> None:
    examples = load_examples(HELDOUT)
    if model is None:
        model, seconds = train_nlu_model([str(DATA)], OUT / "models", "nlu-eval")
        report["nlu_train_seconds"] = round(seconds, 1)
    report["model"] = str(model)
    parsed, latencies, startup = parse_via_server(model, [ex["text"] for ex in examples])
    result = score(examples, parsed)
    result["seen_in_training"] = seen_in_training(examples, parsed)
    # A file may annotate intents only (bench/data/nlu_dev.yml): then entity scores mean nothing.
    result["entities_annotated"] = any(ex["entities"] for ex in examples)
    latencies.sort()
    result["latency_ms"] = {
        "p50": round(statistics.median(latencies), 2),
        "p90": round(latencies[int(0.90 * (len(latencies) - 1))], 2),
        "p99": round(latencies[int(0.99 * (len(latencies) - 1))], 2),
        "max": round(latencies[-1], 2), "n": len(latencies),
    }
    result["server_startup_seconds"] = round(startup, 1)
    report["heldout"] = result
    intents, _, _ = predictions(parsed)
    confusion_png([ex["intent"] for ex in examples], intents, OUT / "nlu_confusion_heldout.png",
                  "held-out (after fallback)")


def run_cv(folds: int, work: Path, report: dict, seed: int = 42) -> None:
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    data = TrainingDataImporter.load_from_config(
        str(CONFIG), str(ROOT / "domain.yml"), [str(DATA)]).get_nlu_data()
    # The generated noisy copies (shop_nlu/augment.py) are left out: a copy in one fold and its
    # original in another would flatter the CV.
    noisy = noisy_texts()
    examples = [ex for ex in data.intent_examples if ex.get("text") not in noisy]
    labels = [ex.get("intent") for ex in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    all_examples, all_parsed, seconds = [], [], []
    for k, (train_idx, test_idx) in enumerate(splitter.split(examples, labels)):
        fold_dir = work / f"fold{k}"
        fold_dir.mkdir(parents=True, exist_ok=True)
        train = TrainingData(training_examples=[examples[i] for i in train_idx],
                             regex_features=data.regex_features, lookup_tables=data.lookup_tables)
        RasaYAMLWriter().dump(fold_dir / "train.yml", train)
        model, secs = train_nlu_model([str(fold_dir / "train.yml")], fold_dir, f"fold{k}")
        seconds.append(secs)
        test = [examples[i] for i in test_idx]
        parsed = parse_in_process(model, [ex.get("text") for ex in test])
        for ex in test:
            all_examples.append({
                "text": ex.get("text"), "intent": ex.get("intent"),
                "entities": [{"entity": e["entity"], "value": str(e.get("value")),
                              "start": e["start"], "end": e["end"]} for e in ex.get("entities") or []],
            })
        all_parsed.extend(parsed)
        logger.info("fold %d/%d done (%.0fs training)", k + 1, folds, secs)
    result = score(all_examples, all_parsed)
    result["folds"] = folds
    result["fold_train_seconds"] = [round(s, 1) for s in seconds]
    gold = [ex["intent"] for ex in all_examples]
    result["fallback_tuning"] = fallback_grid(gold, [p.get("intent_ranking") or [] for p in all_parsed])
    report["cv"] = result
    intents, _, _ = predictions(all_parsed)
    confusion_png(gold, intents, OUT / "nlu_confusion_cv.png", f"{folds}-fold cross-validation (after fallback)")


def run_full_train(report: dict, work: Path) -> None:
    """`rasa train` of the whole config (NLU + dialogue policies), timed, no cache."""
    env = dict(os.environ)
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "rasa"), "train", "--config", str(CONFIG),
                    "--domain", "domain.yml", "--data", "data", "--out", str(work / "full"),
                    "--force"], cwd=str(ROOT), check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    report["full_train_seconds"] = round(time.perf_counter() - started, 1)


# --- report -----------------------------------------------------------------------------------

def markdown(report: dict) -> str:
    lines = ["# NLU evaluation", ""]
    for name in ("heldout", "cv"):
        if name not in report:
            continue
        r = report[name]
        after, top = r["intent_after_fallback"], r["intent_top"]
        ev, es = r["entities_value"]["micro"], r["entities_span"]["micro"]
        title = "Held-out set" if name == "heldout" else f"{r['folds']}-fold cross-validation"
        lines += [f"## {title} ({after['n']} messages)", "",
                  f"- intent macro-F1: **{after['macro_f1']}** after fallback "
                  f"(top intent: {top['macro_f1']}); accuracy {after['accuracy']}; "
                  f"clarifying questions {after['fallback_rate']:.1%}",
                  f"- out-of-scope recall: **{after['oos_recall']}** "
                  f"(out_of_scope or clarifying question: {after['oos_recall_or_clarify']}; "
                  f"top intent: {top['oos_recall']})",
                  (f"- entities (entity, value): P {ev['precision']} R {ev['recall']} **F1 {ev['f1']}**; "
                   f"spans exact: P {es['precision']} R {es['recall']} F1 {es['f1']}"
                   if r.get("entities_annotated", True) else
                   "- entities: not scored (this file's examples carry no entity annotations)")]
        if "seen_in_training" in r:
            seen = r["seen_in_training"]
            lines.append(f"- {seen['seen']} of {after['n']} messages also occur in the training data "
                         f"(same text up to case, spacing and punctuation); on the other "
                         f"{seen['unseen']}: macro-F1 **{seen['unseen_macro_f1']}**, out-of-scope "
                         f"recall **{seen['unseen_oos_recall']}**")
        if "latency_ms" in r:
            lat = r["latency_ms"]
            lines.append(f"- /model/parse latency: p50 **{lat['p50']} ms**, p90 {lat['p90']} ms, "
                         f"p99 **{lat['p99']} ms** ({lat['n']} requests, one client)")
        lines += ["", "| intent | P | R | F1 (after fallback) | F1 (top) | n |", "|---|---|---|---|---|---|"]
        for intent in INTENTS:
            a, t = after["per_intent"][intent], top["per_intent"][intent]
            lines.append(f"| {intent} | {a['precision']} | {a['recall']} | {a['f1']} | {t['f1']} | {a['support']} |")
        if r.get("entities_annotated", True):
            lines += ["", "| entity | P | R | F1 | tp | fp | fn |", "|---|---|---|---|---|---|---|"]
            for ent, s in r["entities_value"]["per_entity"].items():
                lines.append(f"| {ent} | {s['precision']} | {s['recall']} | {s['f1']} | {s['tp']} | {s['fp']} | {s['fn']} |")
        if name == "cv":
            best = r["fallback_tuning"]["best"]
            free = r["fallback_tuning"]["unconstrained"]
            lines += ["", f"FallbackClassifier tuning on CV (lowest cost with at most "
                          f"{r['fallback_tuning']['max_clarify_rate']:.0%} clarifying questions): "
                          f"threshold {best['threshold']}, ambiguity_threshold {best['ambiguity_threshold']} "
                          f"— confident wrong {best['confident_wrong']:.1%}, clarify when right "
                          f"{best['clarify_when_right']:.1%}, clarify when wrong {best['clarify_when_wrong']:.1%}. "
                          f"Unconstrained optimum: threshold {free['threshold']}, ambiguity "
                          f"{free['ambiguity_threshold']} (confident wrong {free['confident_wrong']:.1%}, "
                          f"clarifying {free['clarify_when_right'] + free['clarify_when_wrong']:.1%})."]
        lines.append("")
    for key, label in (("nlu_train_seconds", "NLU training (rasa train nlu)"),
                       ("full_train_seconds", "full rasa train (NLU + policies, --force)")):
        if key in report:
            lines.append(f"- {label}: {report[key]} s")
    return "\n".join(lines) + "\n"


def main() -> int:
    global CONFIG, DATA, HELDOUT
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="evaluate this trained model (skips training)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml",
                        help="pipeline to evaluate (default config.yml); use with --skip-heldout "
                             "to compare variants on cross-validation only")
    parser.add_argument("--report-name", default="nlu_report",
                        help="write bench/out/<name>.json and .md (default nlu_report)")
    parser.add_argument("--data", type=Path, default=DATA,
                        help="training data directory (default data/)")
    parser.add_argument("--heldout", type=Path, default=HELDOUT,
                        help="evaluation file (default bench/data/nlu_heldout.yml)")
    parser.add_argument("--skip-cv", action="store_true")
    parser.add_argument("--skip-heldout", action="store_true")
    parser.add_argument("--full-train", action="store_true",
                        help="also time a full `rasa train --force` (NLU + dialogue policies)")
    args = parser.parse_args()
    CONFIG, DATA, HELDOUT = args.config.resolve(), args.data.resolve(), args.heldout.resolve()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    for noisy in ("rasa", "tensorflow", "absl", "matplotlib", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="nlu_eval_"))
    report: dict = {"started": time.strftime("%Y-%m-%d %H:%M:%S")}
    try:
        if not args.skip_heldout:
            run_heldout(args.model, work, report)
        if not args.skip_cv:
            run_cv(args.folds, work, report)
        if args.full_train:
            run_full_train(report, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for key, path in (("config", CONFIG), ("data", DATA), ("heldout_file", HELDOUT)):
        report[key] = str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    (OUT / f"{args.report_name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    md = markdown(report)
    (OUT / f"{args.report_name}.md").write_text(md, encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
