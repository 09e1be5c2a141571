"""When a shopper the desk is serving has probably left: the agent answered and the shopper
has written nothing since, for a while. The widget does not tell anyone a shopper closed the
tab (and a REST client cannot), so silence after the agent's answer is the only sign — the
ticket says so, with how long, and the agent decides (顾客未回复 closes it)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable, Optional, Tuple

# Long enough for a shopper to look up an order number, short enough that an agent with
# several conversations does not keep one open for nobody.
QUIET_AFTER = timedelta(minutes=10)


def unanswered_since(lines: Iterable[Tuple[str, datetime]]) -> Optional[datetime]:
    """The time of the agent's last reply when the shopper has written nothing after it
    (``lines``: (author, time) in order; system notices do not count), else None."""
    since = None
    for author, at in lines:
        if author == "agent":
            since = since or at
        elif author == "shopper":
            since = None
    return since


def quiet_for(lines: Iterable[Tuple[str, datetime]], now: datetime) -> Optional[timedelta]:
    """How long the shopper has been silent since the agent's first unanswered reply, when it
    is at least ``QUIET_AFTER``; None while the conversation is live (or the shopper wrote last)."""
    since = unanswered_since(lines)
    if since is None or now - since < QUIET_AFTER:
        return None
    return now - since
