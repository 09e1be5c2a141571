"""shop.domain.desk_silence: a shopper silent since the agent's answer, for a while."""
from datetime import datetime, timedelta, timezone

from shop.domain.desk_silence import QUIET_AFTER, quiet_for, unanswered_since

T = datetime(2026, 12, 8, 10, 0, tzinfo=timezone.utc)


def _at(minutes: int) -> datetime:
    return T + timedelta(minutes=minutes)


def test_silence_counts_from_the_agents_first_unanswered_reply():
    lines = [("shopper", _at(0)), ("system", _at(1)), ("agent", _at(2)), ("agent", _at(5))]
    assert unanswered_since(lines) == _at(2)
    assert quiet_for(lines, _at(2) + QUIET_AFTER) == QUIET_AFTER
    assert quiet_for(lines, _at(11)) is None                     # 9 minutes: still a live conversation


def test_a_shopper_who_wrote_last_or_an_agent_who_never_answered_is_not_silence():
    assert unanswered_since([("agent", _at(0)), ("shopper", _at(3))]) is None
    assert quiet_for([("shopper", _at(0)), ("system", _at(1))], _at(60)) is None    # the agent owes an answer
    assert quiet_for([], _at(60)) is None
