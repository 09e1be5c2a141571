"""Round 24 (fix1): what the typed rounds left short."""
from datetime import datetime, timezone

from assistant.faq import FaqBook
from assistant.price_protection import how_to_apply, price_protection_text


def test_one_orders_price_protection_says_the_faqs_exclusions():
    # content/faq.yml is the one copy of what price protection leaves out (以旧换新补贴, 赠品).
    now = datetime(2026, 12, 7, 4, tzinfo=timezone.utc)
    delivered = datetime(2026, 12, 5, 4, tzinfo=timezone.utc)
    text = price_protection_text("1", "手机", delivered, delivered, now)
    assert "以旧换新补贴" in text and "赠品" in text
    assert "告诉我订单号" not in text and "付款后到签收后" not in text


def test_an_operators_edit_of_the_faq_reaches_the_orders_answer(tmp_path):
    faq = tmp_path / "faq.yml"
    faq.write_text("topics:\n  price_protection:\n    title: 价保\n    answer: |\n"
                   "      付款后到签收后 7 天内，降价可申请价保。\n      预售商品不在价保范围内。\n"
                   "      告诉我订单号，我帮您看看能不能价保。\n", encoding="utf-8")
    assert how_to_apply(FaqBook(faq)) == "降价可申请价保。预售商品不在价保范围内。"


def test_where_to_leave_the_parcel_is_the_remarks_content_not_a_refusal():
    from assistant.order_policies import policies_asked
    assert policies_asked(["order_remark", "refuse_delivery"], "备注下 放快递柜") == ["order_remark"]
    assert policies_asked(["order_remark", "refuse_delivery"], "备注一下 到了我要拒收") == ["order_remark", "refuse_delivery"]
    assert policies_asked(["refuse_delivery"], "放快递柜吧") == ["refuse_delivery"]


def test_manjian_and_coupons_together_is_answered_yes_first():
    from assistant.faq import faq_book
    coupon = faq_book().answer("coupon")
    assert coupon.for_question("满减和优惠券能一起用吗").startswith("可以。")
    assert coupon.for_question("优惠券跟满减可以一起用吗").startswith("可以。")
    assert not coupon.for_question("优惠券怎么用").startswith("可以。")


def test_how_long_right_after_a_cancellation_is_the_refunds_timing():
    from assistant.follow_up import cancelled_in_reply, follow_up
    events = [{"event": "user", "text": "确认取消"},
              {"event": "bot", "text": "订单 2026120500001：订单已取消，货款将原路退回，预计1-3个工作日到账。"}]
    assert cancelled_in_reply(events)
    assert not cancelled_in_reply([{"event": "user", "text": "取消订单"}, {"event": "bot", "text": "确认要取消订单 1 吗？"}])
    ranking = [{"name": "purchase", "confidence": 0.69}]
    timing = [{"entity": "topic", "value": "delivery_time"}]
    read = follow_up("那多久能到", ranking, timing, "affirm", [], cancelled_just_now=True)
    assert read.intent == "after_sales" and read.entities == [{"entity": "topic", "value": "refund_progress"}]
    assert follow_up("那多久能到", ranking, timing, "affirm", [], cancelled_just_now=False) is None
    assert follow_up("发到成都多久能到", ranking, timing, "affirm", [], cancelled_just_now=True) is None


def test_the_invoice_asked_beside_a_guests_order_number_is_read():
    from assistant.invoices import answer_topic, asks_about_invoice
    assert asks_about_invoice("202612041490352188 开发票") and not asks_about_invoice("202612041490352188")
    assert answer_topic("开发票") == "invoice" and answer_topic("发票抬头写错了") == "invoice_reissue"
