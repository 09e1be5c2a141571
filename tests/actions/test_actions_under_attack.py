"""Actions under attack and failure (issue 13), on SQLite and PostgreSQL: the guest lock
fails closed, waits are bounded, nothing typed or remembered is echoed, tickets and after-
sales requests are found by their owner, and a duplicate request is named, not failed."""
import asyncio
import contextlib
import sqlite3
import time
import uuid

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from actions.after_sales_form import ValidateAfterSalesForm
from actions.after_sales_submit import ActionSubmitAfterSales
from actions.handoff import ActionHandoff
from actions.orders import ActionOrderStatus
from actions.product import ActionProductInquiry
from actions.purchase import ActionPurchaseHelp
from rasa_sdk.executor import CollectingDispatcher
from shop.db.after_sales import check_after_sales_eligibility
from shop.db.models import AfterSalesRequest, GuestLookupFailure, HandoffRequest, Order
from shop.db.orders import get_order
from shop.domain.after_sales import AfterSalesReason, ServiceType
from shop.domain.clock import utc_now
from shop.identity import IDENTITY_METADATA_KEY, issue_conversation_identity
from shop.seed.fixtures import MAIN_CUSTOMER_ID, OTHER_CUSTOMER_ID
from tests.support.actions import SECRET, run_action, token, tracker

MARKUP = "<img src=x onerror=alert(1)>"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# Well under SQLite's 10 s busy timeout (and PostgreSQL's unbounded wait) it used to take.
PROMPT_S = 6


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def in_conversation(t, sender_id):
    t.sender_id = sender_id
    return t


def guest_order(shop_db, offset):
    """A stranger's order and its phone, distinct per test (guest locks count per number)."""
    with shop_db() as session:
        return session.execute(
            select(Order.order_no, Order.recipient_phone)
            .where(Order.customer_id.notin_([MAIN_CUSTOMER_ID, OTHER_CUSTOMER_ID]), Order.status == "delivered")
            .order_by(Order.id.desc()).offset(offset)
        ).first()


