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


def test_the_recommender_is_given_the_shop_colour_rule_as_the_shades_it_accepts():
    from assistant.product_picks import _filters
    from shop.domain.colours import shades_answering

    request = RecommendationRequest(category="手机", colour="黑色", size="42")
    attributes = dict(_filters(request).attributes)
    assert attributes["颜色"] == shades_answering("黑色") and "曜石黑" in attributes["颜色"]
    assert attributes["尺码"] == "42"
