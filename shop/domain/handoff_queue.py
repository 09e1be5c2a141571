"""The human desk's hours, who counts as on duty, and how long a waiting shopper should
expect to wait (pure rules)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Optional

from shop.domain.clock import CHINA_TZ, require_aware

# An agent's average time per conversation, the basis of the rough wait a shopper is told.
MINUTES_PER_CONVERSATION = 4

# The human desk's hours, China time: a setting (SHOP_DESK_HOURS, read at start-up by the
# action server and the Rasa server, ``shop.settings.desk_hours_setting``), passed down as one
# ``DeskHours``. The hand-off replies, the queue answer and content/faq.yml ({desk_hours} in
# service_hours and contact) all say it; a shopper is never promised a quick answer outside it.
@dataclass(frozen=True)
class DeskHours:
    opens: time
    closes: time

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ValueError("the desk must open before it closes (the same day)")

    @property
    def text(self) -> str:
        """As shoppers read it: "9:00-22:00"."""
        return f"{self.opens.hour}:{self.opens.minute:02d}-{self.closes.hour}:{self.closes.minute:02d}"

    def is_open(self, now: datetime) -> bool:
        """Whether ``now`` falls inside the hours (China time)."""
        local = require_aware(now).astimezone(CHINA_TZ).time()
        return self.opens <= local < self.closes


DEFAULT_DESK_HOURS = DeskHours(time(9, 0), time(22, 0))
_HOURS = re.compile(r"\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*")


def parse_desk_hours(raw: str) -> DeskHours:
    """"9:00-22:00": China time, opening before closing on the same day (a desk open past
    midnight is not supported); ValueError otherwise."""
    match = _HOURS.fullmatch(raw or "")
    if not match:
        raise ValueError(f"not H:MM-H:MM: {raw!r}")
    open_h, open_m, close_h, close_m = (int(part) for part in match.groups())
    if open_h > 23 or close_h > 23 or open_m > 59 or close_m > 59:
        raise ValueError(f"not a time of day: {raw!r}")
    return DeskHours(time(open_h, open_m), time(close_h, close_m))


# An agent counts as on duty while their console was used this recently. The desk page asks
# the server every few seconds, so an agent with it open is always inside the window; one who
# closed the laptop drops out after this, not after the whole 8-hour console session (which
# told shoppers "about 4 minutes" with nobody there).
ON_DUTY_WINDOW = timedelta(minutes=5)


def estimated_wait_minutes(position: int, agents_on_duty: int) -> Optional[int]:
    """Rough wait for the shopper at ``position`` (1 = next) with this many agents on duty:
    the shoppers ahead share the agents; never less than a minute. None when no agent is on
    duty: there is no honest estimate then."""
    if position < 1:
        raise ValueError("position starts at 1")
    if agents_on_duty < 1:
        return None
    return max(1, math.ceil(position * MINUTES_PER_CONVERSATION / agents_on_duty))
