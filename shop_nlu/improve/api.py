"""The improvement loop as Python calls, for the operator console (the command, ``cli``,
does the same from the terminal): the grouped listing of messages not understood, the
intents an operator may choose, and applying their choices to ``data/nlu/<intent>.yml``.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple

from shop_nlu.improve import conversations, grouping, review
from shop_nlu.improve.training_files import TrainingFiles
from shop_nlu.resources import REPO_ROOT

DOMAIN = REPO_ROOT / "domain.yml"
DATA_DIR = REPO_ROOT / "data" / "nlu"


@lru_cache(maxsize=4)
def _domain(path: str):
    from rasa.shared.core.domain import Domain

    return Domain.load(path)


@lru_cache(maxsize=1)
def _finder():
    from shop_nlu.pipeline import ShopEntityFinder

    return ShopEntityFinder.from_files()


def intents(domain_path: Path = DOMAIN, data_dir: Path = DATA_DIR) -> List[str]:
    """The intents an operator can assign (the domain's, less Rasa's built-in ones unless trained)."""
    from rasa.shared.core.constants import DEFAULT_INTENTS

    trained = set(TrainingFiles(data_dir).known().values())
    return [intent for intent in _domain(str(domain_path)).intents
            if intent != "nlu_fallback" and (intent not in DEFAULT_INTENTS or intent in trained)]


def listing(endpoints: Path, domain_path: Path = DOMAIN, data_dir: Path = DATA_DIR, *,
            since: Optional[float] = None, until: Optional[float] = None,
            min_confidence: float = conversations.DEFAULT_MIN_CONFIDENCE,
            similarity: float = grouping.DEFAULT_SIMILARITY, limit: Optional[int] = None) -> dict:
    """The ``--json`` listing: groups of similar messages the assistant did not understand.
    ``endpoints``: the Rasa server's endpoints file (the caller's settings: ``RASA_ENDPOINTS``)."""
    files = TrainingFiles(data_dir)
    reading = conversations.read_candidates(endpoints, _domain(str(domain_path)),
                                            since=since, until=until, min_confidence=min_confidence)
    candidates = reading.candidates if limit is None else reading.candidates[-limit:] if limit > 0 else []
    groups = grouping.group_candidates(candidates, similarity, background=files.texts())
    summary = {"store": reading.store, "conversations_read": reading.conversations_read,
               "user_messages_in_range": reading.user_messages_in_range, "messages_listed": len(candidates),
               "similarity": similarity, "min_confidence": min_confidence,
               "created": datetime.now().isoformat(timespec="seconds")}
    return review.listing(groups, files.known(), summary)


def apply(decisions: Iterable[Tuple[str, str]], allowed: Sequence[str], data_dir: Path = DATA_DIR,
          annotate: bool = True, when: Optional[datetime] = None) -> dict:
    """Append the (text, intent) decisions to the training files; what was added, what was
    left out (duplicates, unusable text) and why. Raises ReviewError for an unknown intent
    (nothing written)."""
    decisions = list(decisions)
    unknown = sorted({intent for _, intent in decisions if intent not in allowed})
    if unknown:
        raise review.ReviewError(f"unknown intent(s): {', '.join(unknown)}")
    files = TrainingFiles(data_dir, _finder() if annotate else None)
    plan = files.plan(decisions)
    if plan.count:
        files.write(plan, when or datetime.now())
    return review.plan_dict(plan, files.path_for, written=bool(plan.count))
