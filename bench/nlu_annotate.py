"""Propose entity annotations for NLU examples, for a human to review.

    python bench/nlu_annotate.py INTENT raw.txt > data/nlu/INTENT.yml   # one example a line
    python bench/nlu_annotate.py --check data/nlu                       # gold vs extractor

The first form writes a Rasa NLU file whose examples carry the entities that
``shop_nlu.pipeline.ShopEntityFinder`` finds (values normalised, spans resolved as the
extractor resolves them). It is a starting point: the annotations are then read and corrected
by hand, so that the training data's annotations are a reviewed gold standard for the
cross-validation entity scores. (The held-out set, bench/data/nlu_heldout.yml, is annotated
by hand from scratch, never with this tool.)

``--check`` lists every example whose annotations differ from what the extractor produces.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shop_nlu.improve.training_files import annotate  # noqa: E402  (shared with the improvement loop)
from shop_nlu.pipeline import ShopEntityFinder  # noqa: E402


def render(intent: str, lines: List[str], finder: ShopEntityFinder) -> str:
    rows = [f"- intent: {intent}", "  examples: |"]
    for line in lines:
        text = line.strip()
        if not text:
            continue
        rows.append("    - " + annotate(text, finder.find(text, intent=intent)))
    return "\n".join(rows) + "\n"


def check(paths: List[Path], finder: ShopEntityFinder) -> int:
    from rasa.shared.nlu.training_data.loading import load_data

    bad = 0
    for path in paths:
        data = load_data(str(path))
        for ex in data.intent_examples:
            text = ex.get("text")
            gold = sorted((e["entity"], str(e.get("value")), e["start"], e["end"])
                          for e in ex.get("entities") or [])
            pred = sorted((e.entity, e.value, e.start, e.end)
                          for e in finder.find(text, intent=ex.get("intent")))
            if gold != pred:
                bad += 1
                print(f"{path.name}: {ex.get('intent')}: {text}\n   gold {gold}\n   pred {pred}")
    print(f"{bad} examples differ", file=sys.stderr)
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    parser.add_argument("args", nargs="+")
    args = parser.parse_args()
    finder = ShopEntityFinder.from_files()
    if args.check:
        paths = []
        for arg in args.args:
            p = Path(arg)
            paths += sorted(p.rglob("*.yml")) if p.is_dir() else [p]
        paths = [p for p in paths if "vocab" not in p.parts and "generated" not in p.parts
                 and p.name != "regex.yml"]
        return check(paths, finder)
    intent, raw = args.args
    lines = Path(raw).read_text(encoding="utf-8").splitlines()
    sys.stdout.write(render(intent, lines, finder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
