"""Channel-side defences, without servers: "/" commands, conversation binding, session ids,
and the Rasa patch that answers when the action server does not."""
import asyncio
import socket
import time
from pathlib import Path

import pytest
import structlog.testing
import yaml
from rasa.core.nlg.interpolator import interpolate_text

from shop import identity
from shop_channels import commands
from shop_channels.identity import bind_conversation, is_issued_session_id, issue_session_id

SECRET = "channel-tests-secret-0123456789abcdefghij"
DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv("SHOP_TOKEN_SECRET", SECRET)


# --- "/" commands ----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "你好", "查订单20240101", "/order_status", "/human_handoff", '/inform{"order_no": "202401011234567890"}',
    '/inform{"order_item_id": 12}', '/purchase{"topic": "invoice"}', '/after_sales{"service_type": "退货"}',
])
def test_ordinary_text_and_button_payloads_pass(text):
    assert commands.refused_command(text) is None


@pytest.mark.parametrize("text", [
    "/restart", " /session_start", "/back", "/nlu_fallback", "/affirm", "/order_status@0.9", "/",
    "/action_restart", "/ORDER_STATUS", '/inform{"slot_x": "1"}', '/inform{"order_no": ["1"]}',
    '/inform{"order_no": {"a": 1}}', '/inform{"order_no": true}', "/inform{not json}",
    '/inform{"reason": "<img src=x onerror=alert(1)>"}', '/inform{"order_no": "' + "1" * 101 + '"}',
    "/inform{" + '"order_no": ' + "[" * 5000 + "]" * 5000 + "}",
])
def test_other_commands_are_refused(text):
    assert commands.refused_command(text)


def test_the_allowed_intents_and_entities_match_the_domain():
    assert commands.BUTTON_INTENTS <= set(DOMAIN["intents"])
    assert commands.ENTITIES == set(DOMAIN["entities"])
    from actions.clarify import INTENT_CHOICES
    assert set(INTENT_CHOICES) <= commands.BUTTON_INTENTS
    for response in DOMAIN["responses"].values():
        for variant in response:
            for button in variant.get("buttons", []):
                # What the shopper's client receives: the payload after Rasa fills placeholders.
                assert commands.refused_command(interpolate_text(button["payload"], {})) is None, button


def test_rendering_the_domain_buttons_logs_no_error():
    # Rasa fills {slot} placeholders in button payloads too; a single-braced JSON payload
    # logged one ERROR per button each time the service-type menu was shown.
    with structlog.testing.capture_logs() as logged:
        rendered = [interpolate_text(button["payload"], {"order_no": None})
                    for response in DOMAIN["responses"].values() for variant in response
                    for button in variant.get("buttons", [])]
    assert '/inform{"service_type": "退货"}' in rendered
    assert not [entry for entry in logged if entry["log_level"] in ("error", "exception", "critical")]


# --- conversations bound to identity ---------------------------------------------------

def test_guests_keep_their_sender_and_customers_get_their_own_conversation():
    assert bind_conversation("web-1", {"page": "/"}) == ("web-1", {"page": "/"})
    token = identity.issue_customer_token(7)
    conversation, metadata = bind_conversation("web-1", {"customer_token": token, "page": "/"})
    assert conversation == "web-1~c7" and "customer_token" not in metadata and metadata["page"] == "/"
    assert token not in repr(metadata)
    assert identity.resolve_customer_id(metadata, "rest", conversation) == 7
    # The stored identity is worthless elsewhere: another conversation, or as a token.
    assert identity.resolve_customer_id(metadata, "rest", "web-1~c8") is None
    assert identity.resolve_customer_id(metadata, "rest", "web-1") is None
    assert identity.verify_customer_token(metadata[identity.IDENTITY_METADATA_KEY]) is None
    other, _ = bind_conversation("web-1", {"customer_token": identity.issue_customer_token(8)})
    assert other == "web-1~c8"


@pytest.mark.parametrize("metadata", [
    {"customer_token": "forged"},
    {"customer_token": identity.issue_customer_token(7, secret="another-secret-0123456789abcdefghij")},
    {"shop_identity": "v1.7.9999999999." + "0" * 64},
])
def test_bad_or_smuggled_identities_make_a_guest(metadata):
    conversation, clean = bind_conversation("web-1", metadata)
    assert conversation == "web-1" and clean == {}


def test_the_client_is_recorded_as_a_tag_and_never_taken_from_the_client():
    from shop_channels.identity import client_address

    # A client cannot name its own tag (it would pick a fresh allowance for every message).
    conversation, clean = bind_conversation("web-1", {identity.CLIENT_METADATA_KEY: "f" * 32, "page": "/"})
    assert clean == {"page": "/"}
    _, first = bind_conversation("web-1", {identity.CLIENT_METADATA_KEY: "f" * 32}, client="203.0.113.7")
    _, again = bind_conversation("web-2", {}, client="203.0.113.7")           # another conversation
    _, other = bind_conversation("web-1", {}, client="198.51.100.1")
    tag = first[identity.CLIENT_METADATA_KEY]
    assert identity.is_client_tag(tag) and tag != "f" * 32 and "203.0.113.7" not in repr(first)
    assert again[identity.CLIENT_METADATA_KEY] == tag and other[identity.CLIENT_METADATA_KEY] != tag

    class Request:          # what Sanic gives: the forwarded client when trusted, else the peer
        def __init__(self, remote_addr: str, ip: str) -> None:
            self.remote_addr, self.ip = remote_addr, ip

    assert client_address(Request("203.0.113.7", "127.0.0.1")) == "203.0.113.7"
    assert client_address(Request("", "127.0.0.1")) == "127.0.0.1"
    assert client_address(None) is None


