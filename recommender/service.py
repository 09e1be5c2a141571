"""The API the chat actions call: always answers from the newest artifact.

``RecommenderService`` loads ``<root>/latest`` lazily and, at most every ``check_interval``
seconds, compares ``latest``'s mtime/size (one ``stat``); when it changed and names a new
version, that version is loaded and swapped in. A failed load keeps the current model (the
next check tries again), so a bad artifact never takes recommendations down.

Typical use in an action::

    from recommender.service import Filters, get_service

    svc = get_service()
    cards = svc.recommend(customer_id, filters=Filters(category="手机", max_price=2400))
    more = svc.recommend(customer_id, filters=..., exclude_ids=[c.product_id for c in cards])
    alike = svc.similar(product_id)
"""
from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

from recommender import artifact, serving
from recommender.model import RecommenderModel
from recommender.rules import Filters
from recommender.serving import Recommendation

__all__ = ["RecommenderService", "Recommendation", "Filters", "ModelUnavailable", "get_service"]

log = logging.getLogger(__name__)


class ModelUnavailable(RuntimeError):
    """No usable artifact: none trained yet, or the newest one is corrupt; the message says which
    (run ``python -m assistant.recommender_training``)."""


class RecommenderService:
    def __init__(self, root: Union[str, Path, None] = None, check_interval: float = 5.0,
                 model: Optional[RecommenderModel] = None):
        self.root = Path(root) if root is not None else artifact.default_root()
        self.check_interval = check_interval
        self._model = model
        self._stamp: Optional[tuple] = None
        self._checked_at = float("-inf") if model is None else time.monotonic()
        self._lock = threading.Lock()
        self._last_error: Optional[str] = None

    # --- model lifecycle -------------------------------------------------------------------

    @property
    def model(self) -> RecommenderModel:
        self.reload_if_newer()
        if self._model is None:
            problem = self._last_error or f"no recommender artifact under {self.root}"
            raise ModelUnavailable(f"{problem}; run `python -m assistant.recommender_training`")
        return self._model

    @property
    def version(self) -> Optional[str]:
        return self._model.version if self._model is not None else None

    def reload_if_newer(self, force: bool = False) -> bool:
        """Load the newest artifact if ``latest`` changed; True when a new model was swapped in."""
        now = time.monotonic()
        if not force and now - self._checked_at < self.check_interval:
            return False
        with self._lock:
            if not force and now - self._checked_at < self.check_interval:
                return False
            self._checked_at = now
            try:
                st = os.stat(self.root / artifact.LATEST)
            except FileNotFoundError:
                return False
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
            if stamp == self._stamp and self._model is not None:
                return False
            try:
                path = artifact.latest_version(self.root)
            except (OSError, ValueError) as error:   # unreadable, or not text
                return self._failed(f"could not read {self.root / artifact.LATEST}: {error}")
            if path is None:
                # ``latest`` is there but names nothing loadable: a corrupt artifact, not a
                # missing one, and the log should say so.
                return self._failed(f"{self.root / artifact.LATEST} names no artifact version under {self.root}")
            if self._model is not None and path.name == self._model.version:
                self._stamp = stamp
                return False
            try:
                model = artifact.load(path)
            except Exception as error:   # keep serving the old model; retry at the next check
                log.exception("could not load recommender artifact %s", path)
                self._last_error = f"could not load {path}: {error}"
                return False
            self._model, self._stamp, self._last_error = model, stamp, None
            log.info("recommender model %s loaded", path.name)
            return True

    def _failed(self, problem: str) -> bool:
        """Keep the current model; remember why for ``ModelUnavailable``; log each new cause once
        (the check repeats every ``check_interval``)."""
        if problem != self._last_error:
            log.error("recommender artifact unusable: %s", problem)
        self._last_error = problem
        return False

    # --- the calls ----------------------------------------------------------------------

    def recommend(self, customer_id=None, *, filters: Optional[Filters] = None, exclude_ids: Iterable = (),
                  recent: Sequence = (), limit: int = 10, mix: Optional[dict] = None) -> list[Recommendation]:
        """Personalised when the customer has history, popular in-stock items otherwise.

        ``filters``: category / price range / brand / attributes (see ``Filters``);
        ``exclude_ids``: product ids already shown (paging: "还有别的吗");
        ``recent``: this conversation's events, product ids or ``(product_id, kind)``.
        """
        return serving.recommend(self.model, customer_id, filters=filters, exclude_ids=exclude_ids,
                                 recent=recent, limit=limit, mix=mix)

    def similar(self, product_id, *, filters: Optional[Filters] = None, exclude_ids: Iterable = (),
                limit: int = 10) -> list[Recommendation]:
        """Items like ``product_id`` in the same category ("类似这款的"); [] if unknown."""
        return serving.similar(self.model, product_id, filters=filters, exclude_ids=exclude_ids, limit=limit)


_default: Optional[RecommenderService] = None
_default_lock = threading.Lock()


def use_model_dir(root: Union[str, Path]) -> None:
    """Point the process-wide service at ``root`` (the action server's settings, at start-up)."""
    global _default
    with _default_lock:
        _default = RecommenderService(root)


def get_service() -> RecommenderService:
    """Process-wide service: on the root given to ``use_model_dir``, else models/recommender."""
    global _default
    with _default_lock:
        if _default is None:
            _default = RecommenderService()
        return _default
