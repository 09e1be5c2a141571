from types import SimpleNamespace

import pytest

from assistant.recommendation_requests import RecommendationRequest, next_request, understand, wants_to_buy


def said(text, product_in_context=None, **entities):
    return understand(text, entities, product_in_context)


def shown(request, *prices):
    products = [SimpleNamespace(id=100 + i, price=p) for i, p in enumerate(prices)]
    return request.with_shown(products)


def test_category_starts_a_request():
    request = next_request(None, said("推荐个手机", category="手机"))
    assert request.category == "手机" and request.shown == ()


def test_budget_narrows_the_current_request():
    phones = shown(next_request(None, said("推荐个手机", category="手机")), 3999, 2999)
    narrowed = next_request(phones, said("两千左右的", budget_min="1600", budget_max="2400"))
    assert narrowed.category == "手机"
    assert (narrowed.min_price, narrowed.max_price) == (1600.0, 2400.0)
    assert narrowed.shown == ()


def test_colour_narrows_and_keeps_budget():
    request = next_request(None, said("推荐个手机", category="手机", budget_max="3000"))
    black = next_request(request, said("要黑色的", color="黑色"))
    assert black.colour == "黑色" and black.max_price == 3000.0 and black.category == "手机"


def test_cheaper_goes_below_the_cheapest_shown():
    phones = shown(next_request(None, said("推荐个手机", category="手机")), 3999, 2999, 5999)
    cheaper = next_request(phones, said("有没有便宜点的"))
    assert cheaper.max_price is not None and cheaper.max_price < 2999
    assert cheaper.category == "手机"


def test_more_keeps_filters_and_what_was_shown():
    phones = shown(next_request(None, said("推荐个手机", category="手机", color="白色")), 3999, 2999)
    more = next_request(phones, said("还有别的吗"))
    assert more.shown == phones.shown and more.colour == "白色"


def test_new_category_starts_over():
    phones = shown(next_request(None, said("推荐个手机", category="手机", color="白色")), 3999)
    headphones = next_request(phones, said("推荐个耳机", category="耳机"))
    assert headphones.category == "耳机" and headphones.colour is None and headphones.shown == ()


def test_similar_anchors_on_the_product_in_context():
    request = next_request(None, said("有类似这款的吗", product_in_context=42))
    assert request.anchor_product_id == 42 and request.category is None


def test_guess_what_i_like_is_personal():
    assert next_request(None, said("猜我喜欢")).personal


def test_slot_round_trip_and_garbage():
    request = shown(next_request(None, said("推荐个手机", category="手机", budget_max="3000")), 2999)
    assert RecommendationRequest.from_slot(request.to_slot()) == request
    assert RecommendationRequest.from_slot("not a dict") is None
    assert RecommendationRequest.from_slot({"max_price": "lots"}) is None
    assert RecommendationRequest.from_slot({"shown": ["1", "x", 2]}).shown == (1, 2)


def test_stated_budget_wins_over_cheaper():
    phones = shown(next_request(None, said("推荐个手机", category="手机")), 3999, 1699)
    cheaper = next_request(phones, said("有没有便宜点的，一千五以内", budget_max="1500"))
    assert cheaper.max_price == 1500.0 and cheaper.category == "手机"
    assert "1,500" in cheaper.describe() and "1,444" not in cheaper.describe()


def test_gift_starts_over_in_a_category_that_suits_the_recipient():
    phones = shown(next_request(None, said("推荐个手机", category="手机")), 3999)
    gift = next_request(phones, said("有没有适合送女朋友的礼物"))
    assert gift.gift_for == "女朋友" and gift.category == "香水" and gift.shown == ()
    assert RecommendationRequest.from_slot(gift.to_slot()) == gift
    cheaper = next_request(shown(gift, 899), said("五百以内的", budget_max="500"))
    assert cheaper.gift_for == "女朋友" and cheaper.category == "香水" and cheaper.max_price == 500.0


