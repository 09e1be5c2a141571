"""Rules behind typed round 21 (tests/conversations/typed_round21.yml): yes/no verdicts of the
policy file, follow-up cues (where to see it, no lift), the stairs surcharge, screen sizes in
listing titles, "这两个哪个好" and "还有几件"."""
from decimal import Decimal

import pytest

from assistant.faq import FaqBook, faq_book
from assistant.follow_up import follow_up, is_fragment
from assistant.recommendation_requests import RecommendationRequest, title_names_other_screen
from assistant.services import ServiceAsk, stairs_text, what_is_asked
from assistant.typed_answers import asks_about_two_unnamed, asks_how_many, these_two
from shop.db.records import InstallationFeeInfo

TREADMILL = InstallationFeeInfo("健身器材", ("运动户外", "健身器材"), Decimal("80"), "跑步机上门组装调试",
                                "搬运上5楼以上（无电梯）每层加¥10")
COT = InstallationFeeInfo("童车童床", ("母婴", "童车童床"), Decimal("60"), "婴儿床组装", None)


# --- verdicts: a yes/no about one case of a rule -------------------------------------------

def test_a_flash_sale_is_not_price_protected_and_says_so_first():
    answer = faq_book().answer("price_protection").for_question("秒杀买的也能保吗")
    assert answer.startswith("不能。秒杀价买的商品不在价保范围内")


def test_a_big_appliance_cannot_be_picked_up_and_names_it():
    answer = faq_book().answer("pickup").for_question("空调能自提吗")
    assert answer.startswith("不能。空调属于大家电")


def test_a_question_naming_no_case_gets_the_whole_rule():
    answer = faq_book().answer("pickup").for_question("可以自提吗")
    assert "取件码" in answer and not answer.startswith("不能")


def test_the_gift_card_balance_is_answered_on_its_own():
    assert faq_book().answer("gift_card").for_question("余额在哪看").startswith("礼品卡余额在「我的 → 礼品卡」")


def test_a_broken_verdict_is_skipped_not_the_topic(tmp_path):
    path = tmp_path / "faq.yml"
    path.write_text("topics:\n  pickup:\n    title: 自提\n    answer: 可以自提。\n"
                    "    verdicts:\n      - asks: 空调\n        answer: 不能。\n"
                    "      - asks: [冰箱]\n        answer: 不能，{asked}要送货上门。\n", encoding="utf-8")
    answer = FaqBook(path).answer("pickup")
    assert answer.for_question("空调能自提吗") == "可以自提。"
    assert answer.for_question("冰箱能自提吗") == "不能，冰箱要送货上门。"


# --- follow-ups ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["余额在哪看", "我住6楼没电梯", "发票在哪里查"])
def test_where_to_see_it_and_no_lift_are_fragments(text):
    assert is_fragment(text)


def test_the_balance_after_the_gift_card_answer_keeps_its_topic():
    found = follow_up("余额在哪看", [{"name": "nlu_fallback", "confidence": 0.4}], [], "purchase",
                      [{"entity": "topic", "value": "gift_card"}])
    assert found is not None and found.intent == "purchase"
    assert {"entity": "topic", "value": "gift_card"} in found.entities


# --- the stairs -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["我住6楼没电梯", "要爬楼梯加钱吗", "七楼没有电梯能送上去吗"])
def test_floors_with_the_installation_topic_ask_about_the_stairs(text):
    assert what_is_asked(text, ["installation"]) == (ServiceAsk.STAIRS,)


def test_the_fee_is_still_the_fee():
    assert what_is_asked("安装要钱吗", ["installation"]) == (ServiceAsk.INSTALLATION_FEE,)


def test_the_stairs_surcharge_is_quoted_from_the_fee():
    text = stairs_text(TREADMILL)
    assert "搬运上5楼以上（无电梯）每层加¥10" in text and "安装费 ¥80" in text


def test_no_stairs_charge_listed_is_said_without_a_figure():
    text = stairs_text(COT)
    assert "没有楼层搬运费" in text and "每层" not in text


# --- screen sizes in titles -----------------------------------------------------------------

def test_a_title_naming_another_screen_size_does_not_fit():
    assert title_names_other_screen("TCL Q10K Mini LED 55英寸 液晶平板电视", "65英寸")
    assert not title_names_other_screen("TCL T7K QD-Mini LED 65英寸 液晶平板电视", "65英寸")
    assert not title_names_other_screen("小米电视 液晶平板电视", "65英寸")        # no size named: the SKU decides
    assert not title_names_other_screen("耐克 跑鞋 42码", "42")                    # a shoe size is no screen


def test_the_request_checks_keyword_and_screen_in_the_title():
    request = RecommendationRequest(category="电视", size="65英寸")
    assert request.fits_title("海信 E8K ULED 65英寸 液晶平板电视")
    assert not request.fits_title("索尼 X90L 4K HDR 55英寸 液晶平板电视")
    assert not RecommendationRequest(keyword="卫衣").fits_title("纯棉T恤")


# --- "这两个哪个好", "还有几件" ------------------------------------------------------------------

def test_these_two_of_two_shown_are_both():
    assert these_two("这两个哪个好", 2) == (0, 1)
    assert these_two("这两个哪个好", 5) is None


def test_these_two_of_five_shown_asks_which_two():
    assert asks_about_two_unnamed("这两个哪个好", 5)
    assert asks_about_two_unnamed("这俩有啥区别", 3)
    assert not asks_about_two_unnamed("第一个和第三个哪个好", 5)
    assert not asks_about_two_unnamed("这两个有货吗", 5)


@pytest.mark.parametrize("text", ["还有几件", "还剩多少", "库存多少", "剩几台了"])
def test_how_many_are_left(text):
    assert asks_how_many(text)


@pytest.mark.parametrize("text", ["有货吗", "买两件可以吗"])
def test_not_how_many(text):
    assert not asks_how_many(text)
