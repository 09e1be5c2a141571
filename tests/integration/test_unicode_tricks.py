"""Unicode tricks on the shopper's side, over live HTTP (REST): order numbers and phone
digits typed with zero-width characters, a right-to-left override, full-width, Arabic-Indic
or circled digits, combining marks, control characters, lone surrogates in the JSON, and a
10,000-character run of one emoji. The shopper's own digits in any script still find their
order; nothing disguised finds anyone else's; every request is a polite reply or a clean 4xx,
never a 500, and no data changes."""
from __future__ import annotations

import json
import sqlite3
import uuid

import pytest
import requests
from sqlalchemy import func, select

from shop.db.models import AfterSalesRequest, GuestLookupFailure, Order
from shop.seed.fixtures import MAIN_CUSTOMER_ID, OTHER_CUSTOMER_ID

pytestmark = pytest.mark.integration

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
CIRCLED = str.maketrans("0123456789", "⓪①②③④⑤⑥⑦⑧⑨")


def new_sender() -> str:
    return f"unicode-{uuid.uuid4().hex}"


def shown(replies) -> str:
    return json.dumps([{k: v for k, v in r.items() if k != "recipient_id"} for r in replies], ensure_ascii=False)


def strangers_orders(shop_session, count: int):
    """Delivered orders of customers the tests do not sign in as, one per probe (guest locks
    count per order number), with the recipient's phone."""
    with shop_session() as session:
        return session.execute(
            select(Order.order_no, Order.recipient_phone, Order.recipient_name)
            .where(Order.customer_id.notin_([MAIN_CUSTOMER_ID, OTHER_CUSTOMER_ID]), Order.status == "delivered")
            .order_by(Order.id.desc()).offset(40).limit(count)).all()


def table_counts(shop_session):
    with shop_session() as session:
        return (session.execute(select(func.count()).select_from(AfterSalesRequest)).scalar_one(),
                session.execute(select(func.count()).select_from(Order)).scalar_one())


def guest_lookup(live_stack, number_text: str, suffix_text: str):
    sender = new_sender()
    first = live_stack.say(sender, f"查一下订单{number_text}")
    return first, live_stack.say(sender, suffix_text)


