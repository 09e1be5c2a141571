"""Follow-ups read in context (shop.assistant.follow_up)."""
from shop.assistant.follow_up import follow_up, is_fragment, previous_user_event

UNSURE = [{"name": "purchase", "confidence": 0.31}, {"name": "order_status", "confidence": 0.29},
          {"name": "after_sales", "confidence": 0.2}]
REFUND_TOPIC = [{"entity": "topic", "value": "refund_progress", "start": 0, "end": 4}]


def test_fragments_are_short_continuations():
    assert is_fragment("那你尽快吧")
    assert is_fragment("能快点吗")
    assert is_fragment("那钱哪天退回来")
    assert is_fragment("就按你说的办吧")
    assert not is_fragment("我想买一台两千左右的手机，拍照好一点的，有推荐吗")
    assert not is_fragment("手机")          # no continuation shape: a new (bare) request
    assert not is_fragment("")


def test_an_unsure_fragment_after_a_shop_question_continues_it():
    result = follow_up("那要多久", UNSURE, [], "after_sales", REFUND_TOPIC)
    assert result is not None and result.intent == "after_sales"
    assert result.entities == REFUND_TOPIC          # the previous topic is carried


def test_the_fragments_own_topic_wins_over_the_previous_one():
    own = [{"entity": "topic", "value": "invoice", "start": 1, "end": 3}]
    result = follow_up("那发票呢", UNSURE, own, "after_sales", REFUND_TOPIC)
    assert result.entities == own


def test_small_talk_or_no_previous_question_is_not_continued():
    assert follow_up("那要多久", UNSURE, [], "greet", []) is None
    assert follow_up("那要多久", UNSURE, [], None, []) is None


def test_a_longer_message_not_among_the_likely_meanings_is_a_new_question():
    ranking = [{"name": "purchase", "confidence": 0.4}, {"name": "product_inquiry", "confidence": 0.3}]
    assert follow_up("这个什么时候能有货呢", ranking, [], "after_sales", []) is None
    assert follow_up("这个什么时候能有货呢", ranking, [], "purchase", []).intent == "purchase"


def test_previous_user_event_skips_the_latest_and_stops_at_a_restart():
    events = [{"event": "user", "text": "a"}, {"event": "bot"}, {"event": "user", "text": "b"}]
    assert previous_user_event(events)["text"] == "a"
    assert previous_user_event([{"event": "user", "text": "a"}, {"event": "restart"},
                                {"event": "user", "text": "b"}]) is None
    assert previous_user_event([{"event": "user", "text": "b"}]) is None
