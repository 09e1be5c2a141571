"""Real-shopper NLU evaluation: messages customers typed to a large Chinese shop.

    python bench/real_eval.py                          # trains an NLU model from data/, then scores it
    python bench/real_eval.py --model models/X.tar.gz  # scores an existing model (full or NLU-only)

Data: bench/data/real_shoppers/labels.tsv (JDDC development split, labelled by the guide in
shop_nlu/README.md; see the README beside it). Only its evaluation splits are scored, never
the `train` split that data/nlu/real_shoppers.yml was made from:
- `eval_random` — a random fifth of the messages of the JD topics the model trained on;
- `eval_unseen_topic` — every message of 10 whole JD topics the model never saw.

Scores (for each split and both together), over the messages that can be classified from the
message alone (gold label not `context`):
- strict accuracy: the intent the shopper gets (after the fallback classifier; a clarifying
  question counts as a miss) equals the gold intent;
- lenient accuracy: it equals the gold intent or the labeller's defensible second label;
- shop questions answered out of scope: gold is a shop intent (purchase, product_inquiry,
  after_sales, order_status, ask_recommendation) and the reply is `out_of_scope`;
- clarifying questions: share of messages that got `nlu_fallback`;
- per intent P/R/F1, per JD topic accuracy, and a confusion matrix PNG.
`context` messages (they need the earlier turns) are reported apart: how many got a confident
answer, a clarifying question or out of scope.
Writes bench/out/real_eval.json, bench/out/real_eval.md and bench/out/real_confusion.png.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import nlu_eval  # noqa: E402  (shared training, parsing, scoring and plotting helpers)

LABELS = ROOT / "bench" / "data" / "real_shoppers" / "labels.tsv"
EVAL_SPLITS = ("eval_random", "eval_unseen_topic")
SHOP_INTENTS = {"purchase", "product_inquiry", "after_sales", "order_status", "ask_recommendation"}
CONTEXT = "context"


def load_labels(path: Path = LABELS, splits: Sequence[str] = EVAL_SPLITS) -> List[dict]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [row for row in rows if row["split"] in splits]


def _rate(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


def score_rows(rows: Sequence[dict], predicted: Sequence[str]) -> dict:
    """Headline figures for one group of labelled rows and what the model answered."""
    pairs = [(r, p) for r, p in zip(rows, predicted) if r["intent"] != CONTEXT]
    n = len(pairs)
    strict = sum(p == r["intent"] for r, p in pairs)
    lenient = sum(p in (r["intent"], r["second"]) for r, p in pairs)
    shop = [(r, p) for r, p in pairs if r["intent"] in SHOP_INTENTS]
    shop_oos = sum(p == "out_of_scope" for _, p in shop)
    clarify = sum(p == nlu_eval.FALLBACK for _, p in pairs)
    context = [p for r, p in zip(rows, predicted) if r["intent"] == CONTEXT]
    return {
        "messages": n,
        "strict_accuracy": _rate(strict, n),
        "lenient_accuracy": _rate(lenient, n),
        "shop_questions": len(shop),
        "shop_answered_out_of_scope": _rate(shop_oos, len(shop)),
        "clarifying_questions": _rate(clarify, n),
        "context_messages": len(context),
        "context_got": dict(Counter(
            "clarify" if p == nlu_eval.FALLBACK else "out_of_scope" if p == "out_of_scope" else "an intent"
            for p in context)),
    }


def per_topic(rows: Sequence[dict], predicted: Sequence[str]) -> Dict[str, dict]:
    groups: Dict[str, List[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        if row["intent"] != CONTEXT:
            groups[row["jd_category"]].append(i)
    return {topic: {"n": len(ix), "split": rows[ix[0]]["split"],
                    "strict": _rate(sum(predicted[i] == rows[i]["intent"] for i in ix), len(ix))}
            for topic, ix in sorted(groups.items())}


def markdown(report: dict) -> str:
    lines = ["# Real-shopper NLU evaluation", "", f"model: `{report['model']}`", "",
             "| split | messages | strict | lenient | shop → out of scope | clarifying |",
             "|---|---|---|---|---|---|"]
    for name, s in report["splits"].items():
        lines.append(f"| {name} | {s['messages']} | {s['strict_accuracy']} | {s['lenient_accuracy']} | "
                     f"{s['shop_answered_out_of_scope']} | {s['clarifying_questions']} |")
    lines += ["", "## Per intent (all evaluation messages, after fallback)", "",
              "| intent | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for intent, s in report["per_intent"].items():
        lines.append(f"| {intent} | {s['precision']} | {s['recall']} | {s['f1']} | {s['support']} |")
    lines += ["", "## Per JD topic (strict)", "", "| JD topic | split | n | strict |", "|---|---|---|---|"]
    for topic, s in sorted(report["per_topic"].items(), key=lambda kv: kv[1]["strict"] or 0):
        lines.append(f"| {topic} | {s['split']} | {s['n']} | {s['strict']} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    import logging

    from rasa.utils.log_utils import configure_structlog

    # Quiet: Rasa's per-message parse lines (stdlib logging and structlog) would print the
    # evaluation messages' texts, which no developer may read (they must only be scored).
    logging.getLogger().setLevel(logging.WARNING)
    configure_structlog(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, help="score this model instead of training one")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--errors", action="store_true", help="also list the misses (for label audits)")
    args = parser.parse_args()

    rows = load_labels(args.labels)
    model = args.model
    if model is None:
        model, seconds = nlu_eval.train_nlu_model([str(nlu_eval.DATA)], nlu_eval.OUT / "models", "nlu-real-eval")
        print(f"trained {model} in {seconds:.1f} s")
    parsed = nlu_eval.parse_in_process(model, [r["text"] for r in rows])
    predicted = [p["intent"]["name"] for p in parsed]

    report = {"model": str(model), "splits": {}}
    for split in EVAL_SPLITS:
        ix = [i for i, r in enumerate(rows) if r["split"] == split]
        report["splits"][split] = score_rows([rows[i] for i in ix], [predicted[i] for i in ix])
    report["splits"]["all"] = score_rows(rows, predicted)
    gold = [(r["intent"], p) for r, p in zip(rows, predicted) if r["intent"] != CONTEXT]
    report["per_intent"] = {k: v for k, v in nlu_eval.intent_scores(
        [g for g, _ in gold], [p for _, p in gold])["per_intent"].items() if v["support"]}
    report["per_topic"] = per_topic(rows, predicted)
    if args.errors:
        report["errors"] = [{"text": r["text"], "gold": r["intent"], "second": r["second"], "pred": p,
                             "split": r["split"]}
                            for r, p in zip(rows, predicted) if r["intent"] != CONTEXT
                            and p != r["intent"] and p != r["second"]]

    nlu_eval.OUT.mkdir(parents=True, exist_ok=True)
    nlu_eval.confusion_png([g for g, _ in gold], [p for _, p in gold], nlu_eval.OUT / "real_confusion.png",
                           "real shoppers (evaluation splits, after fallback)")
    (nlu_eval.OUT / "real_eval.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    (nlu_eval.OUT / "real_eval.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
