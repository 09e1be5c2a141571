"""A NUL character (U+0000) from outside, on SQLite and PostgreSQL alike: PostgreSQL's text
holds none, and psycopg2 refuses a whole statement with one in a parameter (a ValueError, no
database error: a 500 wherever it reached a query). A number or sign-in name with a NUL
matches nothing; text that is kept is kept without it (``shop.db.validation.NUL``)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.db.console_accounts import password_hash_for
from shop.db.errors import InvalidRequest, OrderNotFound
from shop.db.models import Order
from shop.db.orders import get_order, lock_customer_order
from shop.db.validation import text_arg
from shop.seed.fixtures import MAIN_CUSTOMER_ID


def test_a_number_with_a_nul_is_no_order(session):
    own = session.execute(select(Order.order_no).where(Order.customer_id == MAIN_CUSTOMER_ID)).scalars().first()
    assert get_order(session, MAIN_CUSTOMER_ID, own) is not None
    for odd in (own + "\x00", "\x00" + own, own[:9] + "\x00" + own[9:], "\x00"):
        assert get_order(session, MAIN_CUSTOMER_ID, odd) is None
        with pytest.raises(OrderNotFound):
            lock_customer_order(session, MAIN_CUSTOMER_ID, odd)


def test_a_sign_in_name_with_a_nul_is_no_account(session):
    assert password_hash_for(session, "admin\x00") is None
    assert password_hash_for(session, "\x00") is None


def test_kept_text_is_kept_without_nul():
    assert text_arg("您好\x00，请稍等\x00", "text", 100) == "您好，请稍等"
    with pytest.raises(InvalidRequest):
        text_arg("\x00 \x00", "text", 100)
