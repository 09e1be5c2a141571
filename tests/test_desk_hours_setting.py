"""SHOP_DESK_HOURS, the human desk's hours: one setting, read at start-up by the action
server and the Rasa server, and the one source of what the hand-off replies, the queue answer
and content/faq.yml ({desk_hours}) say — no second copy of "9:00-22:00" to fall out of step."""
from __future__ import annotations

import re
from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from shop.domain.handoff_queue import DEFAULT_DESK_HOURS, DeskHours
from shop.settings import REPO_ROOT, ConfigError, desk_hours_setting

SECRET = "s" * 40


def test_the_setting_and_its_default():
    assert desk_hours_setting({}) == DEFAULT_DESK_HOURS
    assert desk_hours_setting({"SHOP_DESK_HOURS": "8:00-20:30"}) == DeskHours(time(8), time(20, 30))
    assert desk_hours_setting({"SHOP_DESK_HOURS": "22:00-9:00"}) == DeskHours(time(22), time(9))


CHINA = ZoneInfo("Asia/Shanghai")


def _at(hour: int, minute: int = 0, day: int = 7) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=CHINA)


def test_hours_past_midnight():
    hours = desk_hours_setting({"SHOP_DESK_HOURS": "20:00-2:00"})
    assert hours.text == "20:00-次日2:00"
    assert [hours.is_open(_at(h, m)) for h, m in ((19, 59), (20, 0), (23, 59), (0, 0), (1, 59), (2, 0), (12, 0))] \
        == [False, True, True, True, True, False, False]
    # Judged in China time whatever zone the clock is read in.
    assert hours.is_open(_at(1, 30).astimezone(timezone.utc))


def test_closing_at_midnight_and_round_the_clock():
    evening = desk_hours_setting({"SHOP_DESK_HOURS": "18:00-24:00"})
    assert evening.text == "18:00-24:00"
    assert evening.is_open(_at(23, 59)) and not evening.is_open(_at(0, 0)) and not evening.is_open(_at(17, 59))
    always = desk_hours_setting({"SHOP_DESK_HOURS": "00:00-24:00"})
    assert always.text == "0:00-24:00" and always.round_the_clock
    assert all(always.is_open(_at(h, m)) for h in range(24) for m in (0, 59))


@pytest.mark.parametrize("raw", ["9:00-9:00", "24:00-2:00", "9:00-24:30", "25:00-3:00", "9:60-18:00",
                                 "9:00-18:60", "9-18", "nine to six", "9:00-", "-9:00 18:00"])
def test_nonsense_stops_start_up_with_a_clear_error(raw):
    with pytest.raises(ConfigError, match=r"SHOP_DESK_HOURS must be .*0:00-24:00 \(round the clock\)"):
        desk_hours_setting({"SHOP_DESK_HOURS": raw})


def test_the_servers_read_it():
    from actions.settings import load_settings as action_settings
    from shop_channels.settings import load_settings as channel_settings
    from shop_site.config import load_settings as site_settings

    env = {"ACTION_SERVER_SECRET": SECRET, "SHOP_DESK_HOURS": "10:00-18:00"}
    assert action_settings(env).desk_hours.text == "10:00-18:00"
    assert channel_settings(env).desk_hours.text == "10:00-18:00"
    assert site_settings(env).desk_hours.text == "10:00-18:00"      # the demo page's 服务时间 card
    with pytest.raises(ConfigError, match="SHOP_DESK_HOURS"):
        action_settings({"ACTION_SERVER_SECRET": SECRET, "SHOP_DESK_HOURS": "soon"})


def test_the_faq_says_the_configured_hours(tmp_path, monkeypatch):
    """The action server passes the setting down at start-up; service_hours and contact say it."""
    from actions import support
    from actions.settings import load_settings
    from assistant.faq import faq_book

    for name in ("assistant.faq._default_book", "actions.support._runtime"):
        monkeypatch.setattr(name, None)
    support.configure(load_settings({"ACTION_SERVER_SECRET": SECRET, "SHOP_DESK_HOURS": "10:00-18:00"}))
    try:
        for topic in ("service_hours", "contact"):
            answer = faq_book().answer(topic).pick()
            assert "10:00-18:00" in answer and "{desk_hours}" not in answer and "22:00" not in answer, answer
        assert support.desk_hours().text == "10:00-18:00"
    finally:
        support._runtime.pool.shutdown(wait=False)


def test_the_hours_are_written_nowhere_else():
    """content/faq.yml's answers and the replies' code say the hours through the setting only
    (the settings modules' docstrings name the default)."""
    lines = (REPO_ROOT / "content" / "faq.yml").read_text(encoding="utf-8").splitlines()
    faq = "\n".join(line for line in lines if not line.lstrip().startswith("#"))     # the answers
    assert "{desk_hours}" in faq and not re.search(r"\b9:00\s*-\s*22:00", faq)
    page = (REPO_ROOT / "web" / "index.html").read_text(encoding="utf-8")
    assert "22:00" not in page and 'id="desk-hours"' in page        # filled from /api/config
    for package in ("actions", "assistant", "shop_channels", "shop_site"):
        for path in (REPO_ROOT / package).rglob("*.py"):
            if path.name in ("settings.py", "config.py"):
                continue        # documents the default
            assert "22:00" not in path.read_text(encoding="utf-8"), path
