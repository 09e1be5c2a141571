"""Typed service questions end to end (NLU → rules → action server → shop database): where to
get something repaired, answered from the service points of the city the shopper names."""
import uuid

import pytest

from shop.db.services import service_points
from shop.identity import issue_customer_token
from shop.seed.fixtures import MAIN_CUSTOMER_ID
from tests.support.stack import TEST_TOKEN_SECRET

pytestmark = pytest.mark.integration


def text_of(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def signed_in(customer_id: int) -> dict:
    return {"customer_token": issue_customer_token(customer_id, secret=TEST_TOKEN_SECRET)}


def test_typed_city_and_district_get_that_citys_service_points(live_stack, shop_session):
    with shop_session() as session:
        points = service_points(session, "北京市")
    replies = live_stack.say(f"svc-{uuid.uuid4().hex[:12]}", "北京海淀有没有售后网点", metadata=signed_in(MAIN_CUSTOMER_ID))
    reply = text_of(replies)
    assert "北京市的售后服务网点" in reply, reply
    assert all(p.name in reply and p.phone in reply for p in points)
    haidian = next(p for p in points if p.district == "海淀区")
    assert reply.index(haidian.name) < min(reply.index(p.name) for p in points if p is not haidian)


def test_a_broken_appliance_gets_the_points_that_repair_it_not_the_form(live_stack, shop_session):
    with shop_session() as session:
        repairers = service_points(session, "上海市", category="空调")
        others = [p for p in service_points(session, "上海市") if p not in repairers]
    replies = live_stack.say(f"svc-{uuid.uuid4().hex[:12]}", "空调坏了，上海哪里可以修", metadata=signed_in(MAIN_CUSTOMER_ID))
    reply = text_of(replies)
    assert repairers and all(p.name in reply for p in repairers), reply
    assert others and not any(p.name in reply for p in others)
    assert "请选择需要售后的订单" not in reply
