"""A confirmed after-sales request whose filing outlives Rasa's wait for the action server,
over live HTTP: the shop database is write-locked so the filing waits, Rasa gives up after
ACTION_CALL_TIMEOUT_S, and the lock is released while the action server is still trying — so
the request may be filed after the shopper heard the call failed.

Before, the shopper heard the generic "请稍后再试", the form had closed, and their next "确认"
met no question, although the request was (or was not) filed. Now they hear it may have gone
through and where to check, the question is asked again, and the next "确认" tells the truth:
the request filed late is reported with its number, or filed then — once either way.
"""
from __future__ import annotations

import threading
import time

import pytest

from tests.integration.test_writes_under_lock import WriteLock, at_the_after_sales_summary, rows
from tests.support.stack import stack_with_settings

pytestmark = pytest.mark.integration
# Under the lock each try to file fails at once (SQLite refuses a reader's upgrade to writer
# without waiting), and the action server pauses 0.1 + 0.3 + 0.8 s between its four tries
# (actions.after_sales_submit.FILING_RETRY_PAUSES_S): the filing takes longer than this.
CALL_TIMEOUT_S = 1
# Held past Rasa's give-up, released before the action server's last try: arranged for the
# late filing, not asserted on (the shopper's retry must find the truth either way).
LOCK_HELD_S = 1.15


@pytest.fixture(scope="module")
def impatient_stack(tmp_path_factory):
    yield from stack_with_settings(tmp_path_factory, "late-writes-stack", {"ACTION_CALL_TIMEOUT_S": str(CALL_TIMEOUT_S)})


def requests_for(shop_db, order_no: str):
    return rows(shop_db, "SELECT a.request_no FROM after_sales_requests a JOIN orders o ON o.id = a.order_id "
                         f"WHERE o.order_no = '{order_no}'")


def test_the_confirm_after_a_timed_out_filing_reports_the_request_filed_once(impatient_stack):
    shop_db = impatient_stack.workdir / "shop.db"
    shopper, order_no = at_the_after_sales_summary(impatient_stack)

    taken = threading.Event()

    def hold_the_lock():      # (an SQLite connection is used in the thread that made it)
        with WriteLock(shop_db):
            taken.set()
            time.sleep(LOCK_HELD_S)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert taken.wait(10)
    try:
        timed_out = shopper.says("确认")
    finally:
        holder.join()
    # Not "nothing happened": it may have gone through; where to check; the question again.
    assert "可能已经提交" in timed_out and "售后进度" in timed_out, timed_out
    assert "确认提交吗" in timed_out, timed_out

    again = shopper.says("确认")
    filed = requests_for(shop_db, order_no)
    assert len(filed) == 1, (again, filed)
    assert filed[0][0] in again, again
    # A further "确认" files nothing more.
    shopper.says("确认")
    assert len(requests_for(shop_db, order_no)) == 1
