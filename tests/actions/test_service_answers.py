"""Service answers through the real actions on the seeded databases (SQLite and PostgreSQL):
repair points near the shopper, installation fees, when the installer comes."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from actions.after_sales import ActionAfterSalesRoute
from actions.purchase import ActionPurchaseHelp
from shop.db.catalogue import search_products
from shop.db.models import CustomerAddress, Order
from shop.db.services import service_points
from shop.domain.installation import installation_window, moment_text
from shop.seed.fixtures import INSTALLATION_CUSTOMER_ID, MAIN_CUSTOMER_ID
from tests.support.actions import run_action, token, tracker


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def installation_order(shop_db):
    with shop_db() as session:
        return session.execute(
            select(Order.order_no, Order.status, Order.delivered_at)
            .where(Order.customer_id == INSTALLATION_CUSTOMER_ID, Order.id == 15)).one()


def test_repair_points_near_a_signed_in_shopper_come_from_the_default_address(shop_db):
    with shop_db() as session:
        city = session.execute(select(CustomerAddress.city).where(
            CustomerAddress.customer_id == MAIN_CUSTOMER_ID, CustomerAddress.is_default.is_(True))).scalar_one()
        points = service_points(session, city)
    messages, events = run_action(ActionAfterSalesRoute(), tracker(
        "附近的维修点", "after_sales", {"topic": "repair"}, metadata=token(MAIN_CUSTOMER_ID)))
    reply = texts(messages)
    assert f"按您的默认收货地址（{city}）" in reply
    assert points and all(p.name in reply and p.phone in reply for p in points[:3])
    assert slot_events(events)["after_sales_next"] == "answered"        # not the after-sales form


def test_a_typed_city_wins_and_its_district_comes_first(shop_db):
    messages, _ = run_action(ActionAfterSalesRoute(), tracker(
        "北京海淀有没有售后网点", "after_sales", {}, metadata=token(MAIN_CUSTOMER_ID)))
    reply = texts(messages)
    assert "北京市的售后服务网点" in reply and "默认收货地址" not in reply
    assert reply.index("海淀区") < reply.index("朝阳区")


def test_a_guest_without_a_city_is_asked_for_one(shop_db):
    messages, events = run_action(ActionAfterSalesRoute(), tracker("附近有维修点吗", "after_sales", {"topic": "repair"}))
    assert "哪个城市" in texts(messages) and slot_events(events)["after_sales_next"] == "answered"


def test_a_place_without_points_is_said_plainly(shop_db):
    messages, _ = run_action(ActionAfterSalesRoute(), tracker(
        "我在拉萨市，哪里可以修手机", "after_sales", {"topic": "repair", "category": "手机"}, metadata=token(MAIN_CUSTOMER_ID)))
    reply = texts(messages)
    assert "拉萨市暂时没有" in reply and "寄修" in reply and "默认收货地址" not in reply


def test_repair_points_for_a_category_only_list_who_repairs_it(shop_db):
    messages, _ = run_action(ActionPurchaseHelp(), tracker(
        "空调坏了，上海哪里可以修", "purchase", {"topic": "repair", "category": "空调"}))
    reply = texts(messages)
    assert "上海市的售后服务网点（可维修空调）" in reply
    assert "家电服务站" in reply and "数码维修中心" not in reply
    assert "保修期内非人为损坏免费维修，有三种方式" not in reply        # the FAQ is not repeated after the data


def test_installation_fee_by_category_in_both_flows(shop_db):
    for action, intent in ((ActionPurchaseHelp(), "purchase"), (ActionAfterSalesRoute(), "after_sales")):
        messages, _ = run_action(action, tracker("空调安装收费吗", intent, {"topic": "installation", "category": "空调"}))
        reply = texts(messages)
        assert "空调提供免费标准安装" in reply and "铜管超出3米每米¥60" in reply
        assert reply.count("空调提供免费标准安装") == 1


def test_installation_fee_of_the_product_in_view(shop_db):
    with shop_db() as session:
        lamp = search_products(session, category="灯具照明", limit=1)[0]
    messages, _ = run_action(ActionPurchaseHelp(), tracker(
        "安装费多少", "purchase", {"topic": "installation"}, slots={"product_id": str(lamp.id)}))
    assert "灯具照明安装费 ¥50" in texts(messages)


def test_installation_fee_without_a_category_lists_the_terms(shop_db):
    messages, _ = run_action(ActionPurchaseHelp(), tracker("安装要收费吗", "purchase", {"topic": "installation"}))
    reply = texts(messages)
    assert "空调免费" in reply and "灯具照明¥50" in reply


def test_when_the_installer_comes_for_a_delivered_air_conditioner(shop_db):
    order = installation_order(shop_db)
    messages, events = run_action(ActionAfterSalesRoute(), tracker(
        "师傅什么时候上门", "after_sales", {"topic": "installation"}, metadata=token(INSTALLATION_CUSTOMER_ID)))
    reply = texts(messages)
    from shop.domain.clock import utc_now

    window = installation_window(order.status, order.delivered_at, utc_now())
    assert order.order_no in reply and "空调" in reply
    assert moment_text(window.install_by) in reply
    assert slot_events(events)["after_sales_next"] == "answered"


def test_an_overdue_installation_offers_a_person(shop_db, monkeypatch):
    order = installation_order(shop_db)
    monkeypatch.setattr("actions.services.utc_now", lambda: order.delivered_at + timedelta(days=3))
    messages, _ = run_action(ActionAfterSalesRoute(), tracker(
        "装空调的师傅怎么还没来", "after_sales", {"topic": "installation"}, metadata=token(INSTALLATION_CUSTOMER_ID)))
    assert "已超过承诺的上门时间" in texts(messages)
    assert messages[-1]["buttons"] == [{"title": "转人工催安装", "payload": "/human_handoff"}]


def test_installer_question_without_an_order_gets_the_promise(shop_db):
    guest, _ = run_action(ActionAfterSalesRoute(), tracker("师傅什么时候上门安装", "after_sales", {"topic": "installation"}))
    assert "24 小时内" in texts(guest) and "48 小时内上门安装" in texts(guest) and "登录" in texts(guest)
    member, _ = run_action(ActionAfterSalesRoute(), tracker(
        "师傅什么时候上门安装", "after_sales", {"topic": "installation"}, metadata=token(MAIN_CUSTOMER_ID)))
    assert "您最近没有等待安装的订单" in texts(member)


def test_another_shoppers_order_reveals_nothing(shop_db):
    order = installation_order(shop_db)
    theirs = order.order_no
    missing = "2020010100" + "00000001"
    replies = []
    for number in (theirs, missing):
        messages, _ = run_action(ActionAfterSalesRoute(), tracker(
            f"订单{number}的师傅什么时候上门", "after_sales", {"topic": "installation", "order_no": number},
            metadata=token(MAIN_CUSTOMER_ID)))
        assert "空调" not in texts(messages) and moment_text(order.delivered_at) not in texts(messages)
        assert "里没有待安装的商品" in texts(messages)
        replies.append(texts(messages).replace(number, "N"))
    assert replies[0] == replies[1]


def test_other_questions_go_on_as_before(shop_db):
    invoice, _ = run_action(ActionPurchaseHelp(), tracker("能开发票吗", "purchase", {"topic": "invoice"}))
    assert "增值税专用发票" in texts(invoice)
    _, events = run_action(ActionAfterSalesRoute(), tracker(
        "我要维修", "after_sales", {"service_type": "维修"}, metadata=token(MAIN_CUSTOMER_ID)))
    assert slot_events(events)["after_sales_next"] == "form"
    gift, _ = run_action(ActionPurchaseHelp(), tracker("礼品卡怎么绑定", "purchase", {"topic": "gift_card"}))
    assert "卡密" in texts(gift)
    review, events = run_action(ActionAfterSalesRoute(), tracker("怎么追评", "after_sales", {"topic": "review"},
                                                                 metadata=token(MAIN_CUSTOMER_ID)))
    assert "追评" in texts(review) and slot_events(events)["after_sales_next"] == "answered"