def test_what_the_shop_does_not_sell_is_named_with_nearest_categories():
    understood = said("想给我妈买个按摩仪")
    assert understood.not_carried == ("按摩仪", ("个护电器", "健身器材"))
    assert said("推荐个手机", category="手机").not_carried is None
    assert said("芍药花茶").not_carried is None


def shown_with_brands(request, *items):
    products = [SimpleNamespace(id=200 + i, price=price, brand=brand) for i, (brand, price) in enumerate(items)]
    return request.with_shown(products)


def test_another_brand_leaves_out_the_brands_shown_and_keeps_category_and_budget():
    phones = shown_with_brands(next_request(None, said("推荐个手机", category="手机", budget_max="5000")),
                               ("华为", 3999), ("Apple", 4999), ("华为", 2999))
    other = next_request(phones, said("换个牌子"))
    assert other.exclude_brands == ("华为", "Apple")
    assert other.category == "手机" and other.max_price == 5000.0 and other.brand is None
    assert other.excludes_brand("apple") and not other.excludes_brand("小米")
    assert "不含华为/Apple" in other.describe()


def test_a_brand_named_after_no_is_left_out_not_asked_for():
    phones = shown_with_brands(next_request(None, said("推荐个手机", category="手机")), ("Apple", 5999), ("小米", 1999))
    not_apple = next_request(phones, said("不要苹果的", brand="Apple"))
    assert not_apple.brand is None and not_apple.exclude_brands == ("Apple",)
    assert not_apple.category == "手机"
    # and asking for it again later takes it back in
    again = next_request(not_apple, said("还是要苹果的", brand="Apple"))
    assert again.brand == "Apple" and again.exclude_brands == ()


def test_another_brand_after_a_brand_was_asked_for_leaves_that_brand_out():
    huawei = next_request(next_request(None, said("推荐个手机", category="手机")), said("要华为的", brand="华为"))
    other = next_request(shown_with_brands(huawei, ("华为", 3999)), said("别的品牌呢"))
    assert other.brand is None and other.exclude_brands == ("华为",)


def test_dearer_goes_above_the_dearest_shown_then_above_the_middle():
    phones = shown(next_request(None, said("推荐个手机", category="手机")), 5179, 5669, 6079, 8479, 13379)
    dearer = next_request(phones, said("再贵点"))
    assert dearer.min_price > 13379 and dearer.max_price is None and dearer.category == "手机"
    # nothing above the flagship: the second try goes above the middle, skipping what was shown
    relaxed = next_request(phones, said("再贵点"), relaxed=True)
    assert 6079 < relaxed.min_price < 8479 and relaxed.shown == phones.shown


def test_cheaper_relaxed_goes_below_the_middle_and_skips_what_was_shown():
    buds = shown(next_request(None, said("推荐个耳机", category="耳机耳麦")), 199, 389, 499, 749, 1499)
    relaxed = next_request(buds, said("有没有更便宜的"), relaxed=True)
    assert 389 < relaxed.max_price < 499 and relaxed.shown == buds.shown


def test_brand_exclusion_survives_the_slot():
    request = RecommendationRequest(category="手机", exclude_brands=("华为",), shown_brands=("华为", "vivo"))
    assert RecommendationRequest.from_slot(request.to_slot()) == request
    assert RecommendationRequest.from_slot({"exclude_brands": "华为"}).exclude_brands == ()


