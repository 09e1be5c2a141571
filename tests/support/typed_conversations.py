"""Typed-conversation suite: conversations kept as data in tests/conversations/*.yml.

Each file holds a list under ``conversations``. A conversation::

    - name: typed reason label files the return          # unique across the folder
      who: main            # main | other | refunding (fixture customers) | guest
      turns:
        - say: 我要退货                                   # exactly what a shopper types
          expect: [订单]                                 # every item must be in the reply;
                                                         # an item that is a list: any one of it
          reject: [登录]                                 # none may be in the reply
          shows_order: DELIVERED_RETURNABLE              # this fixture order's number is shown
          cards: {at_most: 1500, at_least: 100, min_count: 1}  # product cards shown, every
                                                         # price within the bounds (a budget);
                                                         # cheaper_than_shown: true — every price at
                                                         # most the middle of the last cards shown
      db:                                                # named checks, run after the last turn
        - after_sales_filed: {order: DELIVERED_RETURNABLE, reason: quality}
        # or nothing_changed: {} — no row added or removed in any shop table, fixture orders as before

Placeholders in ``say``/``expect``/``reject``: ``{order:KEY}`` (a fixture order's number, KEY as
in shop.seed.fixtures), ``{phone4:KEY}`` (its recipient phone's last four digits),
``{phone:KEY}`` (the whole phone number), ``{item:KEY:N}`` (the title of its N-th item). A number
may be typed as shoppers type it: ``{order:KEY|spaced}`` (in groups, a mobile number 3-4-4),
``{order:KEY|dashed}`` (groups joined by dashes), ``{phone:KEY|fullwidth}`` (full-width digits), ``{phone4:KEY|spoken}`` (digits in Chinese, 1 as 幺). "The reply" is every text, button title and
button payload and custom payload of the bot's answer to that turn.

Writes are undone after each conversation (requests and tickets it created are removed and the
orders restored), so conversations are independent and can run in any order.
"""
from __future__ import annotations

import json
import re
import statistics
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import yaml
from sqlalchemy import delete, func, select

from shop.db.models import (
    AfterSalesRequest, Base, AfterSalesStatusChange, GuestLookupFailure, HandoffRequest, Order, OrderAddressChange,
    OrderStatusChange,
)
from shop.seed.fixtures import FIXTURES_BY_KEY, MAIN_CUSTOMER_ID, OTHER_CUSTOMER_ID, REFUNDING_CUSTOMER_ID

CONVERSATIONS_DIR = Path(__file__).resolve().parents[1] / "conversations"
CUSTOMERS = {"main": MAIN_CUSTOMER_ID, "other": OTHER_CUSTOMER_ID, "refunding": REFUNDING_CUSTOMER_ID}
PLACEHOLDER = re.compile(r"\{(order|phone4|phone|item):([A-Z_]+)(?::(\d+))?(?:\|(spaced|dashed|fullwidth|spoken))?\}")
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
# Digits read out in Chinese, as shoppers type a number they say to themselves: 1 as 幺 (yāo,
# how a phone number's 1 is spoken), 0 as 零.
SPOKEN_DIGITS = str.maketrans("0123456789", "零幺二三四五六七八九")


def typed_as(number: str, style: Optional[str]) -> str:
    """A number as a shopper types it: in groups of four with spaces or dashes, or in the
    full-width digits of a Chinese input method."""
    if style == "fullwidth":
        return number.translate(FULL_WIDTH_DIGITS)
    if style == "spoken":
        return number.translate(SPOKEN_DIGITS)
    if style in ("spaced", "dashed"):
        # A mobile number is grouped 3-4-4 ("152 1239 3949"), an order number by fours.
        cuts = (0, 3, 7, 11) if len(number) == 11 else range(0, len(number) + 4, 4)
        groups = [number[a:b] for a, b in zip(cuts, list(cuts)[1:]) if number[a:b]]
        return (" " if style == "spaced" else "-").join(groups)
    return number


@dataclass
class Turn:
    say: str
    expect: List[Any] = field(default_factory=list)
    reject: List[str] = field(default_factory=list)
    shows_order: Optional[str] = None
    cards: Optional[Dict[str, float]] = None


@dataclass
class Conversation:
    name: str
    source: str
    who: str
    turns: List[Turn]
    db: List[Dict[str, Any]]

    @property
    def customer_id(self) -> Optional[int]:
        return CUSTOMERS.get(self.who)


