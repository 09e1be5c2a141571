"""Typed catalogue refinements (issue 15, catalogue helper) on the seeded databases: another
brand keeps category and budget, a policy question gets the policy, a pick from the list on
screen, the shop's lack of a thing said plainly, an angry question answered with an apology."""
from __future__ import annotations

from actions.product import ActionProductInquiry
from actions.purchase import ActionPurchaseHelp
from actions.recommend import ActionRecommend
from shop.db.catalogue import get_product_detail, search_products
from tests.support.actions import run_action, tracker


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def cards(messages):
    return [p for m in messages if m.get("custom") for p in m["custom"].get("products", [])]


def state_of(events):
    return next(e["value"] for e in events if e.get("name") == "recommendation")


def test_another_brand_leaves_out_the_brands_shown_and_keeps_category_and_budget(shop_db):
    first, events = run_action(ActionRecommend(), tracker(
        "五千以内的手机", "ask_recommendation", {"category": "手机", "budget_max": "5000"}))
    with shop_db() as session:
        shown_brands = {get_product_detail(session, int(c["id"])).brand for c in cards(first)}
    assert shown_brands
    messages, events = run_action(ActionRecommend(), tracker(
        "换个牌子", "ask_recommendation", {}, slots={"recommendation": state_of(events)}))
    assert "不含" in texts(messages)
    # No other brand within the budget (round 17): said so, with the other brands nearest it.
    outside = "价格最接近" in texts(messages)
    assert not outside or "¥5,000以内”暂时没有在售的商品" in texts(messages)
    with shop_db() as session:
        for card in cards(messages):
            product = get_product_detail(session, int(card["id"]))
            assert product.brand not in shown_brands
            assert "手机" in product.category_path and (outside or product.price <= 5000)
    assert set(state_of(events)["exclude_brands"]) == shown_brands


def test_a_brand_said_with_no_is_left_out(shop_db):
    _, events = run_action(ActionRecommend(), tracker("推荐个手机", "ask_recommendation", {"category": "手机"}))
    messages, _ = run_action(ActionRecommend(), tracker(
        "不要苹果的", "ask_recommendation", {"brand": "Apple"}, slots={"recommendation": state_of(events)}))
    assert cards(messages)
    with shop_db() as session:
        assert all(get_product_detail(session, int(c["id"])).brand != "Apple" for c in cards(messages))


def test_an_authenticity_question_without_a_product_gets_the_policy(shop_db):
    messages, _ = run_action(ActionProductInquiry(), tracker(
        "你们是正品吗", "product_inquiry", {"topic": "authenticity"}))
    assert "正品" in texts(messages) and not cards(messages)
    assert not any(m.get("buttons") for m in messages)          # no product list to choose from


def test_a_pick_from_the_list_on_screen(shop_db):
    with shop_db() as session:
        listed = search_products(session, category="手机", in_stock_only=True, limit=3)
    shown = {"event": "bot", "text": "找到了几款相关商品，您想了解哪一款？", "data": {"buttons": [
        {"title": p.title[:30], "payload": f'/product_inquiry{{"product_id": "{p.id}"}}'} for p in listed]}}
    messages, events = run_action(ActionProductInquiry(), tracker(
        "第二个", "product_inquiry", {}, events=[shown]))
    assert f"【{listed[1].title}】" in texts(messages)
    assert {"event": "slot", "timestamp": None, "name": "product_id", "value": str(listed[1].id)} in events


def test_something_the_shop_does_not_sell_is_said_plainly_on_the_purchase_path(shop_db):
    messages, _ = run_action(ActionPurchaseHelp(), tracker("想给我妈买个按摩仪", "purchase", {}))
    said = texts(messages)
    assert "没有卖按摩仪" in said and "个护电器" in said and not cards(messages)


def test_an_angry_question_is_answered_between_an_apology_and_a_hand_off_offer(shop_db):
    messages, events = run_action(ActionProductInquiry(), tracker(
        "你们到底是不是正品😡", "product_inquiry", {"topic": "authenticity"}))
    said = texts(messages)
    assert said.startswith("非常抱歉") and "正品" in said and "转人工" in said
    assert any(e.get("name") == "pending_offer" and e.get("value") == "handoff" for e in events)
