"""Scope probe: do shop questions on services the data barely covers escape "out of scope", and
do plainly off-topic messages still get it?

    python bench/scope_probe.py --model models/X.tar.gz [--misses] [--intent-misses]

Data (hand-written, see the comments at the top of each file): bench/data/scope_probe/
shop_services.yml (families of shop questions about a big shop's services: 白条, account
security, recycling, 价保, installation, service points, invoices, pickup, refusal, gift cards,
membership, reviews, authenticity, 自营, address changes, chasing an order …, each with the
labelling guide's intent) and off_topic.yml (weather, chit-chat, homework, politics, other
platforms and services, merchant onboarding, other languages, nonsense: out_of_scope by the guide).

Figures, per side and per family:
- shop → out of scope: a shop question whose answer (after the out-of-scope guard, the
  readability guard and the fallback) is `out_of_scope` (issue 14's target: ≤ 2 % on real messages);
- shop, sure out-of-scope guess: the classifier's own out-of-scope probability ≥ 0.9 before the
  guard (the margin: a guess the guard may only overrule with order or after-sales evidence);
- off-topic recall: an off-topic message answered `out_of_scope`; "or clarifying" counts a
  clarifying question as safe too.
bench/real_cv.py --probe scores the same files with its fast pipeline (trained on all data).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from shop_nlu.scope import SURE_OUT_OF_SCOPE as SURE  # noqa: E402 - the guard's own level, never a copy
PROBE_DIR = ROOT / "bench" / "data" / "scope_probe"
SHOP_FILE = PROBE_DIR / "shop_services.yml"
OFF_TOPIC_FILE = PROBE_DIR / "off_topic.yml"
OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"


def load_probe(shop_file: Path = SHOP_FILE, off_topic_file: Path = OFF_TOPIC_FILE
               ) -> Tuple[List[Tuple[str, str, str]], List[Tuple[str, str]]]:
    """([(family, guide intent, text)], [(family, text)])."""
    shop = yaml.safe_load(shop_file.read_text(encoding="utf-8"))
    off = yaml.safe_load(off_topic_file.read_text(encoding="utf-8"))
    shop_rows = [(family, spec["intent"], str(text)) for family, spec in shop.items()
                 for text in spec["examples"]]
    off_rows = [(family, str(text)) for family, texts in off.items() for text in texts]
    return shop_rows, off_rows


def _rate(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100.0 * part / whole:.1f} %" if whole else "-"


def score(shop_rows: Sequence[tuple], shop_got: Sequence[str], shop_p_oos: Sequence[float],
          off_rows: Sequence[tuple], off_got: Sequence[str]) -> Dict[str, object]:
    """Headline counts (``*_got``: the answer after guards and fallback; ``shop_p_oos``: the
    classifier's out-of-scope probability before the guard)."""
    n_shop, n_off = len(shop_rows), len(off_rows)
    return {
        "shop": n_shop,
        "shop_oos": sum(g == OUT_OF_SCOPE for g in shop_got),
        "shop_sure_oos": sum(p >= SURE for p in shop_p_oos),
        "shop_clarify": sum(g == FALLBACK for g in shop_got),
        "shop_as_guide": sum(g == row[1] for g, row in zip(shop_got, shop_rows)),
        "off": n_off,
        "off_oos": sum(g == OUT_OF_SCOPE for g in off_got),
        "off_oos_or_clarify": sum(g in (OUT_OF_SCOPE, FALLBACK) for g in off_got),
    }


def report(shop_rows, shop_got, shop_p_oos, off_rows, off_got, misses: bool = False,
           intent_misses: bool = False) -> str:
    s = score(shop_rows, shop_got, shop_p_oos, off_rows, off_got)
    lines = [
        f"shop questions ({s['shop']}): -> out of scope {_rate(s['shop_oos'], s['shop'])}; "
        f"sure out-of-scope guess before the guard {_rate(s['shop_sure_oos'], s['shop'])}; "
        f"clarifying {_rate(s['shop_clarify'], s['shop'])}; the guide's intent {_rate(s['shop_as_guide'], s['shop'])}",
        f"off-topic ({s['off']}): out-of-scope recall {_rate(s['off_oos'], s['off'])}; "
        f"out of scope or clarifying {_rate(s['off_oos_or_clarify'], s['off'])}",
    ]
    if misses:
        for (family, intent, text), got, p in zip(shop_rows, shop_got, shop_p_oos):
            if got == OUT_OF_SCOPE or p >= SURE:
                lines.append(f"  shop [{family}] {text!r} got={got} p(oos)={p:.2f}")
        for (family, text), got in zip(off_rows, off_got):
            if got != OUT_OF_SCOPE:
                lines.append(f"  off  [{family}] {text!r} got={got}")
    if intent_misses:
        for (family, intent, text), got in zip(shop_rows, shop_got):
            if got != intent:
                lines.append(f"  intent [{family}] {text!r} guide={intent} got={got}")
    return "\n".join(lines)


def _p_oos(parsed: dict) -> float:
    for item in parsed.get("intent_ranking") or []:
        if item.get("name") == OUT_OF_SCOPE:
            return float(item.get("confidence") or 0.0)
    return 0.0


def main() -> int:
    import logging

    from rasa.utils.log_utils import configure_structlog

    logging.getLogger().setLevel(logging.WARNING)
    configure_structlog(logging.WARNING)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--intent-misses", action="store_true",
                    help="also list shop questions whose answer is not the guide's intent (fallback included)")
    ap.add_argument("--misses", action="store_true", help="list shop questions answered (or surely guessed) out of"
                                                         " scope and off-topic messages that were not")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT))
    import nlu_eval

    shop_rows, off_rows = load_probe()
    parsed = nlu_eval.parse_in_process(args.model, [r[2] for r in shop_rows] + [r[1] for r in off_rows])
    got = [p["intent"]["name"] for p in parsed]
    shop_got, off_got = got[: len(shop_rows)], got[len(shop_rows):]
    shop_p = [_p_oos(p) for p in parsed[: len(shop_rows)]]
    print(f"model {args.model}")
    print(report(shop_rows, shop_got, shop_p, off_rows, off_got, misses=args.misses,
                 intent_misses=args.intent_misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
