"""Short answers at the assistant's own question, read in context (assistant.pending_answers)."""

import pytest

from assistant.offers import CANCEL_OFFER_PREFIX, OFFER_HANDOFF, OFFER_RECOMMEND, OFFER_SLOT
from assistant.pending_answers import AFFIRM, DENY, answer_to_offer, open_offer

CANCEL = CANCEL_OFFER_PREFIX + "202612011234567890"


@pytest.mark.parametrize(
    "text",
    [
        "嗯 不想要了",
        "那算了 取消吧",
        "不要了",
        "确认取消",
        "确认",
        "对的",
        "嗯",
        "好的",
        "行 就这样",
        "取消吧",
        "是的 帮我取消",
    ],
)
def test_at_the_cancel_question_not_wanting_the_order_is_a_yes(text):
    assert answer_to_offer(text, CANCEL) == AFFIRM


@pytest.mark.parametrize(
    "text",
    [
        "算了",
        "算了吧",
        "不用了",
        "不取消了",
        "先不取消吧",
        "不要取消",
        "还是要的",
        "留着吧",
        "不是",
        "好的 不用了",
        "取消吧 算了",
    ],
)
def test_at_the_cancel_question_a_no_or_a_sigh_keeps_the_order(text):
    assert answer_to_offer(text, CANCEL) == DENY


@pytest.mark.parametrize("offer", [OFFER_RECOMMEND, OFFER_HANDOFF])
def test_at_an_offer_the_same_words_read_as_plain_yes_and_no(offer):
    for text in ("好的", "嗯嗯", "行 就这样", "对的", "可以呀", "要", "ok", "麻烦了"):
        assert answer_to_offer(text, offer) == AFFIRM, text
    for text in ("嗯 不要了", "算了吧", "不用了", "不是这个", "不要", "No", "嗯 不想要了", "好的 不用了"):
        assert answer_to_offer(text, offer) == DENY, text


def test_more_than_an_answer_is_left_to_the_classifier():
    for text in (
        "不用了 我想问下退货",
        "好的谢谢",
        "是不是",
        "要不要钱",
        "取消订单要多久",
        "算了 推荐个耳机吧",
        "好的？",
        "哦",
        "",
    ):
        assert answer_to_offer(text, CANCEL) is None, text
        assert answer_to_offer(text, OFFER_RECOMMEND) is None, text


def test_without_an_open_offer_nothing_is_an_answer():
    assert answer_to_offer("好的", None) is None
    assert answer_to_offer("嗯 不要了", "") is None


def _slot(value):
    return {"event": "slot", "name": OFFER_SLOT, "value": value}


def test_only_the_offer_made_since_the_last_message_is_open():
    user = {"event": "user", "text": "取消订单"}
    assert open_offer([user, {"event": "bot", "text": "确认要取消吗？"}, _slot(CANCEL)]) == CANCEL
    # cleared by a later change of the slot, or made before the shopper spoke since
    assert open_offer([user, _slot(CANCEL), _slot(None)]) is None
    assert open_offer([_slot(CANCEL), user, {"event": "bot", "text": "好的"}]) is None
    # a new session's carried-over slots are old offers
    assert open_offer([user, {"event": "session_started"}, _slot(CANCEL)]) is None
    assert open_offer([_slot(CANCEL)]) is None


def test_the_channel_patch_reads_a_short_answer_as_the_answer_to_the_open_offer():
    from shop_channels.rasa_follow_ups import reread

    events = [
        {"event": "user", "text": "取消订单", "parse_data": {"intent": {"name": "order_status"}}},
        {"event": "bot", "text": "确认要取消订单吗？"},
        _slot(CANCEL),
    ]
    unsure = {"name": "nlu_fallback", "confidence": 0.41}
    parse = {
        "text": "嗯 不想要了",
        "intent": unsure,
        "entities": [],
        "intent_ranking": [unsure, {"name": "deny", "confidence": 0.41}, {"name": "after_sales", "confidence": 0.3}],
    }
    out = reread(parse, events)
    assert out["intent"] == {"name": "affirm", "confidence": 1.0}
    assert out["intent_ranking"][0]["name"] == "affirm" and out["answer_to_offer"] == unsure
    # the same words with no offer open are left to the classifier (and the follow-up rule)
    assert reread(parse, events[:2])["intent"] == unsure


# --- the same context for what is not a yes or no (assistant.follow_up) --------------------------
ORDER_SHOWN = "order_status"