def load_conversations(folder: Path = CONVERSATIONS_DIR) -> List[Conversation]:
    conversations, names = [], set()
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for raw in data.get("conversations", []):
            name = raw["name"]
            if name in names:
                raise ValueError(f"{path.name}: duplicate conversation name {name!r}")
            names.add(name)
            who = raw.get("who", "main")
            if who != "guest" and who not in CUSTOMERS:
                raise ValueError(f"{path.name}: {name!r}: unknown who {who!r}")
            turns = [Turn(**turn) for turn in raw["turns"]]
            for turn in turns:
                if turn.say.startswith("/"):
                    raise ValueError(f"{path.name}: {name!r}: a typed conversation sends no payloads")
            db = raw.get("db") or []
            for check in db:
                (check_name,) = check.keys()
                if check_name not in DB_CHECKS:
                    raise ValueError(f"{path.name}: {name!r}: unknown db check {check_name!r}")
            conversations.append(Conversation(name, path.name, who, turns, db))
    return conversations


# --- facts from the live stack's database ------------------------------------------------

class Facts:
    """Reads fixture facts (order numbers, phones, item titles) from the seeded database."""

    def __init__(self, open_session: Callable):
        self.open_session = open_session
        self._cache: Dict[str, Order] = {}

    def order(self, key: str) -> Dict[str, Any]:
        if key not in self._cache:
            fixture = FIXTURES_BY_KEY[key]
            with self.open_session() as session:
                order = session.get(Order, fixture.order_id)
                self._cache[key] = {
                    "id": order.id,
                    "order_no": order.order_no,
                    "phone": order.recipient_phone,
                    "items": [(item.id, item.title) for item in order.items],
                }
        return self._cache[key]

    def fill(self, text: str) -> str:
        def replace(match: re.Match) -> str:
            kind, key, index, style = match.groups()
            order = self.order(key)
            if kind == "order":
                return typed_as(order["order_no"], style)
            if kind == "phone4":
                return typed_as(order["phone"][-4:], style)
            if kind == "phone":
                return typed_as(order["phone"], style)
            return order["items"][int(index or 0)][1]
        return PLACEHOLDER.sub(replace, text)


def card_prices(replies: list) -> List[float]:
    """Prices of the product cards in the bot's answer (recommendations, product lists)."""
    return [float(card["price"]) for reply in replies
            if isinstance(reply.get("custom"), dict) and reply["custom"].get("type") == "product_cards"
            for card in reply["custom"].get("products") or []]


def check_cards(wanted: Dict[str, float], replies: list, shown_before: Sequence[float] = ()) -> Optional[str]:
    """What is wrong with the cards shown against ``wanted`` (a Turn's ``cards``), or None.
    ``shown_before``: the prices of the cards of the last answer that showed any ("便宜点的"
    is cheaper than those, whichever the seeded catalogue put on screen that day)."""
    prices = card_prices(replies)
    if len(prices) < int(wanted.get("min_count", 1)):
        return f"expected at least {wanted.get('min_count', 1)} product cards, got {len(prices)}"
    if "at_most" in wanted and any(p > float(wanted["at_most"]) for p in prices):
        return f"a card above the budget {wanted['at_most']}: {prices}"
    if "at_least" in wanted and any(p < float(wanted["at_least"]) for p in prices):
        return f"a card below {wanted['at_least']}: {prices}"
    if wanted.get("cheaper_than_shown"):
        if not shown_before:
            return "cheaper_than_shown, but no cards were shown before"
        middle = statistics.median(shown_before)
        if any(p > middle for p in prices):
            return f"a card not cheaper than the middle of those shown ({middle}: {list(shown_before)}): {prices}"
    return None


def reply_text(replies: list) -> str:
    parts = []
    for reply in replies:
        parts.append(reply.get("text") or "")
        # A button's payload too: it carries the order number a button offers.
        parts.extend(f'{button.get("title", "")} {button.get("payload", "")}' for button in reply.get("buttons") or [])
        if reply.get("custom") is not None:
            parts.append(json.dumps(reply["custom"], ensure_ascii=False))
    return "\n".join(parts)


# --- named database checks --------------------------------------------------------------

