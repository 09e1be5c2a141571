"""docs/channels.md read literally by an integrator, against the live assistant: its request
example, its error commands (run as written, on the test server's address), its error table,
and its JSON examples, whose fields must be those the assistant really sends."""
from __future__ import annotations

import json
import re
import subprocess
import uuid
from pathlib import Path
from typing import Dict, List

import pytest
import requests

pytestmark = pytest.mark.integration

DOC = (Path(__file__).resolve().parents[2] / "docs" / "channels.md").read_text(encoding="utf-8")
CODE = Path(__file__).resolve().parents[2] / "shop_channels"
DOC_ADDRESS = "http://localhost:5005"
FENCE = re.compile(r"```(\w*)\n(.*?)```", re.S)


def section(heading: str) -> str:
    """The text under a heading, up to the next heading of the same or a higher level (a
    "# comment" inside a code block is no heading)."""
    level = len(heading.split(" ")[0])
    lines, inside, fenced = [], False, False
    for line in DOC.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,%d} " % level, line):
            if inside:
                break
            inside = line == heading
        if inside:
            lines.append(line)
    assert lines, heading
    return "\n".join(lines) + "\n"


def blocks(text: str, language: str) -> List[str]:
    return [body for lang, body in FENCE.findall(text) if lang == language]


def new_sender() -> str:
    return uuid.uuid4().hex


