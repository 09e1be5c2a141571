"""Round 15 (typed15): the rules behind typed answers no earlier list foresaw — an
acknowledgement with any particles, and a service named again at the after-sales summary."""

import pytest

from assistant.after_sales_dialogue import kept_at_summary, service_named_at_summary
from assistant.after_sales_dialogue import CONFIRM_SLOT
from assistant.form_questions import only_acknowledges


@pytest.mark.parametrize(
    "text",
    [
        "嗯嗯好滴",
        "ok了",
        "OK了",
        "行吧",
        "好哒~",
        "好的👌",
        "可以的",
        "收到了",
        "懂了",
        "好滴👌🙏",
        "行行行",
        "嗯嗯 明白了！",
        "okk",
        "👌",
        "👍👍",
        "好的👍",
    ],
)
def test_acknowledging_words_with_any_particles_and_emoji_answer_nothing(text):
    assert only_acknowledges(text)


@pytest.mark.parametrize(
    "text",
    [
        "好的谢谢",
        "不行",
        "可以改吗",
        "好贵啊",
        "嗯？",
        "好吧 那就第二个",
        "行 改到公司",
        "ok 第三个",
        "好的 不用了",
        "😊",
        "明白了 不改了",
    ],
)
def test_a_word_that_answers_refuses_thanks_or_asks_is_no_bare_acknowledgement(text):
    # 谢谢 is thanks (answered as such), 不 refuses, 吗 / ？ ask, 第二个 answers.
    assert not only_acknowledges(text)


@pytest.mark.parametrize(
    "text, service",
    [("不不 还是退货吧", "return"), ("那就换货", "exchange"), ("还是退货", "return"), ("不是退货 是换货", "exchange")],
)
def test_a_service_named_at_the_summary_is_the_one_switched_to(text, service):
    assert service_named_at_summary(text) == service


@pytest.mark.parametrize("text", ["我不要换货", "别退货了", "退款多久到账", "确认", "质量问题", ""])
def test_a_refused_asked_about_or_absent_service_switches_nothing(text):
    assert service_named_at_summary(text) is None


def _summary_then(service: str, typed: str) -> list:
    return [{"event": "slot", "name": "service_type", "value": service}, {"event": "user", "text": typed}]


def test_a_service_named_again_at_the_summary_is_not_kept_from_before():
    events = _summary_then("exchange", "不不 还是退货吧")
    assert kept_at_summary(events, CONFIRM_SLOT, "不不 还是退货吧", "service_type") is None


def test_a_question_at_the_summary_keeps_the_service_it_mentions_out():
    events = _summary_then("exchange", "退款多久到账")
    assert kept_at_summary(events, CONFIRM_SLOT, "退款多久到账", "service_type") == "exchange"


# --- an address change that names where to, in the message that asks for it ---
from assistant.address_choice import address_wished  # noqa: E402


@pytest.mark.parametrize(
    "text, target",
    [
        ("订单202612063167308256改到公司地址", "公司地址"),
        ("帮我把收货地址改成天津那个", "天津那个"),
        ("改到家里", "家里"),
        ("地址改成北京市朝阳区建国路88号", "北京市朝阳区建国路88号"),
    ],
)
def test_a_change_request_names_the_address_it_wants(text, target):
    assert address_wished(text) == target


@pytest.mark.parametrize("text", ["改成换货", "预算改成300", "改成L码", "我要改收货地址", "地址写错了", ""])
def test_a_change_to_anything_but_a_place_names_no_address(text):
    assert address_wished(text) is None


# --- a repair said with the verb alone ---
from assistant.typed_answers import service_in  # noqa: E402
from shop.domain.after_sales import ServiceType  # noqa: E402


@pytest.mark.parametrize("text", ["手机坏了 开不了机 要修", "拿去修一下", "帮我修", "送修", "需要返修"])
def test_the_verb_修_alone_asks_for_a_repair(text):
    assert service_in(text) is ServiceType.REPAIR


@pytest.mark.parametrize("text", ["修改地址", "我要修改一下原因", "保修多久", "能修吗"])
def test_修改_保修_and_a_question_are_no_repair_wish(text):
    assert service_in(text) is not ServiceType.REPAIR


# --- a product of the list bought by its place ---
from assistant.typed_answers import buys_by_place  # noqa: E402


@pytest.mark.parametrize("text", ["第二个怎么买", "就第二个吧 怎么买", "第一个我要了", "买第三个", "第二款怎么下单"])
def test_a_place_with_buying_words_buys_that_product(text):
    assert buys_by_place(text)


@pytest.mark.parametrize("text", ["第二个多少钱", "第一个和第二个哪个好", "第二个", "第二单买的东西到哪了", "怎么买"])
def test_a_question_a_comparison_or_an_order_by_place_buys_nothing(text):
    assert not buys_by_place(text)