def test_clients_behind_an_untrusted_proxy_get_tags_of_their_own_under_the_proxy_address(caplog):
    from shop_channels import identity as channel_identity
    from shop_channels.identity import untrusted_forwarding

    class Request:
        def __init__(self, remote_addr: str, ip: str, headers: dict) -> None:
            self.remote_addr, self.ip, self.headers = remote_addr, ip, headers

    # No proxy: nothing forwarded; a proxy Sanic trusts: the address is already the client's.
    assert untrusted_forwarding(Request("", "203.0.113.7", {})) is None
    assert untrusted_forwarding(Request("203.0.113.7", "10.0.0.5", {"x-forwarded-for": "203.0.113.7"})) is None
    assert untrusted_forwarding(None) is None
    channel_identity._warned_untrusted = False
    with caplog.at_level("WARNING", logger="shop_channels.identity"):
        first = untrusted_forwarding(Request("", "10.0.0.5", {"x-forwarded-for": "203.0.113.7"}))
        second = untrusted_forwarding(Request("", "10.0.0.5", {"x-forwarded-for": "198.51.100.1"}))
        huge = untrusted_forwarding(Request("", "10.0.0.5", {"x-forwarded-for": "1," * 5000}))
    assert first == "x-forwarded-for=203.0.113.7" and len(huge) <= 512
    assert sum("SANIC_PROXIES_COUNT" in r.getMessage() for r in caplog.records) == 1     # logged once
    _, one = bind_conversation("web-1", {}, client="10.0.0.5", forwarded=first)
    _, two = bind_conversation("web-2", {}, client="10.0.0.5", forwarded=second)
    _, direct = bind_conversation("web-3", {}, client="10.0.0.5")
    tags = [meta[identity.CLIENT_METADATA_KEY] for meta in (one, two, direct)]
    assert all(identity.is_client_tag(tag) for tag in tags) and len(set(tags)) == 3
    assert {identity.client_tag_address(tag) for tag in tags} == {identity.client_tag_address(tags[0])}


def test_an_expired_conversation_identity_is_refused():
    value = identity.issue_conversation_identity(7, int(time.time()) - 1, "s~c7")
    assert identity.verify_conversation_identity(value, "s~c7") is None


def test_session_ids_are_issued_and_checked():
    issued = issue_session_id()
    assert is_issued_session_id(issued) and len(issued) == 65
    assert issued != issue_session_id()
    for guess in ("app-user-8842", issued[:-1] + ("0" if issued[-1] != "0" else "1"), None, 42,
                  "0" * 32 + "." + "0" * 32, issued + "\n"):
        assert not is_issued_session_id(guess)


# --- the action server does not answer -------------------------------------------------

def _rasa_parts():
    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, FollowupAction
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    import shop_channels  # noqa: F401 - installs the patches

    domain = Domain.from_dict({"responses": {"utter_service_unavailable": [{"text": "抱歉，系统暂时开了个小差。"}]},
                               "actions": ["action_order_status"]})
    return RemoteAction, CollectingOutputChannel, TemplatedNaturalLanguageGenerator(domain.responses), \
        domain, BotUttered, FollowupAction, DialogueStateTracker, EndpointConfig


def _run_against(url, monkeypatch):
    RemoteAction, Output, nlg, domain, BotUttered, FollowupAction, Tracker, Endpoint = _rasa_parts()
    monkeypatch.setattr("shop_channels.rasa_failures._call_timeout_s", 1.0)   # ACTION_CALL_TIMEOUT_S=1
    action = RemoteAction("action_order_status", Endpoint(url))
    tracker = Tracker("t1", domain.slots)
    started = time.monotonic()
    events = asyncio.run(action.run(Output(), nlg, tracker, domain))
    return events, time.monotonic() - started, BotUttered, FollowupAction


def test_an_unreachable_action_server_gets_the_apology(monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    events, _, BotUttered, FollowupAction = _run_against(f"http://127.0.0.1:{port}/webhook", monkeypatch)
    assert isinstance(events[0], BotUttered) and "小差" in events[0].text
    assert isinstance(events[1], FollowupAction) and events[1].action_name == "action_listen"


def test_an_action_server_that_never_answers_times_out_into_the_apology(monkeypatch):
    with socket.socket() as silent:          # accepts connections, never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        events, elapsed, BotUttered, _ = _run_against(f"http://127.0.0.1:{silent.getsockname()[1]}/webhook",
                                                      monkeypatch)
    assert isinstance(events[0], BotUttered) and "小差" in events[0].text
    assert elapsed < 5


def test_a_conversation_identity_with_anything_after_it_is_refused():
    value = identity.issue_conversation_identity(7, int(time.time()) + 600, "s~c7")
    assert identity.verify_conversation_identity(value, "s~c7") == 7
    assert identity.verify_conversation_identity(value + "\n", "s~c7") is None
