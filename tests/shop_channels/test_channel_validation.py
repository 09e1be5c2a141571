import json

import pytest

from shop_channels.validation import (
    MAX_MESSAGE_CHARS,
    InvalidRequest,
    clean_metadata,
    parse_webhook_body,
)


def body(**fields) -> bytes:
    return json.dumps(fields, ensure_ascii=False).encode("utf-8")


def refused(raw: bytes) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        parse_webhook_body(raw)
    return caught.value


def test_accepts_chinese_message_with_metadata():
    parsed = parse_webhook_body(body(sender="u1", message="你好", metadata={"customer_token": "t"}))
    assert parsed.sender == "u1"
    assert parsed.text == "你好"
    assert parsed.metadata == {"customer_token": "t"}
    assert not parsed.is_blank


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_non_object_bodies_are_400_invalid_json(raw):
    error = refused(raw)
    assert (error.status, error.code) == (400, "invalid_json")


def test_missing_sender_is_refused_instead_of_sharing_the_default_conversation():
    error = refused(body(message="我的订单呢"))
    assert (error.status, error.code) == (400, "missing_sender")
    assert refused(body(sender="", message="x")).code == "missing_sender"


# "victim\n": "$" also matches before a final newline, so the pattern must end in "\Z".
@pytest.mark.parametrize("sender", [123, "has space", "x" * 129, "换行\n", "victim\n", "victim\r\n", {"id": 1}])
def test_malformed_sender_is_refused(sender):
    assert refused(body(sender=sender, message="hi")).code == "invalid_sender"


@pytest.mark.parametrize("message", [None, 5, ["a"], {"text": "x"}])
def test_non_string_message_is_refused(message):
    fields = {"sender": "u1"}
    if message is not None:
        fields["message"] = message
    assert refused(body(**fields)).code == "invalid_message"


def test_huge_message_is_413():
    error = refused(body(sender="u1", message="退" * (MAX_MESSAGE_CHARS + 1)))
    assert (error.status, error.code) == (413, "message_too_long")
    assert "2000" in error.message


def test_blank_message_is_accepted_as_blank():
    assert parse_webhook_body(body(sender="u1", message="   \n ")).is_blank


def test_control_characters_are_removed():
    assert parse_webhook_body(body(sender="u1", message="查\x00订\x1b单")).text == "查订单"


ORDER_NO = "202612061086547273"


@pytest.mark.parametrize("disguised", [
    ORDER_NO[:6] + "\u200b" + ORDER_NO[6:],                  # zero-width space
    ORDER_NO[:4] + "\u200d\u2060" + ORDER_NO[4:],           # zero-width joiner, word joiner
    "\u202e" + ORDER_NO + "\u202c",                          # right-to-left override
    "\u200f" + ORDER_NO,                                     # right-to-left mark
    "".join(d + "\u0301" for d in ORDER_NO),                 # an accent on every digit
    "".join(d + "\u20e3\ufe2e" for d in ORDER_NO),           # keycap marks
    ORDER_NO[:9] + "\ud800" + ORDER_NO[9:],                  # a lone surrogate half (from JSON "\ud800")
])
def test_invisible_and_stacked_characters_do_not_disguise_an_order_number(disguised):
    raw = json.dumps({"sender": "u1", "message": f"查订单{disguised}"}).encode()   # "\\ud800" escaped, as clients send it
    assert parse_webhook_body(raw).text == f"查订单{ORDER_NO}"


@pytest.mark.parametrize("space", ["\u3000", "\u00a0", "\u2002"])
def test_a_full_width_or_no_break_space_stays_a_space_between_two_numbers(space):
    # (typed13: dropped, "２０２６…　３９４９" became one 22-digit number, neither order nor phone)
    assert parse_webhook_body(body(sender="u1", message=f"{ORDER_NO}{space}3949")).text == f"{ORDER_NO} 3949"


def test_accents_on_letters_are_kept():
    assert parse_webhook_body(body(sender="u1", message="café Pokémon")).text == "café Pokémon"


@pytest.mark.parametrize("metadata", [[1], 5, "not json"])
def test_metadata_must_be_an_object(metadata):
    assert refused(body(sender="u1", message="hi", metadata=metadata)).code == "invalid_metadata"


def test_metadata_may_arrive_as_a_json_string_from_socketio_clients():
    assert clean_metadata('{"customer_token": "abc"}') == {"customer_token": "abc"}


def test_errors_serialise_for_the_caller():
    payload = refused(b"nope").as_json()
    assert payload["error"] == "invalid_json" and payload["status"] == 400 and payload["message"]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_numbers_json_has_not_are_refused_not_recorded(number):
    """Python's json takes NaN, Infinity and 1e999 (read as infinity): kept in the metadata,
    they were recorded as NaN / Infinity in the conversation store and in the events Rasa
    publishes, which strict JSON readers (a browser, a BI tool, PostgreSQL's json) cannot
    parse. Now the request is a clean 400, whichever way the number comes."""
    raw = f'{{"sender": "u1", "message": "hi", "metadata": {{"page": {number}}}}}'.encode()
    assert refused(raw).code == "invalid_json"
    assert refused(f'{{"sender": "u1", "message": "hi", "x": {number}}}'.encode()).code == "invalid_json"
    as_string = json.dumps({"sender": "u1", "message": "hi", "metadata": f'{{"page": {number}}}'}).encode()
    assert refused(as_string).code == "invalid_metadata"
    # socket.io: python-socketio decodes the packet itself (NaN allowed); the metadata is checked.
    with pytest.raises(InvalidRequest) as caught:
        clean_metadata({"page": {"deep": [1, float(number)]}})
    assert caught.value.code == "invalid_metadata" and caught.value.status == 400


def test_ordinary_numbers_in_metadata_are_kept():
    assert clean_metadata({"page": 2, "ratio": 0.5, "big": 1e300}) == {"page": 2, "ratio": 0.5, "big": 1e300}
