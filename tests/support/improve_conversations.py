"""Real conversations for the improvement loop's tests (tests/shop_nlu/test_improve.py) and
the console's labelling page (tests/console/test_console_growth_pages.py): Rasa events as the
Rasa server records them, and saving them in the tracker store endpoints.yml names."""
from __future__ import annotations

import uuid
from datetime import datetime

from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from shop.settings import REPO_ROOT
from shop_nlu.improve import conversations

ENDPOINTS = REPO_ROOT / "endpoints.yml"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.SECRET-CUSTOMER-TOKEN.sig"
SENDERS = ("conv-a-7f3e91", "conv-b-private-42", "conv-c-55aa10")
DAY1 = datetime(2026, 11, 2, 10, 0).timestamp()
DAY2 = datetime(2026, 11, 20, 15, 30).timestamp()

# The three messages about a parcel that has not arrived, which must form one group.
PARCEL = ("我的快递怎么到现在还没到啊", "快递咋到现在还没到", "快递到现在还没到呢")


# --- building real conversations ------------------------------------------------------------

def _ranking(pairs):
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


def said(text, ts, intent, confidence, ranking, fallback=False, metadata=None):
    """A UserUttered as the Rasa server records it (fallback on top when the NLU fell back)."""
    ranking = _ranking(ranking)
    top = {"name": intent, "confidence": confidence}
    if fallback:
        top = {"name": "nlu_fallback", "confidence": 0.5}
        ranking = [top] + ranking
    parse_data = {"intent": top, "entities": [], "text": text, "intent_ranking": ranking,
                  "message_id": uuid.uuid4().hex, "metadata": metadata or {}}
    return UserUttered(text, top, [], parse_data=parse_data, timestamp=ts, input_channel="rest",
                       message_id=parse_data["message_id"], metadata=metadata or {})


def reply(action, ts, text=None):
    events = [ActionExecuted(action, timestamp=ts + 0.1)]
    if text:
        events.append(BotUttered(text, timestamp=ts + 0.2))
    events.append(ActionExecuted("action_listen", timestamp=ts + 0.3))
    return events


def session(ts):
    return [ActionExecuted("action_session_start", timestamp=ts), SessionStarted(timestamp=ts),
            ActionExecuted("action_listen", timestamp=ts)]


def click(intent, ts):
    """A clarifying-question button: a /intent payload, parsed by Rasa with confidence 1."""
    return said(f"/{intent}", ts, intent, 1.0, [(intent, 1.0)])


CLARIFY = "不好意思，我不太确定您的意思，您是想："


def conversation_events():
    meta = {"customer_token": TOKEN}
    a = session(DAY1) + [
        said("你好", DAY1 + 1, "greet", 0.98, [("greet", 0.98), ("thank", 0.01)]),
        *reply("utter_greet", DAY1 + 1, "您好"),
        said(PARCEL[0], DAY1 + 10, "order_status", 0.42,
             [("order_status", 0.42), ("after_sales", 0.30), ("purchase", 0.1)], fallback=True),
        *reply("action_clarify", DAY1 + 10, CLARIFY),
        click("order_status", DAY1 + 20),
        *reply("action_order_status", DAY1 + 20, "请问订单号是多少？"),
        said("今天天气怎么样", DAY1 + 30, "out_of_scope", 0.91, [("out_of_scope", 0.91), ("greet", 0.03)]),
        *reply("action_out_of_scope", DAY1 + 30, "这个问题我帮不上忙"),
    ]
    b = session(DAY1 + 100) + [
        said(PARCEL[1], DAY1 + 110, "order_status", 0.45,
             [("order_status", 0.45), ("after_sales", 0.33)], fallback=True, metadata=meta),
        *reply("action_clarify", DAY1 + 110, CLARIFY),
        said("价保到底怎么申请", DAY1 + 120, "purchase", 0.55,
             [("purchase", 0.55), ("after_sales", 0.35)], metadata=meta),
        *reply("action_purchase_help", DAY1 + 120, "…"),
        said(PARCEL[0], DAY1 + 130, "order_status", 0.41,
             [("order_status", 0.41), ("after_sales", 0.31)], fallback=True, metadata=meta),
        *reply("action_clarify", DAY1 + 130, CLARIFY),
        click("human_handoff", DAY1 + 140),  # "都不是，转人工": not a choice of meaning
        *reply("action_handoff", DAY1 + 140, "正在为您转接"),
    ]
    c = session(DAY1 + 500) + [
        said("我要退货", DAY1 + 510, "after_sales", 0.97, [("after_sales", 0.97), ("purchase", 0.01)]),
        *reply("action_after_sales", DAY1 + 510, "好的"),
    ] + session(DAY2) + [  # a second session, weeks later: the whole history is read
        said(PARCEL[2], DAY2 + 10, "after_sales", 0.40,
             [("after_sales", 0.40), ("order_status", 0.38)], fallback=True),
        *reply("action_clarify", DAY2 + 10, CLARIFY),
        said("能帮我写首藏头诗吗", DAY2 + 20, "out_of_scope", 0.45,
             [("out_of_scope", 0.45), ("product_inquiry", 0.2)]),
        *reply("action_out_of_scope", DAY2 + 20, "这个问题我可能帮不上忙"),
        said("嗯嗯那个那个", DAY2 + 30, "inform", 0.7, [("inform", 0.7), ("affirm", 0.2)]),
        *reply("action_default_fallback", DAY2 + 30, "抱歉，我没明白"),
    ]
    return dict(zip(SENDERS, (a, b, c)))


# --- the stores ------------------------------------------------------------------------------

def save_all(domain, events_by_sender):
    store = TrackerStore.create(read_endpoint_config(str(ENDPOINTS), "tracker_store"), domain=domain)
    try:
        for sender, events in events_by_sender.items():
            tracker = DialogueStateTracker.from_events(sender, events, domain.slots)
            conversations.run_coroutine(store.save(tracker))
    finally:
        store.engine.dispose()
