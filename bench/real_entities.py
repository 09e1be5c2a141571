"""Entity check on real shoppers' messages: precision / recall / F1 per entity and the misses.

    python bench/real_entities.py                          # the extractor's rules, gold intent
    python bench/real_entities.py --model models/X.tar.gz  # the whole NLU pipeline of a model

Data: bench/data/real_shoppers/entities_train.tsv — 250 messages of the real-shopper `train`
split, entities annotated by hand by the entity contract (shop_nlu/README.md; the file's header
says how they were drawn). Only the train split: the evaluation splits of labels.tsv stay
unread here.

Default mode runs ``shop_nlu.pipeline.ShopEntityFinder`` with the labelled intent (the
extractor alone, deterministic, seconds; `reason` is intent-gated, so the gold intent keeps
an intent miss from counting as an entity miss). ``--model`` parses every message with the
model (normaliser, classifier, out-of-scope guard, extractor), as a shopper would get it.

Scores: micro P/R/F1 on (entity, value) pairs per message (as bench/nlu_eval.py's headline),
per entity, then every message whose pairs differ (missing = in gold only, extra = found only).
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import nlu_eval  # noqa: E402  (the shared entity scoring)

GOLD = ROOT / "bench" / "data" / "real_shoppers" / "entities_train.tsv"


def parse_entities(field: str) -> List[dict]:
    """'topic=invoice | quantity=2' → [{entity, value}]."""
    out = []
    for part in field.split("|"):
        part = part.strip()
        if part:
            entity, _, value = part.partition("=")
            out.append({"entity": entity.strip(), "value": value.strip()})
    return out


def load_gold(path: Path = GOLD) -> List[dict]:
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        row["entities"] = parse_entities(row.get("entities") or "")
    return rows


def predict_rules(rows: List[dict]) -> List[List[dict]]:
    from shop_nlu.pipeline import ShopEntityFinder

    finder = ShopEntityFinder.from_files()
    return [[{"entity": e.entity, "value": str(e.value)} for e in finder.find(r["text"], intent=r["intent"])]
            for r in rows]


def predict_model(rows: List[dict], model: Path) -> List[List[dict]]:
    parsed = nlu_eval.parse_in_process(model, [r["text"] for r in rows])
    return [[{"entity": e["entity"], "value": str(e["value"])} for e in p.get("entities") or []]
            for p in parsed]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--model", type=Path, help="score a trained model instead of the rules")
    parser.add_argument("--json", type=Path, help="also write the scores and misses here")
    args = parser.parse_args(argv)

    rows = load_gold(args.gold)
    pred = predict_model(rows, args.model) if args.model else predict_rules(rows)
    scores = nlu_eval.entity_scores([r["entities"] for r in rows], pred, spans=False)
    misses = nlu_eval.entity_errors(rows, pred, limit=len(rows))

    micro = scores["micro"]
    print(f"{len(rows)} messages, {'model ' + args.model.name if args.model else 'rules (gold intent)'}")
    print(f"micro P {micro['precision']:.3f} R {micro['recall']:.3f} F1 {micro['f1']:.3f} "
          f"(tp {micro['tp']} fp {micro['fp']} fn {micro['fn']})")
    print(f"{'entity':<14} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
    for entity, s in scores["per_entity"].items():
        print(f"{entity:<14} {s['precision']:>6.3f} {s['recall']:>6.3f} {s['f1']:>6.3f} "
              f"{s['tp']:>4} {s['fp']:>4} {s['fn']:>4}")
    print(f"\n{len(misses)} messages differ:")
    for miss in misses:
        fmt = ", ".join
        print(f"- {miss['text']}\n    missing: {fmt(f'{e}={v}' for e, v in miss['missing']) or '-'}"
              f"\n    extra:   {fmt(f'{e}={v}' for e, v in miss['extra']) or '-'}")
    if args.json:
        args.json.write_text(json.dumps({"scores": scores, "misses": misses}, ensure_ascii=False,
                                        indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
