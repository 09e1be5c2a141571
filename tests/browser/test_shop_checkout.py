"""(Named to run after test_live_chat.py: its socket.io check calls asyncio.run(), which fails once
Playwright's sync API has started an event loop in this process.)

Buying from a recommendation card in headless Chromium against the real assistant: sign
in, ask for recommendations, press 我要买 on a card, check out on /cart, pay (simulated) —
and the order in the database is the shopper's, paid, and attributed to the exposure the
card was shown in (the live stack runs the A/A experiment ``live_aa``)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.db import models as m
from shop.db.engine import make_engine, session_scope
from tests.browser.helpers import PageProblems
from tests.browser.helpers import DESKTOP, screenshot, type_and_send, wait_connected

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def test_checkout_from_a_recommendation_card(browser, live_stack, artifacts):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    engine = make_engine(live_stack.database_url)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        problems = PageProblems(page)
        page.goto(live_stack.web_url + "/")
        wait_connected(page, timeout=TIMEOUT)
        page.get_by_role("button", name="登录").click()
        choice = page.locator(".signin__customer").nth(3)
        choice.wait_for()
        customer_id = int(choice.get_attribute("data-customer-id"))
        choice.click()
        page.locator(".account__name").wait_for()

        type_and_send(page, "推荐个两千左右的手机")
        page.locator(".rich--products .product-card").first.wait_for(timeout=TIMEOUT)
        card = page.locator(".rich--products .product-card").first
        product_id = int(card.get_attribute("data-product-id"))
        card.get_by_role("button", name="我要买").click()
        link = page.locator("#cart-link")
        link.wait_for()
        assert "购物车（1）" in link.text_content()

        link.click()
        page.wait_for_url("**/cart")
        line = page.locator(f'.cart-line[data-product-id="{product_id}"]')
        line.wait_for()
        assert "演示环境" in page.locator(".cart-simulated").text_content()
        page.get_by_role("button", name="提交订单").click()
        placed = page.locator("#order-placed")
        placed.wait_for()
        order_no = placed.get_attribute("data-order-no")
        assert "待付款" in placed.text_content()
        page.get_by_role("button", name="模拟支付").click()
        paid = page.locator("#order-paid")
        paid.wait_for()
        assert "待发货" in paid.text_content() and "未真实扣款" in paid.text_content()
        screenshot(page, artifacts, "checkout-paid")
        assert not problems.errors, problems.errors

        with session_scope(engine) as session:
            order = session.execute(select(m.Order).where(m.Order.order_no == order_no)).scalar_one()
            assert (order.customer_id, order.status, order.payment_method) == (
                customer_id, "awaiting_shipment", "模拟支付")
            items = session.execute(select(m.OrderItem.product_id).where(m.OrderItem.order_id == order.id)).scalars()
            assert list(items) == [product_id]
            exposure = session.execute(
                select(m.ExperimentExposure).join(m.OrderAttribution,
                                                  m.OrderAttribution.exposure_id == m.ExperimentExposure.id)
                .where(m.OrderAttribution.order_id == order.id)).scalar_one()
            assert exposure.experiment == "live_aa" and exposure.customer_id == customer_id
            assert product_id in exposure.product_ids
            clicks = session.execute(select(m.RecommendationClick).where(
                m.RecommendationClick.exposure_id == exposure.id)).scalars().all()
            assert [c.product_id for c in clicks] == [product_id]
    finally:
        engine.dispose()
        context.close()
