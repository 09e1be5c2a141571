"""Where an order's invoice stands, by the order's state (shop/domain/invoices.py)."""
import pytest

from assistant.faq import DEFAULT_FAQ_PATH, FaqBook
from shop.domain.invoices import ISSUED_WITHIN, invoice_progress, where_to_see
from shop.domain.orders import OrderStatus


def test_the_faq_states_the_same_issuing_promise():
    book = FaqBook(DEFAULT_FAQ_PATH)
    assert ISSUED_WITHIN.replace(" ", "") in book.answer("invoice").pick().replace(" ", "")
    assert ISSUED_WITHIN.replace(" ", "") in book.answer("invoice_reissue").pick().replace(" ", "")


@pytest.mark.parametrize("status, says", [
    (OrderStatus.PENDING_PAYMENT, "还没付款"), (OrderStatus.IN_TRANSIT, "确认收货后"),
    (OrderStatus.DELIVERED, "确认收货"), (OrderStatus.COMPLETED, "已确认收货"),
    (OrderStatus.REFUNDED, "不会再开票"), (OrderStatus.CANCELLED, "不会再开票"), (OrderStatus.REFUNDING, "冲红"),
])
def test_each_state_says_where_the_invoice_stands_and_never_that_it_was_issued(status, says):
    text = invoice_progress("202612010000000001", status)
    assert says in text and "202612010000000001" in text and status.label in text
    assert "已开出" not in text


def test_with_no_order_in_view_it_says_where_to_look_and_how_to_ask():
    assert "哪笔订单" in where_to_see(True) and "登录" in where_to_see(False)
