"""The readability rule (shop_nlu.readability) and its Rasa component (readability_guard)."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from actions import unreadable
from shop_nlu import readability
from shop_nlu.readability import Verdict, assess
from shop_nlu.readability_guard import guard_message


@pytest.mark.parametrize("text", ["", "   ", "....", "???", "。。。", "!!!", "~~~", "……", "😀" * 500, "🙄🙄",
                                  "😡😡😡", "🐶🐱", "\n\t"])
def test_punctuation_symbols_and_emoji_alone_have_no_content(text):
    assert assess(text, intent="after_sales", confidence=0.78) == Verdict("no_content")


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                                  "<svg/onload=alert(1)>", "javascript:alert(document.cookie)",
                                  "我要退货<script>alert(1)</script>", "<iframe src=//evil.example>",
                                  "<a href=x onclick=steal()>点我</a>"])
def test_markup_is_markup_even_around_chinese(text):
    assert assess(text) == Verdict("markup")


@pytest.mark.parametrize("text", ["'; DROP TABLE orders; --", "SELECT * FROM customers WHERE 1=1", "1' OR '1'='1",
                                  "admin' --", "1 UNION SELECT password FROM users",
                                  "DELETE FROM after_sales_requests"])
def test_sql_looking_text_is_code(text):
    assert assess(text, intent="order_status", confidence=0.9) == Verdict("code")


def test_a_base64_blob_a_link_and_a_long_run_of_one_letter():
    assert assess("SGVsbG8gd29ybGQsIHRoaXMgaXMgYSBiYXNlNjQgYmxvYg==") == Verdict("blob")
    assert assess("d41d8cd98f00b204e9800998ecf8427e") == Verdict("blob")
    assert assess("https://www.bilibili.com/video/BV1xx411c7mD") == Verdict("link")
    assert assess("a" * 40, intent="out_of_scope", confidence=1.0) == Verdict("repeated")
    assert assess("退" * 30, intent="after_sales", confidence=0.9) == Verdict("repeated")
    assert assess("6" * 12) == Verdict("repeated")


@pytest.mark.parametrize("text, language", [
    ("注文した商品はいつ届きますか", "ja"), ("返品したいです", "ja"), ("주문한 상품이 언제 도착하나요", "ko"),
    ("환불하고 싶어요", "ko"), ("Где мой заказ?", "ru"), ("Я хочу вернуть товар", "ru"),
    ("أين طلبي", "other"), ("สินค้าของฉันอยู่ที่ไหน", "other"),
])
def test_other_languages_are_foreign_whatever_the_classifier_says(text, language):
    assert assess(text, intent="after_sales", confidence=0.9) == Verdict("foreign", language)


def test_english_is_foreign_unless_it_is_small_talk_the_classifier_is_sure_of():
    assert assess("I want to return this item", intent="after_sales", confidence=0.43) == Verdict("foreign", "en")
    assert assess("tell me a joke", intent="out_of_scope", confidence=0.9) == Verdict("foreign", "en")
    assert assess("asdfghjkl", intent="out_of_scope", confidence=0.99) == Verdict("foreign", "en")
    # small talk and the way to a person are understood
    assert assess("ok", intent="affirm", confidence=0.99) is None
    assert assess("human please", intent="human_handoff", confidence=0.9) is None
    assert assess("are you a bot", intent="bot_challenge", confidence=0.8) is None
    assert assess("ok", intent="affirm", confidence=0.3) == Verdict("foreign", "en")


@pytest.mark.parametrize("text, intent", [("I want to return this item", "after_sales"),
                                          ("where is my order", "order_status"),
                                          ("recommend a gift for my mom", "ask_recommendation")])
def test_an_english_shop_question_is_asked_for_in_chinese_however_sure_the_classifier_is(text, intent):
    assert assess(text, intent=intent, confidence=0.99) == Verdict("foreign", "en")


@pytest.mark.parametrize("text, entities", [
    ("iphone15 多少钱", ["product", "topic"]), ("AirPods 到哪了", ["product", "topic"]),
    ("我的订单到哪了", []), ("啊啊啊啊啊", []), ("人呢？？", []), ("我要退货！！！！！！！！！！！！", []),
    ("iPhone 15 Pro", ["product"]), ("XL", ["size"]), ("16+1T", ["size"]), ("202611201234567890", ["order_no"]),
    ("JD202612010001", []), ("RTX4090", []), ("こんにちは是什么意思", []), ("迪士尼・米奇 ー 玩具", []),
    ("这个耳机 bass 怎么样", []),
])
def test_chinese_mixed_text_catalogue_names_and_codes_are_readable(text, entities):
    assert assess(text, entities, intent="out_of_scope", confidence=0.3) is None


def test_digits_alone_are_marked_and_keep_their_intent():
    for text in ("123", "2", "1234", "88", "3000-4000", "12+256"):
        verdict = assess(text, intent="inform", confidence=0.75)
        assert verdict == Verdict("digits") and verdict.keeps_intent


def test_a_short_emoji_reaction_the_classifier_is_sure_of_keeps_its_intent():
    assert assess("👍", intent="affirm", confidence=0.98) is None
    assert assess("👌👌", intent="affirm", confidence=0.9) is None
    assert assess("👍", intent="affirm", confidence=0.3) == Verdict("no_content")
    assert assess("👍" * 20, intent="affirm", confidence=0.98) == Verdict("no_content")
    assert assess("😀", intent="after_sales", confidence=0.9) == Verdict("no_content")


# --- the component ----------------------------------------------------------------------

def parsed(text, intent, confidence, entities=()):
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": confidence},
                                   {"name": "out_of_scope", "confidence": 1 - confidence}], add_to_output=True)
    message.set("entities", [{"entity": e, "value": "x", "start": 0, "end": 1} for e in entities], add_to_output=True)
    return message


def test_the_guard_answers_unreadable_messages_as_out_of_scope_and_drops_their_entities():
    message = parsed("SELECT * FROM orders WHERE 1=1", "order_status", 0.8, ["quantity"])
    guard_message(message)
    out = message.as_dict(only_output_properties=True)
    assert out["intent"] == {"name": "out_of_scope", "confidence": 1.0}
    assert [r["name"] for r in out["intent_ranking"]] == ["out_of_scope", "order_status"]
    assert out["entities"] == []
    assert out["readability"] == {"kind": "code", "classifier_intent": "order_status"}


def test_the_guard_only_marks_digits_and_leaves_readable_text_alone():
    digits = parsed("1234", "inform", 0.75)
    guard_message(digits)
    out = digits.as_dict(only_output_properties=True)
    assert out["intent"]["name"] == "inform" and out["readability"] == {"kind": "digits", "classifier_intent": "inform"}
    chinese = parsed("我的订单到哪了", "order_status", 0.95, ["topic"])
    guard_message(chinese)
    out = chinese.as_dict(only_output_properties=True)
    assert out["intent"]["name"] == "order_status" and "readability" not in out and out["entities"]


def test_the_actions_read_the_verdict_under_the_key_the_nlu_writes():
    assert unreadable.PARSE_KEY == readability.PARSE_KEY
    assert set(unreadable.HOSTILE_KINDS) <= set(readability.KINDS)


@pytest.mark.parametrize("text", ["202612029999999999", "202612020000000000", "订单 202612029999999999",
                                  "202612029999999999到哪了"])
def test_a_well_formed_order_number_is_readable_even_when_a_digit_repeats(text):
    from shop_nlu.rules import find_order_numbers

    kinds = [entity.entity for entity in find_order_numbers(text)]
    assert kinds == ["order_no"]
    assert assess(text, kinds, intent="order_status", confidence=0.3) is None
    # The same run of digits without an order number's shape is still a key held down.
    assert assess("9" * 18) == Verdict("repeated")
