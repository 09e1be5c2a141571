"""The shop site's checkout endpoints over real HTTP: the shopper is the token's, bad input
gets a clean JSON error and writes nothing, payment is simulated and labelled so."""
from __future__ import annotations

import requests
from sqlalchemy import func, select

from shop.db import models as m
from shop.db.engine import make_engine, session_scope
from shop.identity import issue_customer_token
from tests.shop_site.harness import TOKEN_SECRET


def _auth(customer_id: int) -> dict:
    return {"Authorization": f"Bearer {issue_customer_token(customer_id, secret=TOKEN_SECRET)}"}


def _orders(url: str) -> int:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return session.execute(select(func.count()).select_from(m.Order)).scalar_one()
    finally:
        engine.dispose()


def _product(url: str) -> int:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return session.execute(select(m.Sku.product_id).where(m.Sku.stock > 5, m.Sku.is_active.is_(True))
                                   .order_by(m.Sku.id).limit(1)).scalar_one()
    finally:
        engine.dispose()


def test_order_and_simulated_payment_for_the_signed_in_shopper(site, site_database_url):
    product = _product(site_database_url)
    placed = requests.post(f"{site.url}/api/orders", headers=_auth(5),
                           json={"items": [{"product_id": product, "quantity": 1}]}, timeout=30)
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert order["status_label"] == "待付款" and order["payable"] > 0
    # Somebody else cannot pay it, and gets what a missing order gets.
    other = requests.post(f"{site.url}/api/orders/{order['order_no']}/pay", headers=_auth(6), timeout=30)
    assert other.status_code == 404 and other.json()["error"] == "order_not_found"
    paid = requests.post(f"{site.url}/api/orders/{order['order_no']}/pay", headers=_auth(5), timeout=30)
    assert paid.status_code == 200 and paid.json()["simulated"] is True and paid.json()["status_label"] == "待发货"
    again = requests.post(f"{site.url}/api/orders/{order['order_no']}/pay", headers=_auth(5), timeout=30)
    assert again.status_code == 409 and again.json()["error"] == "not_payable"


def test_bad_checkout_requests_get_json_errors_and_write_nothing(site, site_database_url):
    product = _product(site_database_url)
    before = _orders(site_database_url)
    cases = [
        ({}, {"items": [{"product_id": product}]}, 401, "not_signed_in"),
        ({"Authorization": "Bearer forged"}, {"items": [{"product_id": product}]}, 401, "not_signed_in"),
        (_auth(5), {"items": []}, 400, "invalid_items"),
        (_auth(5), {"items": [{"product_id": "x"}]}, 400, "invalid_product_id"),
        (_auth(5), {"items": [{"product_id": product, "quantity": 1000}]}, 400, "invalid_quantity"),
        (_auth(5), {"items": [{"product_id": product, "exposure_ids": "1"}]}, 400, "invalid_exposure_ids"),
        (_auth(5), {"items": [{"product_id": 10**8}]}, 409, "unavailable"),
        (_auth(5), {"customer_id": 6, "items": "all"}, 400, "invalid_items"),
        # What str.isdigit() takes but int() cannot read, and a number longer than int()
        # converts: each was a 500 (ValueError) before.
        (_auth(5), {"items": [{"product_id": "①"}]}, 400, "invalid_product_id"),
        (_auth(5), {"items": [{"product_id": "9" * 5000}]}, 400, "invalid_product_id"),
        (_auth(5), {"items": [{"product_id": product, "quantity": "²"}]}, 400, "invalid_quantity"),
        (_auth(5), {"items": [{"product_id": product, "sku_id": "⒈"}]}, 400, "invalid_sku_id"),
        (_auth(5), {"items": [{"product_id": product, "exposure_ids": ["⑴"]}]}, 400, "invalid_exposure_ids"),
    ]
    for headers, body, status, code in cases:
        answer = requests.post(f"{site.url}/api/orders", headers=headers, json=body, timeout=30)
        assert (answer.status_code, answer.json()["error"]) == (status, code), (body, answer.text)
    broken = requests.post(f"{site.url}/api/orders", headers={**_auth(5), "Content-Type": "application/json"},
                           data=b"{not json", timeout=30)
    assert broken.status_code == 400 and broken.json()["error"] == "invalid_json"
    # Nested past the json module's recursion limit: RecursionError was a 500.
    for path in ("/api/orders", "/api/recommendation-clicks"):
        deep = requests.post(f"{site.url}{path}", headers={**_auth(5), "Content-Type": "application/json"},
                             data=b'{"items": ' + b"[" * 3000 + b"]" * 3000 + b"}", timeout=30)
        assert (deep.status_code, deep.json()["error"]) == (400, "invalid_json"), deep.text
    assert _orders(site_database_url) == before


def test_a_click_on_an_unknown_exposure_records_nothing(site):
    answer = requests.post(f"{site.url}/api/recommendation-clicks", headers=_auth(5),
                           json={"product_id": 1, "exposure_ids": [123456]}, timeout=30)
    assert answer.status_code == 200 and answer.json() == {"recorded": 0}
    forged = requests.post(f"{site.url}/api/recommendation-clicks", headers={"Authorization": "Bearer x"},
                           json={"product_id": 1, "exposure_ids": [1]}, timeout=30)
    assert forged.status_code == 401


def test_the_cart_page_is_served(site):
    page = requests.get(f"{site.url}/cart", timeout=30)
    assert page.status_code == 200 and "购物车" in page.text and "模拟支付" in page.text
    assert "/assets/js/cart-page.js" in page.text