def test_cancelling_right_after_an_order_was_shown_is_that_orders_cancellation_whatever_the_classifier_said():
    from assistant.follow_up import follow_up

    for ranking in (
        [{"name": "deny", "confidence": 0.79}],
        [{"name": "nlu_fallback", "confidence": 0.5}],
        [{"name": "deny", "confidence": 0.99}],
    ):
        result = follow_up("那算了 取消吧", ranking, [], ORDER_SHOWN, [])
        assert result.intent == "order_status" and result.entities == [{"entity": "topic", "value": "cancel_order"}]
    assert follow_up("那算了 取消吧", [{"name": "deny", "confidence": 0.79}], [], "greet", []) is None


def test_an_item_named_right_after_an_order_was_shown_picks_the_order():
    from assistant.follow_up import follow_up

    milk = [{"entity": "category", "value": "牛奶乳品"}, {"entity": "reference", "value": "context"}]
    unsure = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "inform", "confidence": 0.49}]
    assert follow_up("是牛奶那个", unsure, milk, ORDER_SHOWN, []).intent == "order_status"
    # after a product question the same words pick a product (not an order)
    assert follow_up("是牛奶那个", unsure, milk, "product_inquiry", []).intent == "product_inquiry"


def test_an_unsure_no_with_a_question_is_the_question():
    from assistant.follow_up import follow_up

    ranking = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "deny", "confidence": 0.5},
        {"name": "order_status", "confidence": 0.5},
    ]
    topic = [{"entity": "topic", "value": "cancel_order"}]
    result = follow_up(
        "算了不要了 怎么取消", ranking, topic, None, [], topic_intent={"cancel_order": "order_status"}.get
    )
    assert result is not None and result.intent == "order_status"


def test_the_shoppers_own_invoice_is_a_progress_question_whatever_the_intent():
    from assistant.invoices import asks_invoice_progress

    assert asks_invoice_progress("怎么还没收到发票", ["not_received", "invoice"])
    assert asks_invoice_progress("我又来了 刚才那个订单发票开了吗", ["invoice"])
    assert not asks_invoice_progress("能开发票吗", ["invoice"])
    assert not asks_invoice_progress("怎么还没收到", ["not_received"])


def test_two_policy_questions_in_one_message_get_both_answers():
    from assistant.faq import answers_asked_together

    both = answers_asked_together("你们是正品吗？另外多久发货", ["authenticity", "delivery_time"])
    assert {a.topic for a in both} == {"authenticity", "delivery_time"}
    assert answers_asked_together("你们是正品吗", ["authenticity"]) == []
    assert answers_asked_together("物流到哪了？另外多久发货", ["logistics", "delivery_time"]) == []


def test_a_crafted_long_message_is_no_answer_and_is_read_in_linear_time():
    # Overlapping words ("好的" or "好" + "的") under a nested repeat once made a failing match
    # backtrack exponentially; these would not return if that came back.
    from assistant.pending_answers import _GENERAL

    assert answer_to_offer("好的" * 1000 + "吗", "handoff") is None
    assert answer_to_offer("，" * 1000 + "x", "handoff") is None
    assert _GENERAL[1].match("好的" * 60 + "吗") is None
    assert _GENERAL[1].match("，" * 200 + "x") is None


@pytest.mark.parametrize("text", ["不必取消", "甭取消", "别帮我取消", "不用再取消了", "不给我取消"])
def test_every_way_of_keeping_the_order_is_a_no_to_the_cancel_question(text):
    # The short answers and the action's own check read one list of words
    # (assistant.answer_words): "不必取消" once read as a yes here ("不必" then "取消").
    from assistant.offers import confirms_cancellation

    assert answer_to_offer(text, CANCEL) == DENY
    assert not confirms_cancellation("affirm", text)


def test_the_words_that_keep_the_order_never_say_yes():
    from assistant.answer_words import KEEP_ORDER_WORDS
    from assistant.offers import confirms_cancellation

    for word in KEEP_ORDER_WORDS:
        assert answer_to_offer(word, CANCEL) == DENY, word
        assert not confirms_cancellation("affirm", f"确定{word}"), word


@pytest.mark.parametrize("text", ["行 那就这样", "那就这样", "就按你说的办吧", "按你说的来", "那就这么办吧", "行吧 听你的"])
def test_agreeing_in_the_real_shoppers_words_takes_the_offer(text):
    assert answer_to_offer(text, OFFER_HANDOFF) == "affirm"
    assert answer_to_offer(f"{text} 不用了", OFFER_HANDOFF) == "deny"      # the last word decides
