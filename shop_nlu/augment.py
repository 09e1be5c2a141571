"""Noisy copies of the training examples, typed the way real shoppers type (issue 14, round 18).

    python -m shop_nlu.augment            # (re)write data/nlu/generated/noisy_examples.yml
    python -m shop_nlu.augment --check    # exit 1 if that file is stale

Not part of the training data yet (shop_nlu/README.md, round 18): it raised the grouped CV of
the real train split but broke typed conversations. Writing the file puts it into `rasa
train`; adopting it means committing the file and running this from scripts/train.sh.

Real shoppers' messages carry noise the written examples lack: a greeting or "亲" in front, a
particle or "。。。" behind, a character typed twice or left out, a pinyin IME's homophone
(在/再, 的/得, 帐/账, 定/订, 以/已), no punctuation at all, other digits, an emoji. Each training
example of the intents below gets COPIES noisy copies, each with one or two of those edits,
drawn from a random generator seeded by the example's own text (so a copy does not depend on
which other examples are in the file, and bench/real_cv.py can noise a fold's training rows
exactly as training does). Edits never touch the inside of an annotated entity, except
digits in an entity whose value is its text (an order number stays an order number); spans
after an edit are moved with it, so every annotation stays valid. The label is the example's.

The short dialogue acts (yes / no / hello / thanks / a typed answer) are not noised: "你好" in
front of "好的" would teach the classifier that a greeting is an agreement, and their phrase
features carry the conversations (tests/integration/test_typed_conversations.py).
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

logger = logging.getLogger("shop_nlu.augment")

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data" / "nlu"
OUTPUT = DATA_DIR / "generated" / "noisy_examples.yml"
SEED = 18
COPIES = 1

# Intents whose examples are noised (see the module docstring for the ones left out).
NOISED_INTENTS = frozenset({
    "purchase", "product_inquiry", "after_sales", "order_status", "ask_recommendation",
    "out_of_scope", "human_handoff",
})

# Not the greetings (你好, 在吗) nor the lead-ins (请问, 问一下): said on their own they are
# messages of their own ("在吗" a greeting, "我想问下" a question yet to come), and copies of every
# shop intent that start with them taught the classifier to read them as shop questions.
FILLERS_BEFORE = ("亲", "亲亲", "客服", "那个", "嗯", "哦", "额")
SEPARATORS = ("", "，", " ", ",", "。")
FILLERS_AFTER = ("啊", "呢", "哦", "呀", "哈", "。。。", "？？", "??", "~", "了")
EMOJI = ("😊", "🙏", "😭", "👍", "😂", "😅", "🤔")
# Pinyin IME slips: the same syllable, the other character. Both ways, since shoppers slip both ways.
HOMOPHONES: Dict[str, str] = {}
for _a, _b in (("在", "再"), ("的", "得"), ("帐", "账"), ("定", "订"), ("以", "已"), ("做", "作"),
               ("那", "哪"), ("到", "道"), ("像", "象"), ("型", "形"), ("吗", "嘛"), ("他", "她")):
    HOMOPHONES[_a], HOMOPHONES[_b] = _b, _a
HOMOPHONES["地"] = "的"

_HAN = re.compile(r"[\u4e00-\u9fff]")
_PUNCT = re.compile(r"[，。！？、,.!?;；:：~～…]")
_DIGIT_RUN = re.compile(r"\d{3,}")


@dataclass
class Example:
    """A training example: its text, label and entity annotations (dicts with start, end,
    entity, value and optionally role / group, as Rasa reads them)."""

    text: str
    intent: str
    entities: List[dict] = field(default_factory=list)


def _rng(seed: int, text: str, copy: int) -> random.Random:
    digest = hashlib.sha256(f"{seed}\x00{copy}\x00{text}".encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _free(entities: Sequence[dict], start: int, end: int) -> bool:
    """Whether text[start:end] may be replaced: it overlaps no entity (an insertion, start ==
    end, may sit at an entity's edge but not inside it)."""
    for e in entities:
        if start == end:
            if e["start"] < start < e["end"]:
                return False
        elif start < e["end"] and e["start"] < end:
            return False
    return True


def _replace(ex: Example, start: int, end: int, new: str) -> Example:
    """``ex`` with text[start:end] replaced by ``new``, the entities after it moved."""
    shift = len(new) - (end - start)
    entities = []
    for e in ex.entities:
        e = dict(e)
        if e["start"] >= end:
            e["start"] += shift
            e["end"] += shift
        entities.append(e)
    return Example(ex.text[:start] + new + ex.text[end:], ex.intent, entities)


def _positions(ex: Example, pattern: re.Pattern, width: int = 1) -> List[int]:
    return [m.start() for m in pattern.finditer(ex.text) if _free(ex.entities, m.start(), m.start() + width)]


def filler_before(ex: Example, rng: random.Random) -> Optional[Example]:
    return _replace(ex, 0, 0, rng.choice(FILLERS_BEFORE) + rng.choice(SEPARATORS))


def filler_after(ex: Example, rng: random.Random) -> Optional[Example]:
    return _replace(ex, len(ex.text), len(ex.text), rng.choice(FILLERS_AFTER))


def emoji(ex: Example, rng: random.Random) -> Optional[Example]:
    at = len(ex.text) if rng.random() < 0.7 else 0
    return _replace(ex, at, at, rng.choice(EMOJI))


def drop_character(ex: Example, rng: random.Random) -> Optional[Example]:
    spots = _positions(ex, _HAN)
    if len(spots) < 5:  # a short message has no character to spare
        return None
    at = rng.choice(spots)
    return _replace(ex, at, at + 1, "")


def double_character(ex: Example, rng: random.Random) -> Optional[Example]:
    spots = _positions(ex, _HAN)
    if not spots:
        return None
    at = rng.choice(spots)
    return _replace(ex, at, at, ex.text[at])


def homophone(ex: Example, rng: random.Random) -> Optional[Example]:
    spots = [i for i in _positions(ex, _HAN) if ex.text[i] in HOMOPHONES]
    if not spots:
        return None
    at = rng.choice(spots)
    return _replace(ex, at, at + 1, HOMOPHONES[ex.text[at]])


def strip_punctuation(ex: Example, rng: random.Random) -> Optional[Example]:
    spots = _positions(ex, _PUNCT)
    if not spots:
        return None
    for at in reversed(spots):
        ex = _replace(ex, at, at + 1, "")
    return ex


def other_digits(ex: Example, rng: random.Random) -> Optional[Example]:
    """Runs of 3+ digits (order numbers, phone digits) typed as other digits of the same
    length; inside an entity only when its value is its text (the value follows)."""
    runs = []
    for m in _DIGIT_RUN.finditer(ex.text):
        inside = [e for e in ex.entities if e["start"] < m.end() and m.start() < e["end"]]
        if all(e["start"] <= m.start() and m.end() <= e["end"]
               and e.get("value") == ex.text[e["start"]:e["end"]] for e in inside):
            runs.append(m)
    if not runs:
        return None
    m = rng.choice(runs)
    digits = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(len(m.group()) - 1))
    out = _replace(ex, m.start(), m.end(), digits)
    for e in out.entities:
        if e["start"] <= m.start() and m.end() <= e["end"]:
            e["value"] = out.text[e["start"]:e["end"]]
    return out


