"""Round 8's rules, pure: the kind of invoice after the invoice answer, a "no" that asks how to
cancel, how to send an item back, a decision to buy, no return offer after price protection
(typed conversations: typed_round8.yml)."""
import pytest

from assistant.after_sales_dialogue import offers_request
from assistant.bought import decides_to_buy
from assistant.faq import DEFAULT_FAQ_PATH, FaqBook
from assistant.follow_up import INVOICE_KINDS, follow_up
from assistant.form_questions import AFTER_SALES, ANYWHERE, question_topics

INVOICE = [{"entity": "topic", "value": "invoice"}]
INFORM = [{"name": "inform", "confidence": 0.75}, {"name": "affirm", "confidence": 0.09}]
TOPICS = {"cancel_order": "order_status", "invoice": "purchase"}


@pytest.mark.parametrize("text, kind", [("电子的", "invoice_electronic"), ("要纸质的", "invoice_paper"),
                                        ("专票", "invoice_special"), ("纸质的专票", "invoice_special")])
def test_the_kind_of_invoice_after_the_invoice_answer_is_its_own_answer(text, kind):
    result = follow_up(text, INFORM, [], "purchase", INVOICE)
    assert result is not None and result.intent == "purchase"
    assert result.entities == [{"entity": "topic", "value": kind}]
    assert FaqBook(DEFAULT_FAQ_PATH).answer(kind) is not None


def test_a_kind_of_invoice_is_read_so_only_after_an_invoice_answer():
    assert follow_up("电子的", INFORM, [], "purchase", [{"entity": "topic", "value": "payment"}]) is None
    assert follow_up("电子的", INFORM, [], "order_status", INVOICE) is None
    assert {topic for topic, _ in INVOICE_KINDS} == {"invoice_electronic", "invoice_paper", "invoice_special",
                                                     "invoice_personal", "invoice_company"}


def test_a_no_that_asks_how_to_cancel_is_the_cancellation_question():
    deny = [{"name": "deny", "confidence": 0.65}, {"name": "order_status", "confidence": 0.34}]
    cancel = [{"entity": "topic", "value": "cancel_order"}]
    result = follow_up("算了不要了 怎么取消", deny, cancel, None, [], topic_intent=TOPICS.get)
    assert result is not None and result.intent == "order_status" and result.entities == cancel
    # A plain "no", or one naming no shop topic, stays a "no".
    assert follow_up("算了不要了", deny, [], None, [], topic_intent=TOPICS.get) is None
    assert follow_up("不用了 谢谢", deny, [], None, [], topic_intent=TOPICS.get) is None


@pytest.mark.parametrize("text", ["那就买这个", "就要这个了", "就它了", "买这个", "那就要这款吧"])
def test_a_decision_to_buy_after_a_product_asks_how_to_buy(text):
    assert decides_to_buy(text)
    result = follow_up(text, INFORM, [], "product_inquiry", [])
    assert result is not None and result.intent == "purchase"
    assert result.entities == [{"entity": "topic", "value": "how_to_order"}]


@pytest.mark.parametrize("text", ["买了", "这个怎么买", "买这个划算吗", "要白色的", "要这个颜色的吗"])
def test_news_or_questions_are_no_decision(text):
    assert not decides_to_buy(text)


@pytest.mark.parametrize("text", ["怎么寄回去", "退货怎么寄", "如何寄回"])
def test_how_to_send_back_names_the_return_address_and_shipping(text):
    assert set(question_topics(text, (), ANYWHERE)) == {"return_address", "return_shipping"}
    assert {"return_address", "return_shipping"} <= set(question_topics(text, (), AFTER_SALES))


def test_the_invoice_title_names_the_invoice_anywhere():
    assert question_topics("抬头写错了能改吗", (), ANYWHERE) == ("invoice",)
    assert question_topics("帮我开发票", (), ANYWHERE) == ()      # a request, no question


def test_price_protection_ends_with_no_return_offer():
    assert not offers_request(["price_protection"])
    assert offers_request(["return_policy"]) and offers_request(["price_protection", "warranty"])
