"""Round 11's policy rules, pure: which topics a payment question asks, the invoice title
named after the invoice answer (typed conversations: typed_round11.yml)."""
import pytest

from assistant.faq import DEFAULT_FAQ_PATH, FaqBook, asked_topics, payment_failed
from assistant.follow_up import follow_up

INVOICE = [{"entity": "topic", "value": "invoice"}]
INFORM = [{"name": "inform", "confidence": 0.75}, {"name": "affirm", "confidence": 0.09}]


@pytest.mark.parametrize("text, topics, asked", [
    ("付款后多久发货", ["payment", "delivery_time"], ["delivery_time"]),
    ("下单之后几天发货", ["payment", "delivery_time"], ["delivery_time"]),
    ("付款一直失败怎么办", ["payment"], ["payment_failed"]),
    ("支付不了怎么回事", ["payment"], ["payment_failed"]),
    ("付不了款", ["payment"], ["payment_failed"]),
    # asked on its own, or beside another topic without a "when": the payment answer stays
    ("支持哪些付款方式", ["payment"], ["payment"]),
    ("付款后多久", ["payment"], ["payment"]),
    ("可以用花呗付款吗 运费多少", ["payment", "shipping_fee"], ["payment", "shipping_fee"]),
])
def test_the_topics_a_payment_question_asks(text, topics, asked):
    assert asked_topics(text, topics) == asked


def test_a_failed_payment_is_not_a_payment_that_went_through():
    assert payment_failed("付款一直失败") and payment_failed("支付的时候一直报错")
    assert not payment_failed("付款成功了吗") and not payment_failed("怎么付款")


def test_the_failed_payment_answer_has_steps_and_a_person():
    answer = FaqBook(DEFAULT_FAQ_PATH).answer("payment_failed").pick()
    assert "转人工" in answer and answer.count("·") >= 3


@pytest.mark.parametrize("text, kind", [("个人的", "invoice_personal"), ("开个人的", "invoice_personal"),
                                        ("公司的", "invoice_company"), ("单位报销用", "invoice_company"),
                                        ("公司的专票", "invoice_special"), ("个人电子的", "invoice_electronic")])
def test_the_title_named_after_the_invoice_answer_gets_its_answer(text, kind):
    result = follow_up(text, INFORM, [], "purchase", INVOICE)
    assert result is not None and result.entities == [{"entity": "topic", "value": kind}]
    assert FaqBook(DEFAULT_FAQ_PATH).answer(kind) is not None


def test_a_title_is_read_so_only_after_an_invoice_answer():
    assert follow_up("个人的", INFORM, [], "purchase", [{"entity": "topic", "value": "payment"}]) is None