EDITS: Tuple[Callable[[Example, random.Random], Optional[Example]], ...] = (
    filler_before, filler_before, filler_after, filler_after, emoji, drop_character, double_character,
    homophone, homophone, strip_punctuation, other_digits,
)


def noisy_copies(ex: Example, copies: int = COPIES, seed: int = SEED) -> List[Example]:
    """Up to ``copies`` distinct noisy copies of ``ex`` (one or two edits each), same label."""
    out, seen = [], {ex.text}
    for copy in range(copies):
        rng = _rng(seed, ex.text, copy)
        noisy = ex
        for _ in range(rng.choice((1, 1, 2))):
            for _attempt in range(4):  # an edit that does not apply: draw another
                edited = rng.choice(EDITS)(noisy, rng)
                if edited is not None:
                    noisy = edited
                    break
        if noisy.text.strip() and noisy.text not in seen:
            seen.add(noisy.text)
            out.append(noisy)
    return out


def augment(examples: Iterable[Example], copies: int = COPIES, seed: int = SEED,
            intents: Iterable[str] = NOISED_INTENTS) -> List[Example]:
    """Noisy copies of the examples of ``intents``; texts already among the examples are left out."""
    examples = list(examples)
    known = {ex.text for ex in examples}
    wanted = set(intents)
    out = []
    for ex in examples:
        if ex.intent not in wanted:
            continue
        for noisy in noisy_copies(ex, copies, seed):
            if noisy.text not in known:
                known.add(noisy.text)
                out.append(noisy)
    return out


# --- the training file --------------------------------------------------------------------------

def source_files(data_dir: Path = DATA_DIR) -> List[Path]:
    """The hand-written and real training files (not the generated ones)."""
    return sorted(data_dir.glob("*.yml"))


def read_examples(paths: Iterable[Path]) -> List[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    out = []
    for path in paths:
        for msg in load_data(str(path)).intent_examples:
            entities = [{k: e[k] for k in ("start", "end", "entity", "value", "role", "group") if k in e}
                        for e in msg.get("entities") or []]
            out.append(Example(msg.get("text"), msg.get("intent"), entities))
    return out


def render(examples: Sequence[Example]) -> str:
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    messages = [Message(data={"text": ex.text, "intent": ex.intent, **({"entities": ex.entities} if ex.entities else {})})
                for ex in examples]
    header = ("# GENERATED by `python -m shop_nlu.augment` from data/nlu/*.yml (shop_nlu/augment.py):\n"
              "# noisy copies of the training examples, typed the way real shoppers type. Do not edit;\n"
              "# regenerate (scripts/train.sh does) after changing the training files.\n")
    return header + RasaYAMLWriter().dumps(TrainingData(training_examples=messages))


def build(check: bool = False, data_dir: Path = DATA_DIR, output: Path = OUTPUT) -> bool:
    """Write (or with ``check``, only compare) the generated file; True when it changed."""
    text = render(augment(read_examples(source_files(data_dir))))
    current = output.read_text(encoding="utf-8") if output.exists() else None
    if current == text:
        return False
    if not check:
        output.write_text(text, encoding="utf-8")
        logger.info("wrote %s", output)
    return True


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed file is stale")
    ap.add_argument("--if-changed", action="store_true", help="accepted for scripts/train.sh (always the behaviour)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    changed = build(check=args.check)
    if args.check and changed:
        print(f"{OUTPUT.relative_to(ROOT)} is stale: run python -m shop_nlu.augment", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