@dataclass
class Marks:
    """Highest ids before the conversation: what is above them, the conversation wrote.
    ``counts`` and ``orders`` (only for a conversation with the ``nothing_changed`` check): the
    rows of every shop table and the fixture orders' columns before it."""
    after_sales: int
    handoff: int
    order_changes: int
    address_changes: int
    counts: Optional[Dict[str, int]] = None
    orders: Optional[Dict[int, Dict[str, Any]]] = None
    # A guest's wrong digits are recorded against the order number, and five lock it for an
    # hour: left in place they would lock a fixture order for the conversations after.
    lookup_failures: int = 0


def take_marks(session, counts: bool = False) -> Marks:
    return Marks(
        session.execute(select(func.coalesce(func.max(AfterSalesRequest.id), 0))).scalar_one(),
        session.execute(select(func.coalesce(func.max(HandoffRequest.id), 0))).scalar_one(),
        session.execute(select(func.coalesce(func.max(OrderStatusChange.id), 0))).scalar_one(),
        session.execute(select(func.coalesce(func.max(OrderAddressChange.id), 0))).scalar_one(),
        table_counts(session) if counts else None,
        snapshot_orders(session) if counts else None,
        session.execute(select(func.coalesce(func.max(GuestLookupFailure.id), 0))).scalar_one(),
    )


def table_counts(session) -> Dict[str, int]:
    """Rows in every table of the shop database."""
    return {table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables}


def needs_counts(conversation: "Conversation") -> bool:
    return any("nothing_changed" in check for check in conversation.db)


def _new_requests(session, marks: Marks) -> List[AfterSalesRequest]:
    return list(session.execute(select(AfterSalesRequest).where(AfterSalesRequest.id > marks.after_sales)).scalars())


def check_after_sales_filed(session, facts: Facts, marks: Marks, sender: str, order: str,
                            reason: Optional[str] = None, service: Optional[str] = None,
                            item: Optional[int] = None, detail: Optional[str] = None) -> None:
    requests = _new_requests(session, marks)
    assert len(requests) == 1, f"expected one request filed, found {len(requests)}"
    request = requests[0]
    wanted = facts.order(order)
    assert request.order_id == wanted["id"], f"filed for order id {request.order_id}, meant {wanted['id']}"
    if reason is not None:
        assert request.reason_code == reason, f"reason {request.reason_code!r}, typed {reason!r}"
    if service is not None:
        assert request.service_type == service, f"service {request.service_type!r}, meant {service!r}"
    if item is not None:
        assert request.order_item_id == wanted["items"][item][0], "filed for another item"
    if detail is not None:
        # The reason as the shopper typed it is kept with the request.
        assert detail in (request.reason_detail or ""), f"detail {request.reason_detail!r}, typed {detail!r}"


def check_nothing_filed(session, facts: Facts, marks: Marks, sender: str) -> None:
    requests = _new_requests(session, marks)
    assert not requests, f"nothing should be filed, found {[r.request_no for r in requests]}"


def check_handoff_opened(session, facts: Facts, marks: Marks, sender: str) -> None:
    tickets = session.execute(
        select(HandoffRequest).where(HandoffRequest.id > marks.handoff, HandoffRequest.sender_id == sender)
    ).scalars().all()
    assert tickets, "no hand-off ticket opened"


def check_nothing_changed(session, facts: Facts, marks: Marks, sender: str) -> None:
    """No row added or removed in any shop table, the fixture orders as they were."""
    assert marks.counts is not None and marks.orders is not None, "marks taken without counts"
    after = table_counts(session)
    changed = {name: (marks.counts.get(name), rows) for name, rows in after.items() if marks.counts.get(name) != rows}
    assert not changed, f"rows changed (before, after): {changed}"
    assert snapshot_orders(session) == marks.orders, "a fixture order changed"


def check_order_status(session, facts: Facts, marks: Marks, sender: str, order: str, status: str) -> None:
    row = session.get(Order, facts.order(order)["id"])
    assert row.status == status, f"order {order} is {row.status!r}, expected {status!r}"


def check_order_field(session, facts: Facts, marks: Marks, sender: str, order: str, contains: Dict[str, str]) -> None:
    row = session.get(Order, facts.order(order)["id"])
    for column, text in contains.items():
        assert text in (getattr(row, column) or ""), f"order {order}.{column} = {getattr(row, column)!r}"


