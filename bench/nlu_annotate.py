"""Propose entity annotations for NLU examples, for a human to review.

    python bench/nlu_annotate.py INTENT raw.txt > data/nlu/INTENT.yml   # one example a line
    python bench/nlu_annotate.py --check data/nlu                       # gold vs extractor
    python bench/nlu_annotate.py --adopt topic=damaged --intent after_sales -- data/nlu  # bulk fix

The first form writes a Rasa NLU file whose examples carry the entities that
``shop_nlu.pipeline.ShopEntityFinder`` finds (values normalised, spans resolved as the
extractor resolves them). It is a starting point: the annotations are then read and corrected
by hand, so that the training data's annotations are a reviewed gold standard for the
cross-validation entity scores. (The held-out set, bench/data/nlu_heldout.yml, is annotated
by hand from scratch, never with this tool.)

``--check`` lists every example whose annotations differ from what the extractor produces,
then a summary by (entity, value): ``gold only`` (the file has it, the rules do not) and ``rules
only``. Files that annotate no example at all (desk_situations.yml, service_topics.yml,
real_shoppers.yml, size_complaints.yml: intent-only by design, the extractor owns the entities)
are listed once and not compared: they made 2,659 of the 3,218 differences of issue 14's triage.

``--adopt ENTITY=VALUE ...`` is the bulk fix for annotations that went stale when the
vocabulary grew (issue 14: 坏了 annotated as reason `quality_issue` only, while the contract
gives it topic `damaged` too): in the annotated files, every rule entity of the listed kinds
that an example lacks is added, when its span is an annotated span or touches none; the lines
are rewritten in place (one example a line, other annotations kept). Review with ``git diff``.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, namedtuple
from pathlib import Path
from typing import List, Set, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shop_nlu.improve.training_files import annotate  # noqa: E402  (shared with the improvement loop)
from shop_nlu.pipeline import ShopEntityFinder  # noqa: E402

_Ent = namedtuple("_Ent", "entity value start end")


def render(intent: str, lines: List[str], finder: ShopEntityFinder) -> str:
    rows = [f"- intent: {intent}", "  examples: |"]
    for line in lines:
        text = line.strip()
        if not text:
            continue
        rows.append("    - " + annotate(text, finder.find(text, intent=intent)))
    return "\n".join(rows) + "\n"


def _annotated(examples) -> bool:
    return any(ex.get("entities") for ex in examples)


def check(paths: List[Path], finder: ShopEntityFinder) -> int:
    from rasa.shared.nlu.training_data.loading import load_data

    bad, skipped = 0, []
    summary: Counter = Counter()
    for path in paths:
        data = load_data(str(path))
        if not _annotated(data.intent_examples):
            skipped.append(path.name)
            continue
        for ex in data.intent_examples:
            text = ex.get("text")
            gold = sorted((e["entity"], str(e.get("value")), e["start"], e["end"])
                          for e in ex.get("entities") or [])
            pred = sorted((e.entity, e.value, e.start, e.end)
                          for e in finder.find(text, intent=ex.get("intent")))
            if gold != pred:
                bad += 1
                print(f"{path.name}: {ex.get('intent')}: {text}\n   gold {gold}\n   pred {pred}")
                g, p = Counter(k[:2] for k in gold), Counter(k[:2] for k in pred)
                summary.update({("gold only",) + k: n for k, n in (g - p).items()})
                summary.update({("rules only",) + k: n for k, n in (p - g).items()})
    print("\nsummary (differences by entity, value):")
    for (side, entity, value), n in summary.most_common():
        print(f"{n:5d}  {side:<10} {entity}={value}")
    if skipped:
        print(f"not compared (no example annotated): {', '.join(skipped)}", file=sys.stderr)
    print(f"{bad} examples differ", file=sys.stderr)
    return 1 if bad else 0


_INTENT_LINE = re.compile(r"^\s*- intent:\s*(\S+)")
_EXAMPLE_LINE = re.compile(r"^(\s+)- (.+)$")


def adopt(paths: List[Path], finder: ShopEntityFinder, kinds: Set[Tuple[str, str]],
          intents: Set[str]) -> int:
    """Add the rules' entities of ``kinds`` that annotated examples lack (see the docstring)."""
    from rasa.shared.nlu.training_data.entities_parser import parse_training_example
    from rasa.shared.nlu.training_data.loading import load_data

    changed = 0
    for path in paths:
        if not _annotated(load_data(str(path)).intent_examples):
            continue
        lines = path.read_text(encoding="utf-8").split("\n")
        intent, in_examples, edits = None, False, 0
        for i, line in enumerate(lines):
            head = _INTENT_LINE.match(line)
            if head:
                intent, in_examples = head.group(1), False
                continue
            if line.strip().startswith("examples:"):
                in_examples = True
                continue
            body = _EXAMPLE_LINE.match(line)
            if not (in_examples and intent and body) or (intents and intent not in intents):
                in_examples = in_examples and (not line.strip() or line.startswith("    "))
                continue
            message = parse_training_example(body.group(2), intent)
            text = message.get("text")
            gold = [_Ent(e["entity"], str(e.get("value")), e["start"], e["end"])
                    for e in message.get("entities") or []]
            have = {(e.entity, e.value) for e in gold}
            spans = {(e.start, e.end) for e in gold}
            added = []
            for e in finder.find(text, intent=intent):
                key, span = (e.entity, str(e.value)), (e.start, e.end)
                if key not in kinds or key in have:
                    continue
                if span not in spans and any(s < e.end and e.start < t for s, t in spans):
                    continue   # spans never cross (Rasa's format cannot say it)
                added.append(_Ent(e.entity, str(e.value), e.start, e.end))
                have.add(key)
                spans.add(span)
            if added:
                lines[i] = f"{body.group(1)}- {annotate(text, gold + added)}"
                edits += 1
        if edits:
            path.write_text("\n".join(lines), encoding="utf-8")
            print(f"{path}: {edits} examples", file=sys.stderr)
            changed += edits
    print(f"{changed} examples changed", file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--adopt", nargs="+", metavar="ENTITY=VALUE",
                        help="add these rule entities where annotated examples lack them")
    parser.add_argument("--intent", action="append", default=[],
                        help="with --adopt: only examples of this intent (repeatable)")
    parser.add_argument("args", nargs="+")
    args = parser.parse_args()
    finder = ShopEntityFinder.from_files()
    if args.check or args.adopt:
        paths = []
        for arg in args.args:
            p = Path(arg)
            paths += sorted(p.rglob("*.yml")) if p.is_dir() else [p]
        paths = [p for p in paths if "vocab" not in p.parts and "generated" not in p.parts
                 and p.name != "regex.yml"]
        if args.adopt:
            return adopt(paths, finder, {tuple(k.split("=", 1)) for k in args.adopt}, set(args.intent))
        return check(paths, finder)
    intent, raw = args.args
    lines = Path(raw).read_text(encoding="utf-8").splitlines()
    sys.stdout.write(render(intent, lines, finder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
