"""The human desk's hours, who counts as on duty, and how long a waiting shopper should
expect to wait (pure rules)."""
from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from typing import Optional

from shop.domain.clock import CHINA_TZ, require_aware

# An agent's average time per conversation, the basis of the rough wait a shopper is told.
MINUTES_PER_CONVERSATION = 4

# The human desk's hours, China time. The hand-off replies, the queue answer and
# content/faq.yml (service_hours) all say them; a shopper is never promised a quick answer
# outside them.
DESK_OPENS = time(9, 0)
DESK_CLOSES = time(22, 0)
DESK_HOURS_TEXT = "9:00-22:00"

# An agent counts as on duty while their console was used this recently. The desk page asks
# the server every few seconds, so an agent with it open is always inside the window; one who
# closed the laptop drops out after this, not after the whole 8-hour console session (which
# told shoppers "about 4 minutes" with nobody there).
ON_DUTY_WINDOW = timedelta(minutes=5)


def desk_is_open(now: datetime) -> bool:
    """Whether ``now`` falls inside the desk's hours (China time)."""
    local = require_aware(now).astimezone(CHINA_TZ).time()
    return DESK_OPENS <= local < DESK_CLOSES


def estimated_wait_minutes(position: int, agents_on_duty: int) -> Optional[int]:
    """Rough wait for the shopper at ``position`` (1 = next) with this many agents on duty:
    the shoppers ahead share the agents; never less than a minute. None when no agent is on
    duty: there is no honest estimate then."""
    if position < 1:
        raise ValueError("position starts at 1")
    if agents_on_duty < 1:
        return None
    return max(1, math.ceil(position * MINUTES_PER_CONVERSATION / agents_on_duty))