def _new_address_changes(session, marks: Marks) -> List[OrderAddressChange]:
    return list(session.execute(select(OrderAddressChange).where(OrderAddressChange.id > marks.address_changes))
                .scalars())


def check_address_changed(session, facts: Facts, marks: Marks, sender: str, order: str, to: str,
                          recipient: Optional[str] = None) -> None:
    """The order's address snapshot now reads ``to`` and one audit row records the change."""
    row = session.get(Order, facts.order(order)["id"])
    address = f"{row.province}{row.city}{row.district}{row.address_detail}"
    assert to in address, f"order {order} is sent to {address!r}, expected {to!r}"
    if recipient is not None:
        assert row.recipient_name == recipient, f"recipient {row.recipient_name!r}, expected {recipient!r}"
    changes = _new_address_changes(session, marks)
    assert [c.order_id for c in changes] == [row.id], f"audit rows {[(c.order_id, c.new_address) for c in changes]}"
    assert to in changes[0].new_address


def check_no_address_changed(session, facts: Facts, marks: Marks, sender: str) -> None:
    changes = _new_address_changes(session, marks)
    assert not changes, f"no address should change, found {[(c.order_id, c.new_address) for c in changes]}"


def check_satisfaction(session, facts: Facts, marks: Marks, sender: str, status: Optional[str] = None,
                       score: Optional[int] = None, subject: str = "assistant") -> None:
    """The conversation's satisfaction questions (``satisfaction_surveys``): none when
    ``status`` is None, else exactly one, of ``subject``, answered so (``score`` when rated)."""
    from shop.db.models import SatisfactionSurvey

    rows = session.execute(select(SatisfactionSurvey.subject, SatisfactionSurvey.status, SatisfactionSurvey.score)
                           .where(SatisfactionSurvey.sender_id == sender)).all()
    if status is None:
        assert not rows, f"no satisfaction question expected, found {rows}"
        return
    assert [tuple(r) for r in rows] == [(subject, status, score)], f"satisfaction questions {rows}"


DB_CHECKS: Dict[str, Callable] = {
    "satisfaction": check_satisfaction,
    "after_sales_filed": check_after_sales_filed,
    "nothing_filed": check_nothing_filed,
    "nothing_changed": check_nothing_changed,
    "handoff_opened": check_handoff_opened,
    "order_status": check_order_status,
    "order_field": check_order_field,
    "address_changed": check_address_changed,
    "no_address_changed": check_no_address_changed,
}


def run_db_checks(conversation: Conversation, session, facts: Facts, marks: Marks, sender: str) -> None:
    for check in conversation.db:
        ((name, args),) = check.items()
        DB_CHECKS[name](session, facts, marks, sender, **(args or {}))


def undo_writes(session, marks: Marks, snapshot: Dict[int, Dict[str, Any]]) -> None:
    """Removes what a conversation filed (and the guest look-up misses it recorded) and puts the
    fixture orders back as they were."""
    new_ids = select(AfterSalesRequest.id).where(AfterSalesRequest.id > marks.after_sales)
    session.execute(delete(AfterSalesStatusChange).where(AfterSalesStatusChange.request_id.in_(new_ids))
                    .execution_options(synchronize_session=False))
    session.execute(delete(AfterSalesRequest).where(AfterSalesRequest.id > marks.after_sales))
    session.execute(delete(OrderStatusChange).where(OrderStatusChange.id > marks.order_changes))
    session.execute(delete(OrderAddressChange).where(OrderAddressChange.id > marks.address_changes))
    session.execute(delete(GuestLookupFailure).where(GuestLookupFailure.id > marks.lookup_failures))
    for order_id, columns in snapshot.items():
        row = session.get(Order, order_id)
        for column, value in columns.items():
            setattr(row, column, value)


RESTORED_COLUMNS = ("status", "payment_status", "refunded_cents", "cancelled_at", "province", "city",
                    "district", "address_detail", "recipient_name", "recipient_phone", "updated_at")


def snapshot_orders(session) -> Dict[int, Dict[str, Any]]:
    ids = [fixture.order_id for fixture in FIXTURES_BY_KEY.values()]
    rows = session.execute(select(Order).where(Order.id.in_(ids))).scalars()
    return {row.id: {column: getattr(row, column) for column in RESTORED_COLUMNS} for row in rows}


def new_sender(conversation: Conversation) -> str:
    return f"typed-{uuid.uuid4().hex[:12]}"
