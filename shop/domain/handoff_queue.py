"""The human desk's hours, who counts as on duty, the order of its queue and how long a
waiting shopper should expect to wait (pure rules)."""
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
#
# The desk may run past midnight ("20:00-2:00": open from 20:00 until 2:00 the next morning)
# or round the clock ("0:00-24:00"); "24:00" is only a closing time. ``closes == opens`` is
# how round the clock is held (``time`` has no 24:00); the parser accepts it only as
# "0:00-24:00", so "9:00-9:00" (a typo, most likely) is refused at start-up.
@dataclass(frozen=True)
class DeskHours:
    opens: time
    closes: time     # time(0) with a later ``opens``: closes at midnight ("…-24:00")

    @property
    def round_the_clock(self) -> bool:
        return self.opens == self.closes

    @property
    def past_midnight(self) -> bool:
        """Closes on the next calendar day (closing at midnight itself is not "past")."""
        return self.closes < self.opens and self.closes != time(0)

    @property
    def text(self) -> str:
        """As shoppers read it after "每天": "9:00-22:00", "20:00-次日2:00", "0:00-24:00"."""
        closes = "24:00" if self.closes == time(0) else _clock(self.closes)
        return f"{_clock(self.opens)}-{'次日' if self.past_midnight else ''}{closes}"

    def is_open(self, now: datetime) -> bool:
        """Whether ``now`` falls inside the hours (China time)."""
        local = require_aware(now).astimezone(CHINA_TZ).time()
        if self.round_the_clock:
            return True
        if self.opens < self.closes:
            return self.opens <= local < self.closes
        return local >= self.opens or local < self.closes      # runs past midnight


def _clock(moment: time) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


DEFAULT_DESK_HOURS = DeskHours(time(9, 0), time(22, 0))
_HOURS = re.compile(r"\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*")


def parse_desk_hours(raw: str) -> DeskHours:
    """"9:00-22:00", "20:00-2:00" (past midnight), "0:00-24:00" (round the clock): China
    time; ValueError with the reason otherwise."""
    match = _HOURS.fullmatch(raw or "")
    if not match:
        raise ValueError(f"not H:MM-H:MM: {raw!r}")
    open_h, open_m, close_h, close_m = (int(part) for part in match.groups())
    if open_h > 23 or open_m > 59 or close_m > 59 or close_h > 24 or (close_h == 24 and close_m):
        raise ValueError(f"not a time of day (24:00 only as the closing time): {raw!r}")
    opens, closes = time(open_h, open_m), time(close_h % 24, close_m)
    if opens == closes and not (close_h == 24 and opens == time(0)):
        raise ValueError(f"opens and closes at the same time (round the clock is 0:00-24:00): {raw!r}")
    return DeskHours(opens, closes)


# An agent counts as on duty while their console was used this recently. The desk page asks
# the server every few seconds, so an agent with it open is always inside the window; one who
# closed the laptop drops out after this, not after the whole 8-hour console session (which
# told shoppers "about 4 minutes" with nobody there).
ON_DUTY_WINDOW = timedelta(minutes=5)
# Every signed-in console page (analytics, experiments, … not only the desk) says "still here"
# this often (console/static/presence.js), so reading a report does not cost an agent their
# conversations; closing every console page stops it, and the window runs out as before.
PRESENCE_HEARTBEAT = ON_DUTY_WINDOW / 5


def estimated_wait_minutes(position: int, agents_on_duty: int) -> Optional[int]:
    """Rough wait for the shopper at ``position`` (1 = next) with this many agents on duty:
    the shoppers ahead share the agents; never less than a minute. None when no agent is on
    duty: there is no honest estimate then."""
    if position < 1:
        raise ValueError("position starts at 1")
    if agents_on_duty < 1:
        return None
    return max(1, math.ceil(position * MINUTES_PER_CONVERSATION / agents_on_duty))



# The order of the desk's queue. Waiting time first — the shopper who asked for a person
# earliest is served first — but some shoppers must not be pushed behind newcomers: each
# reason below gives a ticket a head start, as if the shopper had asked that many minutes
# earlier. So an angry shopper passes those who came in up to 10 minutes after them, never
# someone who has waited longer than that (nobody waits forever), and a ticket's place needs
# no clock: it ranks by (hand-off time − head start), then hand-off time, then id. One rule
# for the console's queue and the place a waiting shopper is told (``shop.db.handoff_desk``).
@dataclass(frozen=True)
class QueueReason:
    key: str
    label: str             # what the queue shows beside the ticket (why it sits there)
    head_start: timedelta


QUEUE_REASONS = (
    # They said so ("人呢？垃圾服务😡"), before or after asking for a person (shop.domain.mood).
    QueueReason("angry", "顾客情绪激动", timedelta(minutes=10)),
    # An agent already had them and they are back in the queue (handed back, an agent left,
    # transferred to the queue): they have been served once and are still not helped.
    QueueReason("returned", "已接待过又退回排队", timedelta(minutes=10)),
    # A return or refund of theirs is under way: usually what they ask about, and urgent to them.
    QueueReason("after_sales", "有进行中的售后", timedelta(minutes=5)),
    # A ticket of theirs was closed by the desk in the last REPEAT_WINDOW: it came back.
    QueueReason("repeat", "24 小时内再次转人工", timedelta(minutes=5)),
)
REPEAT_WINDOW = timedelta(hours=24)
_REASONS = {reason.key: reason for reason in QUEUE_REASONS}


def queue_reasons(keys) -> tuple[QueueReason, ...]:
    """The reasons by key, in QUEUE_REASONS' order (unknown keys are a programming error)."""
    wanted = set(keys)
    unknown = wanted - _REASONS.keys()
    if unknown:
        raise ValueError(f"unknown queue reasons: {sorted(unknown)}")
    return tuple(reason for reason in QUEUE_REASONS if reason.key in wanted)


def head_start(reasons) -> timedelta:
    return sum((reason.head_start for reason in reasons), timedelta())


def queue_rank(asked_at: datetime, ticket_id: int, reasons) -> tuple:
    """Sort key of a waiting ticket: smaller is served first."""
    return require_aware(asked_at) - head_start(reasons), asked_at, ticket_id


# Published by the Rasa server's hand-off gate (shop_channels/handoff_gate.py) when a shopper
# cancels a waiting ticket ("取消人工"): the cancel never reaches Rasa's dialogue, so it is not
# in the conversation's own events, but it goes through the same event broker, so the
# analytics tables (analytics/store.py) know it and their ``handed_off`` means what the
# dashboard shows. Defined here, below both, as the one contract of publisher and reader.
HANDOFF_CANCELLED = "handoff_cancelled"


def handoff_cancelled_event(conversation_id: str, ticket_no: str, timestamp: float) -> dict:
    """The event as the broker publishes it (the Rasa conversation id as ``sender_id``, like
    Rasa's own events; a POSIX timestamp)."""
    return {"event": HANDOFF_CANCELLED, "sender_id": conversation_id, "timestamp": float(timestamp),
            "ticket_no": ticket_no}