SCRIPTS = ["full_width", "arabic_indic", "zero_width", "rtl_marks", "combining", "devanagari", "maths_bold",
           "mixed"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_shoppers_own_digits_in_any_script_find_the_order(live_stack, shop_session, script):
    number, phone, name = strangers_orders(shop_session, 20)[10 + SCRIPTS.index(script)]
    suffix = phone[-4:]
    dress = {
        "full_width": lambda s: s.translate(FULL_WIDTH),
        "arabic_indic": lambda s: s.translate(ARABIC_INDIC),
        "zero_width": lambda s: "\u200b".join(s[i:i + 3] for i in range(0, len(s), 3)) + "\ufeff",
        "rtl_marks": lambda s: "\u200f" + s + "\u200e",
        "combining": lambda s: "".join(d + "\u0301" for d in s),
        "devanagari": lambda s: s.translate(str.maketrans("0123456789", "०१२३४५६७८९")),
        "maths_bold": lambda s: s.translate(str.maketrans("0123456789", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗")),
        "mixed": lambda s: s[:len(s) // 2].translate(FULL_WIDTH) + s[len(s) // 2:].translate(ARABIC_INDIC),
    }[script]
    first, second = guest_lookup(live_stack, dress(number), dress(suffix))
    assert "后四位" in shown(first), shown(first)
    assert number in shown(second), (script, shown(second))


@pytest.mark.parametrize("trick", ["circled_wrong", "rtl_reversed", "extra_hidden_digit", "superscript"])
def test_disguised_digits_never_open_another_shoppers_order(live_stack, shop_session, trick):
    index = 5 + ["circled_wrong", "rtl_reversed", "extra_hidden_digit", "superscript"].index(trick)
    number, phone, name = strangers_orders(shop_session, 9)[index]
    suffix = phone[-4:]
    wrong = f"{(int(suffix) + 1) % 10000:04d}"
    number_text, suffix_text = {
        # circled digits of the wrong suffix
        "circled_wrong": (number, wrong.translate(CIRCLED)),
        # shows as the right suffix in a bidi-aware display, but the typed digits are reversed
        "rtl_reversed": (number, "\u202e" + suffix[::-1] + "\u202c" if suffix[::-1] != suffix else "\u202e" + wrong),
        # the right suffix plus a wrong digit behind a zero-width joiner
        "extra_hidden_digit": (number, wrong[:2] + "\u200d" + suffix),
        # superscripts are not digits the shopper types for a phone
        "superscript": (number, wrong.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))),
    }[trick]
    before = table_counts(shop_session)
    first, second = guest_lookup(live_stack, number_text, suffix_text)
    seen = shown(first) + shown(second)
    assert name not in seen and phone not in seen, (trick, seen)
    assert not ("已签收" in shown(second) and number in shown(second)), (trick, seen)
    assert table_counts(shop_session) == before


@pytest.mark.parametrize("dress", [FULL_WIDTH, ARABIC_INDIC, CIRCLED], ids=["full_width", "arabic", "circled"])
def test_a_signed_in_shopper_typing_anothers_number_in_other_digits_sees_nothing(live_stack, shop_session, dress):
    from tests.integration.test_under_attack import signed_in
    with shop_session() as session:
        number, phone, name = session.execute(
            select(Order.order_no, Order.recipient_phone, Order.recipient_name)
            .where(Order.customer_id == OTHER_CUSTOMER_ID).order_by(Order.id).limit(1)).one()
    talk = new_sender()
    before = table_counts(shop_session)
    for message in (f"订单{number.translate(dress)}到哪了", f"我要退货，订单号{number.translate(dress)}",
                    phone[-4:].translate(dress), "确认"):
        seen = shown(live_stack.say(talk, message, metadata=signed_in(MAIN_CUSTOMER_ID)))
        assert name not in seen and phone not in seen, (message, seen)
    assert table_counts(shop_session) == before


def post_raw(live_stack, raw: str | bytes):
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    return requests.post(live_stack.webhook, data=data, timeout=60, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("message", [
    "查订单\\u0000202612061086547273\\u0000",            # NUL (escaped in the JSON, as clients send it)
    "\\u0007\\u001b[31m我的快递到哪了\\u001b[0m",          # bell and terminal colour codes
    "\\ud800",                                          # a lone high surrogate, nothing else
    "查订单\\udfff",                                     # a lone low surrogate
    "\\ud83d\\ude00\\ud83d",                             # a pair, then a half
    "\\u200b\\u200c\\u200d\\ufeff",                      # only invisible characters
    "\\u202e" + "款退要我",                              # right-to-left override over Chinese
    "①②③④",                                           # circled digits alone
])
def test_hostile_characters_in_the_message_get_a_reply_or_a_clean_4xx(live_stack, message):
    raw = '{"sender": "%s", "message": "%s"}' % (new_sender(), message)
    reply = post_raw(live_stack, raw)
    assert reply.status_code in (200, 400), (message, reply.status_code, reply.text)
    if reply.status_code == 200:
        assert reply.json() and all("text" in r or "buttons" in r or "custom" in r for r in reply.json()), reply.text
    else:
        assert reply.json()["error"], reply.text


@pytest.mark.parametrize("metadata", [
    '{"page": "\\ud800"}',                              # lone surrogate in a metadata value
    '{"\\udfff": 1}',                                   # ... in a metadata key
    '{"page": "a\\u0000b"}',                            # NUL in metadata (PostgreSQL json refuses it)
    '"{\\"page\\": \\"\\\\ud800\\"}"',                  # metadata as a JSON string holding one
])
def test_hostile_characters_in_metadata_are_a_clean_400_or_harmless(live_stack, metadata):
    raw = '{"sender": "%s", "message": "你好", "metadata": %s}' % (new_sender(), metadata)
    reply = post_raw(live_stack, raw)
    assert reply.status_code in (200, 400), (metadata, reply.status_code, reply.text)
    if reply.status_code == 400:
        assert reply.json()["error"] == "invalid_metadata", reply.text


@pytest.mark.parametrize("payload", [
    '/inform{\\"quantity\\": 1e999}', '/inform{\\"budget_max\\": NaN}',
    '/inform{\\"phone_suffix\\": \\"\\\\ud800\\"}', '/after_sales{\\"reason\\": \\"\\\\u202e\\\\udfff质量问题\\"}',
    '/inform{\\"order_no\\": \\"2026\\\\u200b12061086547273\\"}',
], ids=["1e999", "NaN", "surrogate", "rtl_surrogate", "zero_width"])
def test_button_payload_values_json_or_the_text_cleaning_would_refuse_get_the_command_reply(live_stack, payload):
    """Entities in a "/" payload are decoded by Rasa after the channel cleaned the text:
    1e999 and NaN were recorded as Infinity / NaN in the conversation store, escaped lone
    surrogates and invisible characters reached the slots."""
    from shop_channels.commands import COMMAND_REPLY
    talk = new_sender()
    live_stack.say(talk, "我要退货")
    reply = post_raw(live_stack, '{"sender": "%s", "message": "%s"}' % (talk, payload))
    assert reply.status_code == 200 and [r.get("text") for r in reply.json()] == [COMMAND_REPLY], reply.text
    with sqlite3.connect(live_stack.workdir / "tracker.db") as connection:
        rows = connection.execute("SELECT data FROM events WHERE sender_id = ?", (talk,)).fetchall()
    assert not [data for (data,) in rows if "NaN" in data or "Infinity" in data or "\\ud" in data]


def test_a_lone_surrogate_in_the_sender_is_a_clean_400(live_stack):
    reply = post_raw(live_stack, '{"sender": "u\\ud800", "message": "你好"}')
    assert reply.status_code == 400 and reply.json()["error"] == "invalid_sender", reply.text


@pytest.mark.parametrize("count", [10_000, 1_999])
def test_a_long_run_of_one_emoji_is_413_or_a_polite_reply(live_stack, count):
    reply = requests.post(live_stack.webhook, json={"sender": new_sender(), "message": "😀" * count}, timeout=60)
    if count > 2000:
        # escaped by the client ("\\ud83d\\ude00", 12 bytes each) it is over the body limit first
        assert reply.status_code == 413 and reply.json()["error"] in ("message_too_long", "body_too_large"), reply.text
        raw = json.dumps({"sender": new_sender(), "message": "😀" * count}, ensure_ascii=False).encode()
        reply = post_raw(live_stack, raw)                 # as UTF-8: 40 kB, under the body limit
        assert reply.status_code == 413 and reply.json()["error"] == "message_too_long", reply.text
    else:
        assert reply.status_code == 200 and reply.json(), reply.text


def test_zwj_emoji_sequences_under_the_limit_get_a_reply(live_stack):
    family = "👨\u200d👩\u200d👧\u200d👦"                       # 7 code points, one picture
    reply = requests.post(live_stack.webhook, json={"sender": new_sender(), "message": family * 285}, timeout=60)
    assert reply.status_code == 200 and reply.json(), reply.text


def test_guest_failures_are_recorded_against_the_real_number_not_a_disguise(live_stack, shop_session):
    """A zero-width character inside the order number must not give the guesser a fresh
    lock counter: the failure is counted on the number the shop issued."""
    number, phone, _ = strangers_orders(shop_session, 10)[9]
    wrong = f"{(int(phone[-4:]) + 1) % 10000:04d}"
    guest_lookup(live_stack, number, wrong)
    guest_lookup(live_stack, number[:5] + "\u200b" + number[5:], wrong)
    guest_lookup(live_stack, number.translate(FULL_WIDTH), wrong)
    with shop_session() as session:
        counted = session.execute(select(func.count()).select_from(GuestLookupFailure)
                                  .where(GuestLookupFailure.order_no == number)).scalar_one()
        stray = session.execute(select(GuestLookupFailure.order_no)
                                .where(GuestLookupFailure.order_no.notlike("20%"))).scalars().all()
    assert counted == 3 and not stray, (counted, stray)