def test_a_word_narrower_than_its_category_narrows_the_request():
    from assistant.recommendation_requests import another_name_for, narrower_word

    assert narrower_word("卫衣", "服饰鞋包") == "卫衣"        # read as a whole department
    assert narrower_word("口红", "彩妆") == "口红"            # read as a leaf that holds more kinds
    assert narrower_word("耳机", "耳机耳麦") is None          # the category's own name
    assert narrower_word("服饰", "服饰鞋包") is None
    assert narrower_word("电视机", "电视") is None
    # A word no title holds: another name of the category, or a kind the shop lacks.
    assert another_name_for("鞋子", "鞋靴") and another_name_for("尿不湿", "纸尿裤")
    assert not another_name_for("睫毛膏", "彩妆")
    lipsticks = next_request(None, understand("推荐个口红", {"category": "彩妆"}, None, keyword="口红"))
    assert lipsticks.keyword == "口红" and "口红" in lipsticks.describe()
    hoodies = next_request(None, understand("有红色卫衣吗", {"category": "服饰鞋包", "color": "红色"}, None, keyword="卫衣"))
    assert hoodies.keyword == "卫衣" and hoodies.colour == "红色" and "卫衣" in hoodies.describe()
    trousers = next_request(hoodies, understand("看看裤子", {"category": "服饰鞋包"}, None, keyword="裤子"))
    assert trousers.keyword == "裤子" and trousers.colour is None       # a new need starts over


def test_several_brands_named_after_no_are_all_left_out():
    phones = next_request(None, said("推荐个手机", category="手机"))
    both = next_request(phones, understand("除了苹果和华为还有啥", {"brand": "Apple"}, None, brands=["Apple", "华为"]))
    assert both.exclude_brands == ("Apple", "华为") and both.brand is None


def test_the_recommender_is_given_the_shop_colour_rule_as_the_shades_it_accepts():
    from assistant.product_picks import _filters
    from shop.domain.colours import shades_answering

    request = RecommendationRequest(category="手机", colour="黑色", size="42")
    attributes = dict(_filters(request).attributes)
    assert attributes["颜色"] == shades_answering("黑色") and "曜石黑" in attributes["颜色"]
    assert attributes["尺码"] == "42"


def product(pid, price, rating, attributes=None, title="", description=""):
    return SimpleNamespace(id=pid, price=price, rating=rating, attributes=attributes or {}, title=title,
                           description=description)


def test_value_for_money_and_features_are_asked_rankings():
    from assistant.recommendation_requests import VALUE, ranking_asked

    assert ranking_asked("推荐一款性价比高的手机") == VALUE
    assert ranking_asked("拍照好的手机") == "拍照好"
    assert ranking_asked("续航好一点的") == "续航好"
    assert ranking_asked("有没有降噪的") == "降噪"
    assert ranking_asked("推荐个手机") is None
    request = next_request(None, understand("性价比高的手机", {"category": "手机"}, None))
    assert request.order_by == VALUE and "性价比高" in request.describe()
    assert RecommendationRequest.from_slot(request.to_slot()) == request
    black = next_request(request, understand("要黑色的", {"color": "黑色"}, None))
    assert black.order_by == VALUE                              # a refinement keeps the ranking
    tablets = next_request(request, understand("看看平板", {"category": "平板电脑"}, None))
    assert tablets.order_by is None                             # a new need starts over


def test_value_for_money_puts_the_cheaper_of_the_well_rated_first():
    from assistant.recommendation_requests import VALUE, ranked

    items = [product(1, 5000, 4.9), product(2, 1500, 4.8), product(3, 900, 4.2), product(4, 3000, 4.9)]
    ordered, known = ranked(items, VALUE)
    assert [p.id for p, _ in ordered] == [2, 4, 1, 3] and known


def test_a_feature_ranks_by_its_figure_or_words_and_says_when_the_catalogue_lacks_it():
    from assistant.recommendation_requests import ranked

    phones = [product(1, 3000, 4.9, {"电池容量": "4422mAh"}), product(2, 2000, 4.5, {"电池容量": "5500mAh"}),
              product(3, 2500, 4.8)]
    ordered, known = ranked(phones, "续航好")
    assert [p.id for p, _ in ordered] == [2, 1, 3] and known and "5500mAh" in ordered[0][1]
    earbuds = [product(1, 900, 4.9, title="耳机 长续航"), product(2, 1200, 4.5, title="耳机 主动降噪")]
    assert [p.id for p, _ in ranked(earbuds, "降噪")[0]] == [2, 1]
    ordered, known = ranked(phones, "拍照好")
    assert not known and [p.id for p, _ in ordered] == [1, 3, 2]   # by rating, and said so


