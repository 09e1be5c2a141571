from types import SimpleNamespace

from assistant.recommendation_requests import RecommendationRequest, next_request, understand


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


def test_a_word_read_as_a_whole_department_narrows_the_request():
    from assistant.recommendation_requests import narrower_word

    departments = ("服饰鞋包", "手机数码")
    assert narrower_word("卫衣", "服饰鞋包", departments) == "卫衣"
    assert narrower_word("耳机", "耳机耳麦", departments) is None       # a leaf category: enough
    assert narrower_word("服饰", "服饰鞋包", departments) is None       # the department itself
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
