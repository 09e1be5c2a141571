"""The training files under ``data/nlu/``: what they already hold, and adding examples.

Examples are appended as a new ``- intent: X`` block at the end of the intent's file, under
a YAML comment that says they came from the improvement loop and when — Rasa merges blocks of
one intent, the file keeps its layout, and a batch is easy to find and to undo. The text is
the shopper's own (whitespace collapsed), with the entity annotations the NLU's extractor
finds (as ``bench/nlu_annotate.py`` proposes them), so the training data's annotations stay
consistent; ``--no-annotate`` writes plain text.

Nothing is written unless every changed file, loaded back with Rasa's own reader, holds
exactly its old examples plus the new ones; then each file is replaced atomically.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from rasa.shared.nlu.training_data.entities_parser import parse_training_example
from rasa.shared.nlu.training_data.loading import load_data

from shop_nlu.improve.grouping import text_key

MAX_EXAMPLE_LENGTH = 300
NEW_FILE_HEADER = 'version: "3.1"\nnlu:\n'
_ITEM_INDENT = re.compile(r"^( *)- intent:", re.MULTILINE)


class TrainingFileError(Exception):
    """A training file cannot be changed safely (message meant for the operator)."""


def annotate(text: str, entities) -> str:
    """``text`` in Rasa's example syntax with ``entities`` (objects with entity, value, start,
    end) marked: ``[piece](entity)``, ``[piece](entity:value)`` or the JSON form when the value
    has syntax characters or several entities share the span."""
    by_span: Dict[Tuple[int, int], List] = defaultdict(list)
    for ent in entities:
        by_span[(ent.start, ent.end)].append(ent)
    out, pos = [], 0
    for (start, end) in sorted(by_span):
        group = by_span[(start, end)]
        piece = text[start:end]
        out.append(text[pos:start])
        if len(group) == 1:
            ent = group[0]
            if ent.value == piece:
                out.append(f"[{piece}]({ent.entity})")
            elif all(c not in ent.value for c in "():[]{}"):
                out.append(f"[{piece}]({ent.entity}:{ent.value})")
            else:
                out.append(f"[{piece}]" + json.dumps({"entity": ent.entity, "value": ent.value},
                                                      ensure_ascii=False))
        else:
            dicts = [{"entity": e.entity, "value": e.value} for e in group]
            out.append(f"[{piece}]" + json.dumps(dicts, ensure_ascii=False))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def clean_text(text: str) -> str:
    """One line, single spaces, no control characters (YAML and Rasa's reader need that)."""
    text = "".join(ch for ch in str(text) if unicodedata.category(ch) != "Cc" or ch.isspace())
    return " ".join(text.split())


def _plain(example: str, intent: str) -> Optional[str]:
    try:
        return parse_training_example(example, intent).get("text")
    except Exception:  # malformed annotation syntax: not this example's plain text
        return None


@dataclass
class Plan:
    """What an apply would write, and what it leaves out and why."""

    additions: Dict[str, List[Tuple[str, str]]] = field(default_factory=dict)  # intent → (text, example)
    duplicates: List[Tuple[str, str, str]] = field(default_factory=list)       # text, wanted, existing
    rejected: List[Tuple[str, str, str]] = field(default_factory=list)         # text, intent, why

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.additions.values())


