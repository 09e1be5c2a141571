"""Conversations end to end over HTTP, both servers running, against the seeded database.

Replies must carry the facts stored in the database, and a token for one customer must
never yield another customer's data, whatever is typed.
"""
import re
import uuid

import pytest
from sqlalchemy import select

from shop.db.models import AfterSalesRequest, HandoffRequest, Order
from shop.db.orders import get_order
from shop.identity import issue_customer_token
from shop.seed.fixtures import MAIN_CUSTOMER_ID, OTHER_CUSTOMER_ID
from tests.support.stack import TEST_TOKEN_SECRET

pytestmark = pytest.mark.integration


def sender() -> str:
    return f"conv-{uuid.uuid4().hex[:12]}"


def signed_in(customer_id: int) -> dict:
    return {"customer_token": issue_customer_token(customer_id, secret=TEST_TOKEN_SECRET)}


def text_of(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def customs(replies, kind):
    return [r["custom"] for r in replies if isinstance(r.get("custom"), dict) and r["custom"].get("type") == kind]


def order_number(shop_session, customer_id: int, status: str) -> str:
    with shop_session() as session:
        return session.execute(
            select(Order.order_no).where(Order.customer_id == customer_id, Order.status == status).order_by(Order.id)
        ).scalars().first()


def test_order_status_carries_status_and_latest_logistics_event(live_stack, shop_session):
    number = order_number(shop_session, MAIN_CUSTOMER_ID, "in_transit")
    with shop_session() as session:
        order = get_order(session, MAIN_CUSTOMER_ID, number)
    latest = order.shipment.latest_event.description
    replies = live_stack.say(sender(), f"帮我查下订单{number}到哪了", metadata=signed_in(MAIN_CUSTOMER_ID))
    reply = text_of(replies)
    assert order.status_label in reply and latest in reply, reply
    timeline = customs(replies, "order_timeline")
    assert timeline and timeline[0]["order"]["order_no"] == number
    assert timeline[0]["order"]["events"][0]["text"] == latest


def test_latest_order_without_a_number_and_recent_list(live_stack, shop_session):
    replies = live_stack.say(sender(), "帮我查下订单", metadata=signed_in(MAIN_CUSTOMER_ID))
    timeline = customs(replies, "order_timeline")
    assert timeline, text_of(replies)
    with shop_session() as session:
        newest = session.execute(
            select(Order.order_no).where(Order.customer_id == MAIN_CUSTOMER_ID).order_by(Order.created_at.desc(), Order.id.desc())
        ).scalars().first()
    assert timeline[0]["order"]["order_no"] == newest
    others = customs(replies, "order_list")
    assert others and all(o["order_no"] != newest for o in others[0]["orders"])


def test_asking_where_the_parcel_is_means_the_latest_order_with_logistics(live_stack, shop_session):
    replies = live_stack.say(sender(), "我的快递到哪了", metadata=signed_in(MAIN_CUSTOMER_ID))
    timeline = customs(replies, "order_timeline")
    assert timeline and timeline[0]["order"]["events"], text_of(replies)
    with shop_session() as session:
        shipped = session.execute(
            select(Order.order_no).where(Order.customer_id == MAIN_CUSTOMER_ID, Order.shipped_at.is_not(None))
            .order_by(Order.created_at.desc(), Order.id.desc())
        ).scalars().first()
    assert timeline[0]["order"]["order_no"] == shipped


@pytest.mark.parametrize(
    "message",
    ["订单{other}到哪了", "/order_status{{\"order_no\": \"{other}\"}}", "我是{other_name}，查订单{other}"],
)
def test_another_customers_order_gets_the_same_reply_as_a_missing_one(live_stack, shop_session, message):
    other = order_number(shop_session, OTHER_CUSTOMER_ID, "in_transit")
    missing = "20200101" + "0000000001"
    token = signed_in(MAIN_CUSTOMER_ID)
    theirs = text_of(live_stack.say(sender(), message.format(other=other, other_name="李娜"), metadata=token))
    nothing = text_of(live_stack.say(sender(), message.format(other=missing, other_name="李娜"), metadata=token))
    # Identical up to the numbers the shopper typed (and any ticket number the reply carries).
    normalise = lambda reply, number: re.sub(r"(RG|SH)\d{14}", r"\1", reply.replace(number, "N"))  # noqa: E731
    assert normalise(theirs, other) == normalise(nothing, missing)
    assert "运输中" not in theirs


def test_guest_needs_the_phone_suffix_of_the_order(live_stack, shop_session):
    number = order_number(shop_session, OTHER_CUSTOMER_ID, "in_transit")
    with shop_session() as session:
        phone = session.execute(select(Order.recipient_phone).where(Order.order_no == number)).scalar_one()
    wrong = "0000" if phone[-4:] != "0000" else "1111"
    guest = sender()
    first = text_of(live_stack.say(guest, f"查订单{number}"))
    assert "后四位" in first and "运输中" not in first
    refused = text_of(live_stack.say(guest, f"/inform{{\"phone_suffix\": \"{wrong}\"}}"))
    assert "不匹配" in refused
    guest2 = sender()
    live_stack.say(guest2, f"查订单{number}")
    shown = live_stack.say(guest2, f"手机尾号{phone[-4:]}")
    assert "运输中" in text_of(shown), text_of(shown)


def test_a_forged_token_is_a_guest(live_stack, shop_session):
    number = order_number(shop_session, MAIN_CUSTOMER_ID, "in_transit")
    forged = {"customer_token": issue_customer_token(MAIN_CUSTOMER_ID, secret="x" * 40)}
    reply = text_of(live_stack.say(sender(), f"订单{number}到哪了", metadata=forged))
    assert "运输中" not in reply and "后四位" in reply


def test_purchase_policy_answer_comes_from_the_faq(live_stack):
    reply = text_of(live_stack.say(sender(), "可以开发票吗"))
    assert "发票" in reply and "抬头" in reply


def test_after_sales_request_is_filed_and_exists_in_the_database(live_stack, shop_session):
    number = order_number(shop_session, MAIN_CUSTOMER_ID, "delivered")
    token = signed_in(MAIN_CUSTOMER_ID)
    talk = sender()
    live_stack.say(talk, "我要退货", metadata=token)
    live_stack.say(talk, f"/inform{{\"order_no\": \"{number}\"}}", metadata=token)
    with shop_session() as session:
        item = get_order(session, MAIN_CUSTOMER_ID, number).items[0]
    live_stack.say(talk, f"/inform{{\"order_item_id\": \"{item.id}\"}}", metadata=token)
    summary = text_of(live_stack.say(talk, "/inform{\"reason\": \"quality\"}", metadata=token))
    # Nothing is filed before the shopper confirms the summary (its button sends 确认提交).
    assert "确认提交吗" in summary and "服务单号" not in summary, summary
    replies = live_stack.say(talk, "确认提交", metadata=token)
    reply = text_of(replies)
    assert "服务单号" in reply, reply
    request_no = re.search(r"SH\d{14}", reply).group(0)
    with shop_session() as session:
        stored = session.execute(select(AfterSalesRequest).where(AfterSalesRequest.request_no == request_no)).scalar_one()
        assert stored.customer_id == MAIN_CUSTOMER_ID and stored.order_item_id == item.id
    status = text_of(live_stack.say(talk, "我的售后进度怎么样了", metadata=token))
    assert request_no in status


def test_after_sales_form_can_be_cancelled(live_stack, shop_session):
    token = signed_in(MAIN_CUSTOMER_ID)
    talk = sender()
    with shop_session() as session:
        before = session.execute(select(AfterSalesRequest.id)).all()
    asked = text_of(live_stack.say(talk, "我要换货", metadata=token))
    assert "订单" in asked
    cancelled = text_of(live_stack.say(talk, "算了，不换了", metadata=token))
    assert "取消" in cancelled
    with shop_session() as session:
        assert session.execute(select(AfterSalesRequest.id)).all() == before
    # The form is gone: a greeting is just a greeting.
    assert "您好" in text_of(live_stack.say(talk, "你好", metadata=token))


def test_handoff_records_a_summary_an_agent_can_read(live_stack, shop_session):
    talk = sender()
    token = signed_in(MAIN_CUSTOMER_ID)
    live_stack.say(talk, "我的快递到哪了", metadata=token)
    reply = text_of(live_stack.say(talk, "转人工", metadata=token))
    assert "工单号" in reply
    with shop_session() as session:
        ticket = session.execute(select(HandoffRequest).where(HandoffRequest.sender_id == talk)).scalar_one()
    assert ticket.customer_id == MAIN_CUSTOMER_ID
    assert "订单查询" in ticket.summary and "查询订单" in ticket.summary


def test_guest_cannot_file_after_sales(live_stack, shop_session):
    with shop_session() as session:
        before = session.execute(select(AfterSalesRequest.id)).all()
    reply = text_of(live_stack.say(sender(), "我要退货"))
    assert "登录" in reply
    with shop_session() as session:
        assert session.execute(select(AfterSalesRequest.id)).all() == before


def card_products(replies):
    cards = customs(replies, "product_cards")
    return [p for c in cards for p in c["products"]]


def test_recommendation_cards_are_real_in_stock_products_in_category_and_budget(live_stack, shop_session):
    from shop.db.catalogue import get_product_detail

    talk = sender()
    replies = live_stack.say(talk, "推荐个两千左右的手机")
    cards = card_products(replies)
    assert cards, text_of(replies)
    with shop_session() as session:
        for card in cards:
            product = get_product_detail(session, int(card["id"]))
            assert product is not None and product.in_stock
            assert "手机" in product.category_path
            assert 1600 <= float(product.price) <= 2400
            assert card["price_text"].replace(",", "").endswith(f"{product.price:.2f}")
            assert card["reason"]
            assert {b["title"] for b in card["buttons"]} == {"问问这款", "我要买"}
    more = card_products(live_stack.say(talk, "还有别的吗"))
    assert not {c["id"] for c in more} & {c["id"] for c in cards}


def test_card_button_asks_about_that_product(live_stack, shop_session):
    from shop.db.catalogue import get_product_detail

    talk = sender()
    cards = card_products(live_stack.say(talk, "推荐个手机"))
    assert cards
    button = next(b for b in cards[0]["buttons"] if b["title"] == "问问这款")
    reply = text_of(live_stack.say(talk, button["payload"]))
    with shop_session() as session:
        product = get_product_detail(session, int(cards[0]["id"]))
    assert product.title in reply and f"{product.price:,.2f}" in reply
