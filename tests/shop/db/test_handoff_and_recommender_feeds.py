"""Hand-off tickets and the recommender's data feeds."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.db import models as m
from shop.db.handoff import create_handoff_request, handoff_queue, open_handoff_for_sender
from shop.db.interactions import interaction_rows, product_feature_rows, record_interaction
from shop.db.errors import InvalidRequest
from shop.domain.numbers import HANDOFF_NO_REGEX
from tests.support.shop_db import ANCHOR

NOW = ANCHOR + timedelta(hours=3)


def test_handoff_ticket_round_trip(session):
    ticket = create_handoff_request(session, "web-abc", 1, "顾客要求人工：快递一直没到", NOW,
                                            channel="socketio", reason="user_request", order_no="202406191234567890")
    assert ticket.ticket_no.startswith("RG") and ticket.status == "open" and ticket.customer_id == 1
    import re
    assert re.fullmatch(HANDOFF_NO_REGEX, ticket.ticket_no)
    guest = create_handoff_request(session, "web-guest", None, "未登录顾客咨询发票", NOW + timedelta(minutes=1))
    assert open_handoff_for_sender(session, "web-abc", 1) == ticket
    assert open_handoff_for_sender(session, "web-guest", None) == guest
    assert open_handoff_for_sender(session, "nobody", None) is None
    # Found by conversation AND shopper: the same conversation id from a guest or another
    # customer never shows the ticket (nor the reverse).
    assert open_handoff_for_sender(session, "web-abc", None) is None
    assert open_handoff_for_sender(session, "web-abc", 2) is None
    assert open_handoff_for_sender(session, "web-guest", 1) is None
    assert [t.ticket_no for t in handoff_queue(session)] == [ticket.ticket_no, guest.ticket_no]


@pytest.mark.parametrize("kwargs", [
    {"summary": "  "}, {"summary": "x" * 4001}, {"sender_id": ""}, {"customer_id": "1"},
    {"order_no": "12345"}, {"channel": "c" * 40},
])
def test_handoff_bad_input(session, kwargs):
    args = dict(sender_id="s", customer_id=None, summary="需要人工", now=NOW)
    args.update(kwargs)
    with pytest.raises(InvalidRequest):
        create_handoff_request(session, **args)
    assert session.execute(select(func.count()).select_from(m.HandoffRequest)).scalar_one() == 0


def test_interaction_rows_stream_everything_in_time_order(session):
    rows = list(interaction_rows(session, chunk_size=500))
    assert len(rows) == session.execute(select(func.count()).select_from(m.Interaction)).scalar_one()
    assert {r.kind for r in rows} == {"view", "cart", "purchase"}
    assert [r.timestamp for r in rows] == sorted(r.timestamp for r in rows)
    since = ANCHOR - timedelta(days=30)
    recent = list(interaction_rows(session, since=since))
    assert recent and all(r.timestamp >= since for r in recent) and len(recent) < len(rows)


def test_product_feature_rows(session):
    rows = list(product_feature_rows(session, chunk_size=64))
    on_sale = session.execute(select(func.count()).select_from(m.Product).where(m.Product.is_on_sale.is_(True))).scalar_one()
    assert len(rows) == on_sale
    phone = next(r for r in rows if r.category_path == ("手机数码", "手机"))
    assert phone.brand and phone.price > 0 and phone.stock >= 0 and not phone.is_consumable
    assert any(r.is_consumable for r in rows if r.category_path[0] == "食品生鲜")


def test_record_interaction(session):
    record_interaction(session, 1, 1, "view", NOW)
    with pytest.raises(InvalidRequest):
        record_interaction(session, 1, 1, "like", NOW)