def test_cheaper_with_nothing_shown_ranks_the_cheapest_first():
    from assistant.recommendation_requests import CHEAPEST, ranked

    request = next_request(None, understand("有没有便宜点的耳机", {"category": "耳机耳麦"}, None))
    assert request.order_by == CHEAPEST and request.max_price is None
    items = [product(1, 500, 4.9), product(2, 199, 4.5), product(3, 199, 4.8)]
    assert [p.id for p, _ in ranked(items, CHEAPEST)[0]] == [3, 2, 1]
    value = next_request(None, understand("划算的手机", {"category": "手机"}, None))
    assert value.order_by != CHEAPEST                           # value for money, not the cheapest


def test_more_said_on_its_own():
    from assistant.recommendation_requests import asks_for_more

    assert asks_for_more("还有吗") and asks_for_more("还有别的吗？")
    assert not asks_for_more("这款手机还有吗，我想要白色的")


def test_a_quality_inside_the_name_typed_is_no_ranking():
    shoes = understand("推荐个运动鞋", {"category": "跑步鞋"}, None, named=["运动鞋"])
    assert shoes.order_by is None
    assert understand("适合跑步的耳机", {"category": "耳机耳麦"}, None, named=["耳机"]).order_by == "适合运动"


def test_refinement_words_are_what_is_left_of_a_short_refinement():
    from assistant.recommendation_requests import WORD, RecommendationRequest, ranking_label, refinement_words

    assert refinement_words("幼猫吃的") == ["幼猫"]
    assert refinement_words("敏感肌能用吗") == ["敏感肌"]
    assert refinement_words("要甜的") == []                      # one character: too loose
    assert refinement_words("这个手机支持无线充电吗，我想买一个给我爸爸用") == []   # no refinement
    request = RecommendationRequest(category="猫粮", order_by=WORD + "幼猫")
    assert RecommendationRequest.from_slot(request.to_slot()) == request
    assert ranking_label(request.order_by) == "幼猫" and "幼猫" in request.describe()


def test_a_quality_said_with_no_is_left_out():
    from assistant.recommendation_requests import NOT, RecommendationRequest, ranked, ranking_asked

    assert ranking_asked("不要辣的") == NOT + "辣味"
    assert ranking_asked("别给我推荐辣的") == NOT + "辣味"
    assert ranking_asked("不要太贵，要续航好的") == "续航好"      # the "no" is about the price
    assert ranking_asked("是不是续航好") == "续航好"
    snacks = [product(1, 10, 4.5, title="卫龙 辣条"), product(2, 20, 4.9, title="奥利奥 饼干"),
              product(3, 15, 4.7, title="芒果干")]
    ordered, _ = ranked(snacks, NOT + "辣味")
    assert [p.id for p, _ in ordered] == [2, 3]
    request = RecommendationRequest(category="休闲零食", order_by=NOT + "辣味")
    assert RecommendationRequest.from_slot(request.to_slot()) == request and "不要辣味" in request.describe()


def test_any_budget_drops_the_budget():
    phones = next_request(None, said("三千以内的手机", category="手机", budget_max="3000"))
    assert phones.max_price == 3000
    assert next_request(phones, understand("算了，不限预算", {}, None)).max_price is None


@pytest.mark.parametrize("text", ["我想给宝宝买奶粉", "有没有300左右的保温杯", "求推荐耳机", "找个送女友的礼物", "你们有卖猫粮吗"])
def test_the_words_of_a_wish_to_buy(text):
    assert wants_to_buy(text)


@pytest.mark.parametrize("text", ["我的保温杯到哪了", "保温杯保修多久", "买了", ""])
def test_questions_about_goods_bought_are_no_wish_to_buy(text):
    assert not wants_to_buy(text)
