"""Policy answers from ``content/faq.yml``, re-read when the file changes.

Operators edit the YAML; the action server picks the change up on the next question
(a cheap mtime check), so no code change, retraining or restart is needed.
"""
from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Tuple

import yaml

from shop.settings import REPO_ROOT

logger = logging.getLogger(__name__)

DEFAULT_FAQ_PATH = REPO_ROOT / "content" / "faq.yml"


@dataclass(frozen=True)
class PolicyAnswer:
    topic: str
    title: str
    answers: Tuple[str, ...]

    def pick(self, rng: Optional[random.Random] = None) -> str:
        return (rng or random).choice(self.answers)


class FaqBook:
    def __init__(self, path: Optional[Path] = None) -> None:
        self.path = Path(path or DEFAULT_FAQ_PATH)
        self._lock = threading.Lock()
        self._mtime: Optional[float] = None
        self._answers: Dict[str, PolicyAnswer] = {}

    def _load(self) -> Dict[str, PolicyAnswer]:
        with open(self.path, encoding="utf-8") as handle:
            document = yaml.safe_load(handle) or {}
        answers: Dict[str, PolicyAnswer] = {}
        for topic, entry in (document.get("topics") or {}).items():
            raw = entry.get("answer") if isinstance(entry, dict) else None
            texts = [raw] if isinstance(raw, str) else list(raw or [])
            texts = tuple(t.strip() for t in texts if isinstance(t, str) and t.strip())
            if not texts:
                logger.warning("faq topic %r in %s has no answer; ignored", topic, self.path)
                continue
            answers[str(topic)] = PolicyAnswer(str(topic), str(entry.get("title") or topic), texts)
        return answers

    def _fresh(self) -> Dict[str, PolicyAnswer]:
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            logger.error("faq file %s is missing; keeping the answers already loaded", self.path)
            return self._answers
        with self._lock:
            if mtime != self._mtime:
                try:
                    self._answers = self._load()
                    self._mtime = mtime
                except (OSError, yaml.YAMLError, AttributeError) as error:
                    # A half-saved or broken edit must not take answers away from shoppers.
                    logger.error("could not read %s (%s); keeping the previous answers", self.path, error)
            return self._answers

    def answer(self, topic: str) -> Optional[PolicyAnswer]:
        return self._fresh().get(topic)

    def topics(self) -> Dict[str, PolicyAnswer]:
        return dict(self._fresh())


_default_book: Optional[FaqBook] = None


def use_faq_file(path: Path) -> None:
    """The process's answers file (the action server's ``SHOP_FAQ_PATH``, at start-up)."""
    global _default_book
    _default_book = FaqBook(path)


def faq_book() -> FaqBook:
    global _default_book
    if _default_book is None:
        _default_book = FaqBook()
    return _default_book