class TrainingFiles:
    def __init__(self, data_dir: Path, finder=None) -> None:
        self.data_dir = Path(data_dir)
        self.finder = finder
        self._examples: Optional[List[Tuple[str, str, Path]]] = None

    def files(self) -> List[Path]:
        """The NLU files of the directory (generated/ and vocab/ are not training examples)."""
        return sorted(p for p in self.data_dir.glob("*.yml") if p.is_file())

    def _load(self) -> List[Tuple[str, str, Path]]:
        if self._examples is None:
            self._examples = [(intent, text, path) for path in self.files()
                              for (intent, text) in _examples(path)]
        return self._examples

    def known(self) -> Dict[str, str]:
        """Every existing example's key → its intent."""
        known: Dict[str, str] = {}
        for intent, text, _ in self._load():
            known.setdefault(text_key(text), intent)
        return known

    def texts(self) -> List[str]:
        return [text for (_, text, _) in self._load()]

    def path_for(self, intent: str) -> Path:
        """``<intent>.yml``, else the file that already holds the intent, else a new file."""
        conventional = self.data_dir / f"{intent}.yml"
        if conventional.exists():
            return conventional
        holding = [path for (name, _, path) in self._load() if name == intent]
        return holding[0] if holding else conventional

    def render(self, text: str, intent: str) -> str:
        if self.finder is not None:
            example = annotate(text, self.finder.find(text, intent=intent))
            if _plain(example, intent) == text:
                return example
        return text

    def plan(self, decisions: Iterable[Tuple[str, str]]) -> Plan:
        """``decisions``: (text, intent) pairs the operator chose."""
        plan = Plan()
        known = dict(self.known())
        for raw, intent in decisions:
            text = clean_text(raw)
            why = _unusable(text)
            if why is None:
                example = self.render(text, intent)
                if _plain(example, intent) != text:
                    why = "Rasa would read it as different text (it looks like entity markup)"
            if why is not None:
                plan.rejected.append((text, intent, why))
                continue
            key = text_key(text)
            if key in known:
                plan.duplicates.append((text, intent, known[key]))
                continue
            known[key] = intent
            plan.additions.setdefault(intent, []).append((text, example))
        return plan

    def write(self, plan: Plan, when: datetime) -> Dict[str, Path]:
        """Append the plan's examples; all files are checked before any is replaced."""
        staged: List[Tuple[Path, str]] = []
        for intent, rows in sorted(plan.additions.items()):
            path = self.path_for(intent)
            old = path.read_text(encoding="utf-8") if path.exists() else NEW_FILE_HEADER
            new = _appended(old, intent, [example for (_, example) in rows], when, path)
            _check(path, old, new, intent, [text for (text, _) in rows])
            staged.append((path, new))
        written = {}
        for path, content in staged:
            _replace(path, content)
            written[path.stem] = path
        self._examples = None
        return written


def _unusable(text: str) -> Optional[str]:
    if not text:
        return "empty"
    if text.startswith("/"):
        return "starts with '/', which Rasa reads as an intent payload"
    if len(text) > MAX_EXAMPLE_LENGTH:
        return f"longer than {MAX_EXAMPLE_LENGTH} characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "not valid text"
    return None


def _examples(path: Path) -> List[Tuple[str, str]]:
    """(intent, plain text) of every example in one file, read by Rasa."""
    data = load_data(str(path))
    return [(m.get("intent"), m.get("text")) for m in data.intent_examples]


def _provenance(count: int, when: datetime) -> str:
    what = "message" if count == 1 else "messages"
    return (f"# From the NLU improvement loop (python -m shop_nlu.improve), "
            f"{when.strftime('%Y-%m-%d %H:%M')}: {count} shoppers' {what}, "
            f"intent chosen by the operator.\n")


def _appended(old: str, intent: str, examples: Sequence[str], when: datetime, path: Path) -> str:
    from rasa.shared.utils.io import read_yaml

    try:
        content = read_yaml(old) if old.strip() else None
    except Exception as error:
        raise TrainingFileError(f"{path} is not valid YAML now ({error}); fix it first") from error
    if not isinstance(content, dict) or list(content)[-1] != "nlu" or not isinstance(content["nlu"], (list, type(None))):
        raise TrainingFileError(f"{path}: the 'nlu:' list is not the end of the file; add the "
                                "examples by hand")
    match = _ITEM_INDENT.search(old)
    indent = match.group(1) if match else ""
    lines = [_provenance(len(examples), when),
             f"{indent}- intent: {intent}\n",
             f"{indent}  examples: |\n"]
    lines += [f"{indent}    - {example}\n" for example in examples]
    return old.rstrip("\n") + "\n" + "".join(lines)


def _check(path: Path, old: str, new: str, intent: str, texts: Sequence[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        before_file, after_file = Path(tmp) / "before.yml", Path(tmp) / "after.yml"
        before_file.write_text(old, encoding="utf-8")
        after_file.write_text(new, encoding="utf-8")
        before = _examples(before_file) if old.strip() != NEW_FILE_HEADER.strip() else []
        try:
            after = _examples(after_file)
        except Exception as error:
            raise TrainingFileError(f"{path}: the result would not load ({error}); nothing written") from error
    expected = before + [(intent, text) for text in texts]
    if sorted(after) != sorted(expected):
        raise TrainingFileError(f"{path}: the result would not hold exactly the old examples plus "
                                "the new ones; nothing written")


def _replace(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temporary name does not end in .yml, so a crash never leaves a training file behind.
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(content)
        if path.exists():
            shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
