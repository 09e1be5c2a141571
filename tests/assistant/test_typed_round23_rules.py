"""Rules behind typed round 23 (tests/conversations/typed_round23.yml): "这两个哪个好" after
looking at two products, a TV's screen size typed ("65寸", "有55的吗"), the number bought
changed ("算了改成一个吧"), delivery time to a city before buying, an unpaid order given up,
and the no-lift cue kept in one list."""
from datetime import datetime, timezone
from decimal import Decimal
from types import SimpleNamespace

import pytest

from assistant.bought import changes_quantity, decides_to_buy, quantity_decided
from assistant.delivery_quotes import asks_delivery_to_city, delivery_quote, destination_city
from assistant.faq import faq_book
from assistant.follow_up import follow_up, is_fragment
from assistant.order_matching import cancel_requested
from assistant.product_questions import fit_unknown_reply, fits_with_asked
from assistant.recommendation_requests import asks_bigger, category_spelt_out
from assistant.product_facts import comparison_verdict, match_variant, screen_inches, wanted_variant
from assistant.services import NO_LIFT, STAIRS_WORDS
from assistant.typed_answers import asks_these_two, two_in_play


# --- "这两个哪个好": the two looked at ------------------------------------------------------

@pytest.mark.parametrize("text,asks", [("这两个哪个好", True), ("这俩有什么区别", True), ("这两个有货吗", False),
                                       ("第一个和第三个哪个好", False), ("哪个好", False)])
def test_these_two_compared_without_naming_them(text, asks):
    assert asks_these_two(text) is asks


def test_the_two_in_play_are_the_last_two_different_products_looked_at():
    assert two_in_play([26, 80]) == (26, 80)
    assert two_in_play([26, 80, 80, 39]) == (80, 39)
    assert two_in_play([26, 26]) is None
    assert two_in_play([]) is None


def product(model, price, rating, title=None):
    return SimpleNamespace(model=model, title=title or model, price=Decimal(price), rating=rating)


def test_the_verdict_says_which_is_cheaper_by_how_much_and_which_is_better_rated():
    verdict = comparison_verdict(product("Redmi K70 Pro", "3299", 4.8), product("畅享 70", "1229", 4.6))
    assert "【畅享 70】便宜 ¥2,070.00" in verdict and "【Redmi K70 Pro】评分更高（4.8分）" in verdict
    both = comparison_verdict(product("小米14", "5199", 4.8), product("iPhone 15", "5999", 4.6))
    assert "【小米14】便宜 ¥800.00，评分也更高（4.8分）" in both
    same = comparison_verdict(product("X", "100", 4.5), product("Y", "100", 4.5))
    assert same.startswith("两款价格和评分都差不多")


def test_two_listings_of_one_model_are_told_apart_by_title():
    verdict = comparison_verdict(product("E8K", "4999", 4.5, "海信 E8K 55英寸"), product("E8K", "7519", 4.5, "海信 E8K 65英寸"))
    assert "【海信 E8K 55英寸】便宜" in verdict


# --- screen sizes typed ---------------------------------------------------------------------

@pytest.mark.parametrize("text,inches", [("65寸有货吗", "65英寸"), ("有55的吗", "55英寸"), ("要75英寸的", "75英寸"),
                                         ("65吋", "65英寸"), ("2000的", None), ("300的耳机", None), ("小米14", None)])
def test_a_screen_size_is_read_as_typed(text, inches):
    assert screen_inches(text) == inches


def tv(*sizes):
    skus = [SimpleNamespace(attributes={"屏幕尺寸": s}, is_active=True, stock=5, in_stock=True, name=s,
                            price=Decimal("4999")) for s in sizes]
    return SimpleNamespace(skus=skus, title="海信 E8K ULED 55英寸 液晶平板电视", model="E8K ULED", attributes={})


def test_a_screen_size_typed_without_its_unit_picks_that_sku():
    assert wanted_variant(tv("55英寸", "65英寸"), "海信E8K 65寸有货吗") == {"屏幕尺寸": "65英寸"}


def test_a_screen_size_the_listing_lacks_is_kept_so_the_answer_can_say_so():
    wanted = wanted_variant(tv("55英寸"), "65寸的有吗")
    assert wanted == {"屏幕尺寸": "65英寸"} and match_variant(tv("55英寸"), wanted).skus == []


# --- buying: the number changed --------------------------------------------------------------

@pytest.mark.parametrize("text,changes,quantity", [("算了改成一个吧", True, 1), ("还是只要一件", True, 1),
                                                   ("换成三台吧", True, 3), ("改成2件", True, 2), ("改地址", False, 1)])
def test_the_number_bought_is_changed(text, changes, quantity):
    assert changes_quantity(text) is changes and quantity_decided(text) == quantity


def test_buying_some_still_reads_as_before():
    assert decides_to_buy("买两个") and quantity_decided("买两个") == 2 and not changes_quantity("买两个")


