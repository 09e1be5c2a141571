"""快捷回复: the agents' canned replies, from ``content/canned_replies.yml``
(``CONSOLE_CANNED_REPLIES_PATH``). Operators edit the file; the console re-reads it when its
modification time changes, and a broken edit keeps the last good list (logged), so a typo
never takes the desk's page down."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import yaml

from shop.db.handoff_desk import MAX_MESSAGE
from shop.settings import REPO_ROOT

logger = logging.getLogger("console.canned_replies")

DEFAULT_PATH = REPO_ROOT / "content" / "canned_replies.yml"
MAX_REPLIES = 30
MAX_TITLE = 20


@dataclass(frozen=True)
class CannedReply:
    title: str
    text: str


def parse(document: object) -> list[CannedReply]:
    """The replies of a loaded YAML document; ValueError (in words) when it is not usable."""
    entries = document.get("replies") if isinstance(document, dict) else None
    if not isinstance(entries, list) or len(entries) > MAX_REPLIES:
        raise ValueError(f"'replies' must be a list of at most {MAX_REPLIES} replies")
    replies = []
    for number, entry in enumerate(entries, 1):
        title = entry.get("title") if isinstance(entry, dict) else None
        text = entry.get("text") if isinstance(entry, dict) else None
        if not isinstance(title, str) or not 0 < len(title.strip()) <= MAX_TITLE:
            raise ValueError(f"reply {number}: 'title' must be 1 to {MAX_TITLE} characters")
        if not isinstance(text, str) or not 0 < len(text.strip()) <= MAX_MESSAGE:
            raise ValueError(f"reply {number}: 'text' must be 1 to {MAX_MESSAGE} characters")
        replies.append(CannedReply(title.strip(), text.strip()))
    return replies


class CannedReplies:
    """The file's replies, re-read when it changes; thread-safe (pages read it off the loop)."""

    def __init__(self, path: Path = DEFAULT_PATH) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._mtime: Optional[float] = None
        self._replies: list[CannedReply] = []

    def replies(self) -> list[CannedReply]:
        with self._lock:
            try:
                mtime = self.path.stat().st_mtime
            except OSError:
                if self._mtime is not None:
                    logger.warning("canned replies file %s is gone; keeping the last good list", self.path)
                    self._mtime = -1.0
                return list(self._replies)
            if mtime != self._mtime:
                self._mtime = mtime
                try:
                    with self.path.open(encoding="utf-8") as handle:
                        self._replies = parse(yaml.safe_load(handle))
                except (OSError, yaml.YAMLError, ValueError) as error:
                    logger.error("canned replies file %s not used (the last good list stays): %s", self.path, error)
            return list(self._replies)