@contextlib.contextmanager
def writes_blocked(database_url, table):
    """Another process holds a write transaction: SQLite's write lock (the whole file) or,
    on PostgreSQL, an exclusive lock on ``table`` (reads still pass)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        blocker = sqlite3.connect(url.database, isolation_level=None, timeout=1)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        return
    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            connection.execute(text(f"LOCK TABLE {table} IN EXCLUSIVE MODE"))
            try:
                yield
            finally:
                transaction.rollback()
    finally:
        engine.dispose()


def test_guest_lock_fails_closed_while_misses_cannot_be_recorded(shop_db, action_database):
    number, phone = guest_order(shop_db, 3)
    right = phone[-4:]
    with writes_blocked(action_database, "guest_lookup_failures"):
        for digits in (f"{(int(right) + 1) % 10000:04d}", right):
            started = time.monotonic()
            messages, events = run_action(ActionOrderStatus(), tracker(
                digits, "inform", {"phone_suffix": digits}, slots={"order_no": number}))
            assert time.monotonic() - started < PROMPT_S
            # Refused politely, even with the right digits: the order is not shown.
            assert "无法完成" in texts(messages), texts(messages)
            assert number not in texts(messages) and not [m for m in messages if m.get("custom")]
            assert slot_events(events)["guest_lookup_failures"] == 1.0
    with shop_db() as session:
        assert session.execute(select(func.count()).select_from(GuestLookupFailure)
                               .where(GuestLookupFailure.order_no == number)).scalar_one() == 0
    # Once writes work again the right digits show the order, and leave no failure behind.
    messages, _ = run_action(ActionOrderStatus(), tracker(right, "inform", {"phone_suffix": right},
                                                          slots={"order_no": number}))
    assert number in texts(messages)
    with shop_db() as session:
        assert session.execute(select(func.count()).select_from(GuestLookupFailure)
                               .where(GuestLookupFailure.order_no == number)).scalar_one() == 0


def test_non_ascii_digits_are_normalised_not_a_type_error(shop_db):
    number, phone = guest_order(shop_db, 5)
    for table in (ARABIC_INDIC, FULL_WIDTH):
        suffix = phone[-4:].translate(table)
        messages, _ = run_action(ActionOrderStatus(), tracker(
            suffix, "inform", {"phone_suffix": suffix}, slots={"order_no": number.translate(table)}))
        assert number in texts(messages), texts(messages)
    # A signed-in shopper's own order, its number typed in Arabic-Indic digits.
    with shop_db() as session:
        own = session.execute(select(Order.order_no).where(Order.customer_id == MAIN_CUSTOMER_ID)).scalars().first()
    messages, _ = run_action(ActionOrderStatus(), tracker(
        "查订单", "order_status", {"order_no": own.translate(ARABIC_INDIC)}, metadata=token(MAIN_CUSTOMER_ID)))
    assert own in texts(messages)


def test_typed_markup_and_remembered_numbers_are_not_echoed(shop_db):
    messages, _ = run_action(ActionOrderStatus(), tracker(
        MARKUP, "order_status", {"order_no": MARKUP}, metadata=token(MAIN_CUSTOMER_ID)))
    assert "不是有效的订单号" in texts(messages) and "<" not in texts(messages) and "onerror" not in texts(messages)
    # An order number remembered in the conversation (not typed now) that is not this
    # shopper's: "not found", without repeating it.
    with shop_db() as session:
        others = session.execute(select(Order.order_no).where(Order.customer_id == OTHER_CUSTOMER_ID)).scalars().first()
    messages, _ = run_action(ActionOrderStatus(), tracker(
        "这个订单到哪了", "order_status", slots={"order_no": others}, metadata=token(MAIN_CUSTOMER_ID)))
    assert "没有查到" in texts(messages) and others not in texts(messages)
    # Typed in this very message, the number is repeated (the shopper sees what was checked).
    messages, _ = run_action(ActionOrderStatus(), tracker(
        f"查{others}", "order_status", {"order_no": others}, metadata=token(MAIN_CUSTOMER_ID)))
    assert others in texts(messages)


def test_the_conversation_identity_counts_only_in_its_own_conversation(shop_db):
    with shop_db() as session:
        own = session.execute(select(Order.order_no).where(Order.customer_id == MAIN_CUSTOMER_ID)).scalars().first()
    conversation = f"web-{uuid.uuid4().hex}~c{MAIN_CUSTOMER_ID}"
    stamp = {IDENTITY_METADATA_KEY: issue_conversation_identity(MAIN_CUSTOMER_ID, int(time.time()) + 600,
                                                                conversation, secret=SECRET)}
    t = in_conversation(tracker("查订单", "order_status", {"order_no": own}, metadata=stamp), conversation)
    assert own in texts(run_action(ActionOrderStatus(), t)[0])
    # Copied into another conversation, the same metadata proves nothing: a guest.
    t = in_conversation(tracker("查订单", "order_status", {"order_no": own}, metadata=stamp), "web-other")
    messages, _ = run_action(ActionOrderStatus(), t)
    assert "后四位" in texts(messages) and not [m for m in messages if m.get("custom")]


def test_hand_off_tickets_are_found_by_conversation_and_shopper(shop_db):
    sender = f"shared-{uuid.uuid4().hex[:8]}"
    first, _ = run_action(ActionHandoff(), in_conversation(
        tracker("转人工", "human_handoff", metadata=token(MAIN_CUSTOMER_ID)), sender))
    ticket = next(word for word in texts(first).replace("，", " ").replace("。", " ").split() if word.startswith("RG"))
    for metadata in (None, token(OTHER_CUSTOMER_ID)):
        messages, _ = run_action(ActionHandoff(), in_conversation(
            tracker("转人工", "human_handoff", metadata=metadata), sender))
        assert "工单号" in texts(messages) and ticket not in texts(messages), texts(messages)
    again, _ = run_action(ActionHandoff(), in_conversation(
        tracker("转人工", "human_handoff", metadata=token(MAIN_CUSTOMER_ID)), sender))
    assert ticket in texts(again) and "排队" in texts(again)


def test_hand_off_with_the_database_write_locked_answers_promptly(shop_db, action_database):
    sender = f"locked-{uuid.uuid4().hex[:8]}"
    with writes_blocked(action_database, "handoff_requests"):
        started = time.monotonic()
        messages, _ = run_action(ActionHandoff(), in_conversation(
            tracker("转人工", "human_handoff", metadata=token(MAIN_CUSTOMER_ID)), sender))
        elapsed = time.monotonic() - started
    assert elapsed < PROMPT_S, elapsed
    assert "转人工" in texts(messages) and "工单号" not in texts(messages), texts(messages)
    with shop_db() as session:
        assert session.execute(select(func.count()).select_from(HandoffRequest)
                               .where(HandoffRequest.sender_id == sender)).scalar_one() == 0


def _exchangeable_item(shop_db):
    """The main customer's last delivered item that may be exchanged for a quality fault now
    (the other tests take the first)."""
    with shop_db() as session:
        for number in session.execute(select(Order.order_no).where(
                Order.customer_id == MAIN_CUSTOMER_ID, Order.status == "delivered").order_by(Order.id.desc())).scalars():
            for item in reversed(get_order(session, MAIN_CUSTOMER_ID, number).items):
                decision = check_after_sales_eligibility(session, MAIN_CUSTOMER_ID, number, item.id,
                                                         ServiceType.EXCHANGE, AfterSalesReason.QUALITY, utc_now())
                if decision.eligible:
                    return number, item
    raise AssertionError("no exchangeable item left in the seed")


def test_two_tabs_filing_the_same_request_one_files_the_other_hears_its_number(shop_db):
    number, item = _exchangeable_item(shop_db)
    slots = {"order_no": number, "order_item_id": str(item.id), "service_type": "换货", "reason": "quality",
             "after_sales_confirmed": "yes"}

    async def both_tabs():
        async def tab():
            dispatcher = CollectingDispatcher()
            t = tracker("质量问题", "inform", slots=slots, metadata=token(MAIN_CUSTOMER_ID))
            await ActionSubmitAfterSales().run(dispatcher, t, {})
            return texts(dispatcher.messages)
        return await asyncio.gather(tab(), tab())

    replies = asyncio.run(both_tabs())
    with shop_db() as session:
        filed = session.execute(select(AfterSalesRequest.request_no).where(
            AfterSalesRequest.order_item_id == item.id)).scalars().all()
    assert len(filed) == 1, (filed, replies)
    assert all(filed[0] in reply for reply in replies), replies
    assert sum("已为您提交" in reply for reply in replies) == 1
    assert sum("已经提交过了" in reply for reply in replies) == 1
    assert not any("小差" in reply for reply in replies), replies

    # After a crash the conversation may replay the form with everything answered: no
    # question is asked again, the form stays complete and the submit step names the request.
    dispatcher = CollectingDispatcher()
    t = tracker("质量问题", "inform", {"reason": "quality"}, metadata=token(MAIN_CUSTOMER_ID),
                slots=dict(slots, requested_slot="reason"))
    validated = asyncio.run(ValidateAfterSalesForm().validate_reason("quality", dispatcher, t, {}))
    assert validated == {"service_type": "换货", "reason": "quality", "after_sales_reason_text": "质量问题"}
    assert dispatcher.messages == []


def test_a_number_int_cannot_read_in_a_button_payload_does_not_break_the_conversation(shop_db):
    """``/product_inquiry{"product_id": "①"}`` passes the channel (a short plain value) and
    fills the ``product_id`` slot. "①" is ``isdigit()`` but no ``int()``: the action raised
    ValueError, answered the outage apology, and so did every later product or purchase turn
    reading that slot — one payload broke the conversation. Now such a value is no product,
    and a quantity "²" no quantity."""
    with shop_db() as session:
        product = session.execute(text("SELECT id, title FROM products WHERE is_on_sale ORDER BY id LIMIT 1")).first()
    for odd in ("①", "²", "⑴", "⒈", "9" * 5000):
        for action, t in [
            (ActionProductInquiry(), tracker("/product_inquiry", "product_inquiry", {"product_id": odd})),
            (ActionProductInquiry(), tracker("这个多少钱", "product_inquiry", slots={"product_id": odd})),
            (ActionPurchaseHelp(), tracker("怎么买", "purchase", slots={"product_id": odd})),
            (ActionPurchaseHelp(), tracker("买两件", "purchase", {"product_id": str(product.id), "quantity": odd})),
        ]:
            messages, _ = run_action(action, t)
            assert not any(m.get("response") == "utter_service_unavailable" for m in messages), (odd[:5], texts(messages))
            assert messages, odd[:5]