# --- delivery to a city, before buying --------------------------------------------------------

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)     # 10:00 in China


@pytest.mark.parametrize("text,city", [("发到成都几天能到", "成都市"), ("今天下单明天能到上海吗", "上海市"),
                                       ("寄去西安多久", "西安市"), ("我在杭州", None), ("耳机几天能到", None)])
def test_the_city_the_goods_go_to(text, city):
    assert destination_city(text) == city


def test_the_quote_is_for_goods_paid_now_to_that_city():
    quote = delivery_quote("发到成都几天能到", NOW)
    assert quote.startswith("发往成都：现在付款的话，预计12月") and "实际以物流为准" in quote


def test_a_city_named_without_asking_how_long_is_no_delivery_question():
    assert not asks_delivery_to_city("耳机到北京了吗") and delivery_quote("我在北京", NOW) is None


# --- an unpaid order given up ------------------------------------------------------------------

@pytest.mark.parametrize("text", ["还没付款的那个订单不想要了", "我刚下的单还没付款 不想要了", "没付钱的那单不买了"])
def test_an_unpaid_order_given_up_is_a_cancellation(text):
    assert cancel_requested(text)


@pytest.mark.parametrize("text", ["这个耳机不想要了", "还没付款 能便宜点吗"])
def test_other_words_are_no_cancellation(text):
    assert not cancel_requested(text)


# --- the no-lift words: one list ----------------------------------------------------------------

def test_no_lift_is_a_follow_up_cue_and_a_stairs_word_from_one_list():
    for text in ("我住6楼没电梯", "没有电梯"):
        assert NO_LIFT.search(text) and STAIRS_WORDS.search(text) and is_fragment(text)


@pytest.mark.parametrize("text,quantity", [("就它了 拿两件", 2), ("好 就这个，要三个", 3), ("那就买这个", 1)])
def test_a_decision_and_how_many_in_one_message(text, quantity):
    assert decides_to_buy(text) and quantity_decided(text) == quantity


def test_asking_whether_to_buy_is_no_decision():
    assert not decides_to_buy("这个怎么样 要不要买")


# --- a category spelt out around the word typed -----------------------------------------------

def test_running_shoes_spelt_out_are_that_category_not_every_shoe():
    names = ["鞋靴", "跑步鞋", "手机", "手机配件"]
    assert category_spelt_out("有没有适合跑步的鞋 五百左右", "鞋", names) == "跑步鞋"
    assert category_spelt_out("推荐双鞋", "鞋", names) is None
    assert category_spelt_out("跑步鞋推荐", "跑步鞋", names) is None


# --- "能连iPhone吗": the product in view with another thing -------------------------------------

@pytest.mark.parametrize("text,other", [("能连iPhone吗", "iPhone"), ("能用20W的充电头吗", "20W的充电头"),
                                        ("适配小米14吗", "小米14"), ("能用多久", None), ("这个好用吗", None)])
def test_the_other_thing_a_fitting_question_names(text, other):
    assert fits_with_asked(text) == other


def test_a_fit_the_record_does_not_state_is_said_so():
    reply = fit_unknown_reply("华为 FreeBuds 5i", "iPhone")
    assert "没有写明能不能搭配“iPhone”使用" in reply and "转人工" in reply


# --- "要大一点的" after a list ---------------------------------------------------------------------

@pytest.mark.parametrize("text,bigger", [("要大一点的", True), ("有没有更大的", True), ("大点的呢", True),
                                         ("大一码的", False), ("要大屏的", False), ("大", False)])
def test_bigger_asked_after_a_list(text, bigger):
    assert asks_bigger(text) is bigger


# --- "没有电梯" after an installation fee --------------------------------------------------------

def test_no_lift_after_an_installation_fee_is_its_stairs_charge_even_heard_as_a_no():
    found = follow_up("没有电梯", [{"name": "deny", "confidence": 0.85}], [], "after_sales",
                      [{"entity": "topic", "value": "installation"}, {"entity": "category", "value": "健身器材"}])
    assert found is not None and found.intent == "after_sales"
    assert {"entity": "category", "value": "健身器材"} in found.entities
    assert {"entity": "topic", "value": "installation"} in found.entities


def test_no_lift_after_anything_else_is_left_alone():
    assert follow_up("没有电梯", [{"name": "deny", "confidence": 0.85}], [], "after_sales",
                     [{"entity": "topic", "value": "return"}]) is None


# --- a policy's yes/no about the product in view ------------------------------------------------

def test_pickup_asked_about_an_air_conditioner_in_view_is_its_verdict():
    pickup = faq_book().answer("pickup")
    assert pickup.for_question("能自提吗", about=("家用电器", "空调")).startswith("不能。空调属于大家电")
    assert not pickup.for_question("能自提吗", about=("手机数码", "耳机耳麦")).startswith("不能")
    assert not pickup.for_question("能自提吗").startswith("不能")
