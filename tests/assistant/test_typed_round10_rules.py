"""Round 10's pure rules for typed follow-ups to lists, comparisons and policy answers."""
import pytest

from assistant.after_sales_dialogue import asks_two_questions, route_after_services
from assistant.faq import specific_topics
from assistant.recommendation_requests import moves_price_only, ranking_asked, turns_down_shown, understand
from assistant.typed_answers import buys_named, ordinal_beyond


@pytest.mark.parametrize("text", ["第一个不要", "不要这个", "都不喜欢", "这几个都不喜欢", "不要这个牌子", "最后那个不要"])
def test_turning_down_what_was_shown(text):
    assert turns_down_shown(text)


@pytest.mark.parametrize("text", ["不要了", "不行", "不用了", "算了", "不要苹果的", "第二个不错", "好的"])
def test_a_plain_no_or_a_pick_turns_nothing_down(text):
    assert not turns_down_shown(text)


def test_this_brand_turned_down_leaves_the_brands_shown_out():
    assert understand("不要这个牌子", {}, None).other_brand


@pytest.mark.parametrize("text, expected", [("太贵了", True), ("便宜点", True), ("再贵点", True),
                                            ("太贵了，怎么退", False), ("能便宜点吗", False)])
def test_a_price_move_on_its_own(text, expected):
    assert moves_price_only(text) is expected


def test_a_student_asks_for_value_not_a_student_discount():
    assert ranking_asked("有没有适合学生的手机") == "性价比"
    assert ranking_asked("有学生优惠吗") is None


def test_a_place_past_the_end_of_the_list():
    assert ordinal_beyond("第二个多少钱", 1) == 2
    assert ordinal_beyond("第二个多少钱", 3) is None
    assert ordinal_beyond("多少钱", 1) is None
    assert ordinal_beyond("第二个", 0) is None


@pytest.mark.parametrize("text, named", [("那就买小米吧", "小米"), ("还是买iPhone吧", "iPhone"), ("就要华为那个", "华为")])
def test_buying_one_named_by_a_word(text, named):
    assert buys_named(text) == named


def test_usage_stands_only_on_its_own():
    assert specific_topics(["gift_card", "usage"]) == ["gift_card"]
    assert specific_topics(["usage"]) == ["usage"]


def test_two_questions_in_one_message():
    assert asks_two_questions("你们是正品吗？另外多久发货")
    assert not asks_two_questions("你们是正品吗")


def test_a_no_reason_return_question_is_about_the_rules():
    route = route_after_services("七天无理由吗 拆封了还能退吗", ["return_policy"], True, None, signed_in=False)
    assert route.kind == "policy"
    # A problem with the goods is still a request.
    assert route_after_services("耳机坏了能退吗", [], True, None, signed_in=True).kind == "form"


def test_haggling_is_not_a_request_for_cheaper_products():
    from assistant.recommendation_requests import haggles

    assert haggles("能便宜点吗") and haggles("可以打折吗") and haggles("能再便宜点吗")
    assert not haggles("再便宜点") and not haggles("有没有便宜点的") and not haggles("便宜点的")


def test_the_cheapest_of_those_shown():
    from assistant.recommendation_requests import asks_cheapest_shown

    assert asks_cheapest_shown("最便宜的是哪个") and asks_cheapest_shown("哪款最便宜")
    assert not asks_cheapest_shown("推荐最便宜的耳机")


def test_an_amount_or_a_time_is_no_kind_of_shopper():
    from assistant.offer_questions import offer_asked_for

    assert offer_asked_for("买两件有优惠吗") is None
    assert offer_asked_for("手机现在有什么活动") == ("手机", "活动")
    assert offer_asked_for("有没有学生优惠") == ("学生", "优惠")


def test_a_newborn_gift_is_for_a_baby():
    from shop.domain.assortment import gift_recipient

    assert gift_recipient("给刚出生的宝宝买点东西 三百以内") == "宝宝"
    assert gift_recipient("给孩子买本书") == "孩子"


def test_the_size_worn_said_without_ma():
    from assistant.product_facts import measurements

    assert measurements("我平时穿42 这个要买多大").shoe_size == 42
    assert measurements("穿420").shoe_size is None


def test_price_stands_only_on_its_own():
    assert specific_topics(["membership", "price"]) == ["membership"]
    assert specific_topics(["price"]) == ["price"]


def test_a_day_or_hour_named_with_dispatch_is_delivery_time():
    from assistant.form_questions import ANYWHERE, question_topics

    assert "delivery_time" in question_topics("周末发货吗", (), ANYWHERE)
    assert "delivery_time" not in question_topics("周末愉快", (), ANYWHERE)


def test_a_bare_size_after_a_size_question_is_a_variant():
    from types import SimpleNamespace

    from assistant.product_facts import variant_fragment

    shoe = SimpleNamespace(skus=[SimpleNamespace(attributes={"尺码": "43", "颜色": "黑色"}, in_stock=True)])
    assert variant_fragment(shoe, "那42呢") == "42码"
    assert variant_fragment(shoe, "那iPhone呢") is None
    phone = SimpleNamespace(skus=[SimpleNamespace(attributes={"存储容量": "256GB"}, in_stock=True)])
    assert variant_fragment(phone, "那42呢") is None
