"""A confirmed change whose writing outlives Rasa's wait for the action server, over live
HTTP — an after-sales request, an address change, a cancellation: the shop database is
write-locked so the write waits, Rasa gives up after ACTION_CALL_TIMEOUT_S, and the lock is
released while the action server is still trying — so the change may be made after the
shopper heard the call failed.

Before, the shopper heard the generic "请稍后再试", the form had closed, and their next "确认"
met no question, although the request was (or was not) filed. Now they hear it may have gone
through and where to check, the question is asked again, and the next "确认" tells the truth:
the request filed late is reported with its number, or filed then — once either way. The address change and the cancellation had only the generic
"请稍后再试" (and a "确认取消" sent again met "目前没有等待您确认的取消操作"); now the same holds for
them: "可能已经提交", the question again, and the next confirmation reports the change made
late as it is now ("已经是这个地址了", "订单已经取消了") or makes it — once.
"""
from __future__ import annotations

import threading
import time

import pytest

from tests.integration.test_writes_under_lock import (
    WriteLock, at_the_address_confirmation, at_the_after_sales_summary, at_the_cancellation_question, rows,
)
from tests.support.stack import stack_with_settings

pytestmark = pytest.mark.integration
# Under the lock each try to file fails at once (SQLite refuses a reader's upgrade to writer
# without waiting), and the action server pauses 0.1 + 0.3 + 0.8 s between its four tries
# (actions.support.CONFIRMED_WRITE_PAUSES_S): the write takes longer than this.
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


def held_while(shop_db, say):
    """``say()`` while another connection holds the shop database's write lock for LOCK_HELD_S."""
    taken = threading.Event()

    def hold_the_lock():      # (an SQLite connection is used in the thread that made it)
        with WriteLock(shop_db):
            taken.set()
            time.sleep(LOCK_HELD_S)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert taken.wait(10)
    try:
        return say()
    finally:
        holder.join()


def test_the_confirm_after_a_timed_out_filing_reports_the_request_filed_once(impatient_stack):
    shop_db = impatient_stack.workdir / "shop.db"
    shopper, order_no = at_the_after_sales_summary(impatient_stack)

    timed_out = held_while(shop_db, lambda: shopper.says("确认"))
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


def status_changes_of(order_no: str) -> str:
    """The query counting an order's status changes."""
    return ("SELECT COUNT(*) FROM order_status_history h JOIN orders o ON o.id = h.order_id "
            f"WHERE o.order_no = '{order_no}'")


def address_changes_of(shop_db, order_no: str):
    return rows(shop_db, "SELECT c.id FROM order_address_changes c JOIN orders o ON o.id = c.order_id "
                         f"WHERE o.order_no = '{order_no}'")


def test_the_confirm_after_a_timed_out_address_change_reports_it_changed_once(impatient_stack):
    shop_db = impatient_stack.workdir / "shop.db"
    shopper, order_no = at_the_address_confirmation(impatient_stack, 2)

    timed_out = held_while(shop_db, lambda: shopper.says("确认"))
    assert "地址修改可能已经提交" in timed_out and "回复“确认”即修改" in timed_out, timed_out

    again = shopper.says("确认")
    assert len(address_changes_of(shop_db, order_no)) == 1, again
    assert order_no in again and ("已经是这个地址" in again or "已将订单" in again), again
    shopper.says("确认")
    assert len(address_changes_of(shop_db, order_no)) == 1


def test_the_confirm_after_a_timed_out_cancellation_reports_it_cancelled_once(impatient_stack):
    shop_db = impatient_stack.workdir / "shop.db"
    shopper, order_no = at_the_cancellation_question(impatient_stack, 3)
    history = status_changes_of(order_no)
    before = rows(shop_db, history)[0][0]

    timed_out = held_while(shop_db, lambda: shopper.says("确认取消"))
    assert "可能已经提交" in timed_out and order_no in timed_out and "“确认取消”" in timed_out, timed_out

    again = shopper.says("确认取消")
    assert rows(shop_db, history)[0][0] == before + 1, again
    assert order_no in again and ("已取消" in again or "已经取消" in again or "退款中" in again), again
    assert "没有等待您确认" not in again, again
    assert rows(shop_db, f"SELECT status FROM orders WHERE order_no = '{order_no}'")[0][0] == "refunding"