def sign_in(live_stack, customer_id: int = 1) -> str:
    """The documented demo sign-in of the shop site (docs/channels.md, section 4)."""
    reply = requests.post(f"{live_stack.web_url}/api/demo/login", json={"customer_id": customer_id}, timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()["token"]


def post(live_stack, body: dict) -> requests.Response:
    return requests.post(live_stack.webhook, json=body, timeout=60)


def shape(message: dict) -> tuple:
    """What kind of bot message this is: its keys, and its custom payload's type."""
    custom = message.get("custom") or {}
    return tuple(sorted(message)), custom.get("type")


@pytest.fixture(scope="module")
def customer_turns(live_stack) -> Dict[str, list]:
    """Customer 1's answers to the documented example messages."""
    token = sign_in(live_stack)
    sender = new_sender()
    metadata = {"customer_token": token}
    orders = post(live_stack, {"sender": sender, "message": "查一下订单", "metadata": metadata})
    cards = post(live_stack, {"sender": sender, "message": "推荐个两千左右的手机", "metadata": metadata})
    assert orders.status_code == 200 and cards.status_code == 200
    listed = next(m["custom"]["orders"] for m in orders.json() if (m.get("custom") or {}).get("type") == "order_list")
    moving = [o for o in listed if o["status_label"] in ("运输中", "派送中")]
    assert moving, listed     # the seed's fixtures give customer 1 a parcel on its way
    pressed = post(live_stack, {"sender": sender, "message": moving[0]["payload"], "metadata": metadata})
    assert pressed.status_code == 200
    return {"orders": orders.json(), "cards": cards.json(), "pressed": pressed.json(), "sender": sender}


def test_the_request_example_is_answered(live_stack):
    example = json.loads(blocks(section("### Request"), "json")[0])
    example["sender"] = new_sender()
    example["metadata"]["customer_token"] = sign_in(live_stack)
    reply = post(live_stack, example)
    assert reply.status_code == 200, reply.text
    messages = reply.json()
    assert isinstance(messages, list) and messages
    assert {m["recipient_id"] for m in messages} == {example["sender"]}
    assert all(set(m) - {"recipient_id"} <= {"text", "buttons", "custom", "image"} for m in messages), messages


def test_each_documented_error_command_gets_its_documented_status_and_code(live_stack):
    commands = blocks(section("### Errors"), "bash")[0].replace("\\\n", " ").splitlines()
    checked = []
    for comment, command in zip(commands, commands[1:]):
        expected = re.fullmatch(r"# (\d{3}) ([a-z_]+)", comment.strip())
        if not expected:
            continue
        assert DOC_ADDRESS in command, command
        run = subprocess.run(["bash", "-c", command.replace(DOC_ADDRESS, live_stack.rasa_url)],
                             capture_output=True, text=True, timeout=60)
        head, _, body = run.stdout.replace("\r\n", "\n").partition("\n\n")
        status = int(head.split()[1])
        assert (status, json.loads(body)["error"]) == (int(expected[1]), expected[2]), (command, run.stdout)
        checked.append(expected[2])
    assert len(checked) >= 9, checked


def test_the_error_table_and_the_channels_code_name_the_same_codes():
    table = set(re.findall(r"^\| \d{3} \| `([a-z_]+)` \|", section("### Errors"), re.M))
    raised = set()
    for module in CODE.glob("*.py"):
        source = module.read_text(encoding="utf-8")
        # InvalidRequest(400, "code", …) and its subclasses' super().__init__(409, "code", …)
        raised |= set(re.findall(r'\(\s*\d{3},\s*"([a-z_]+)"', source))
        raised |= set(re.findall(r'"error": "([a-z_]+)"', source))
    poll_only = {"invalid_after"}    # documented with agent_messages, which alone sends it
    assert raised - poll_only == table, (sorted(raised - table), sorted(table - raised))
    assert all(f"`{code}`" in DOC or code in DOC for code in poll_only)


def test_a_wrong_method_or_path_is_a_json_error_not_a_web_page(live_stack):
    wrong_method = requests.get(live_stack.webhook, timeout=10)
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Content-Type"].startswith("application/json")
    assert wrong_method.json()["error"] == "method_not_allowed"
    assert "POST" in wrong_method.headers["Allow"]
    typo = requests.post(f"{live_stack.rasa_url}/webhooks/rest/webhooks", json={"sender": "a", "message": "b"},
                         timeout=10)
    assert typo.status_code == 404
    assert typo.json() == {"error": "not_found", "message": typo.json()["message"], "status": 404}
    assert requests.get(f"{live_stack.rasa_url}/webhooks/rest/", timeout=10).json() == {"status": "ok"}


def test_the_order_answer_example_has_the_live_answers_parts(customer_turns):
    documented = json.loads(blocks(section("### Examples (curl)"), "json")[0])
    assert [shape(m) for m in documented] == [shape(m) for m in customer_turns["orders"]]


def documented_payload(kind: str) -> dict:
    return json.loads(blocks(section(next(h for h in re.findall(r"^### .+$", DOC, re.M) if f"`{kind}`" in h)),
                             "json")[0])


def custom_of(messages: list, kind: str) -> dict:
    return next(m["custom"] for m in messages if (m.get("custom") or {}).get("type") == kind)


def test_the_product_cards_example_has_the_fields_the_assistant_sends(customer_turns):
    example, live = documented_payload("product_cards"), custom_of(customer_turns["cards"], "product_cards")
    assert set(example) == set(live)
    assert set(example["products"][0]) == set(live["products"][0])
    assert set(example["products"][0]["buttons"][0]) == set(live["products"][0]["buttons"][0])


def test_the_order_timeline_example_has_the_fields_the_assistant_sends(customer_turns):
    example, live = documented_payload("order_timeline"), custom_of(customer_turns["pressed"], "order_timeline")
    assert set(example) == set(live) and set(example["order"]) == set(live["order"])
    assert set(example["order"]["items"][0]) == set(live["order"]["items"][0])
    assert live["order"]["events"], live     # a parcel on its way has its logistics events
    assert set(example["order"]["events"][0]) == set(live["order"]["events"][0])


def test_the_order_list_example_has_the_fields_the_assistant_sends(customer_turns):
    example, live = documented_payload("order_list"), custom_of(customer_turns["orders"], "order_list")
    assert set(example) == set(live) and set(example["orders"][0]) == set(live["orders"][0])


def test_the_agent_messages_example_is_the_reply_shape(live_stack, customer_turns):
    reply = requests.post(f"{live_stack.rasa_url}/webhooks/rest/agent_messages",
                          json={"sender": customer_turns["sender"], "after": 0}, timeout=10)
    assert reply.status_code == 200
    assert set(reply.json()) == {"status", "ticket_no", "messages"}
    assert reply.json()["status"] == "none"


def test_the_shop_site_endpoints_answer_the_documented_fields(live_stack):
    rows = {m[0]: json.loads(m[1]) for m in
            re.findall(r"^\| `(?:GET|POST) (/[^` ]+)`[^|]*\| `(\{.*\})`", section("## 4. The demo shop site"), re.M)}
    assert set(rows) == {"/healthz", "/api/config", "/api/demo/customers", "/api/demo/login"}, rows
    live = {
        "/healthz": requests.get(f"{live_stack.web_url}/healthz", timeout=10).json(),
        "/api/config": requests.get(f"{live_stack.web_url}/api/config", timeout=10).json(),
        "/api/demo/customers": requests.get(f"{live_stack.web_url}/api/demo/customers", timeout=10).json(),
        "/api/demo/login": requests.post(f"{live_stack.web_url}/api/demo/login", json={"customer_id": 1},
                                         timeout=10).json(),
    }
    for path, documented in rows.items():
        assert set(documented) == set(live[path]), path
    assert set(rows["/api/config"]["rasa"]) == set(live["/api/config"]["rasa"])
    assert set(rows["/api/demo/customers"]["customers"][0]) == set(live["/api/demo/customers"]["customers"][0])


def socketio_turn(rasa_url: str, message: str, custom_data: dict) -> list:
    """The documented minimal socket.io client (section 2), in Python: Engine.IO v4 over a
    WebSocket, a session the server issues, one message; the bot_uttered data up to the
    last one of the turn (an order_list closes the answer to "查一下订单")."""
    import asyncio

    import websockets

    async def talk() -> list:
        url = rasa_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        got = []
        async with websockets.connect(url) as ws:
            async for data in ws:
                if data[0] == "0":
                    await ws.send("40")
                elif data == "2":
                    await ws.send("3")
                elif data.startswith("40"):
                    await ws.send('42["session_request",{"session_id":"new"}]')
                elif data.startswith("42"):
                    event, arg = json.loads(data[2:])
                    if event == "session_confirm":
                        await ws.send("42" + json.dumps(["user_uttered", {
                            "message": message, "session_id": arg, "customData": custom_data}]))
                    elif event == "bot_uttered":
                        got.append(arg)
                        if (arg.get("custom") or {}).get("type") == "order_list":
                            return got
        return got

    return asyncio.run(asyncio.wait_for(talk(), 120))


def test_the_documented_socketio_client_gets_the_documented_bot_uttered_shapes(live_stack):
    documented = [json.loads(line) for line in blocks(section("### Events"), "json")[0].splitlines() if line]
    shapes = {tuple(sorted(example)) for example in documented}
    quick_reply_keys = set(next(e for e in documented if "quick_replies" in e)["quick_replies"][0])
    said = socketio_turn(live_stack.rasa_url, "查一下订单", {"customer_token": sign_in(live_stack)})
    kinds = [(m.get("custom") or {}).get("type") for m in said]
    assert "order_timeline" in kinds and kinds[-1] == "order_list", said
    for message in said:
        assert tuple(sorted(message)) in shapes, message
        for reply in message.get("quick_replies", []):
            assert set(reply) == quick_reply_keys, reply
