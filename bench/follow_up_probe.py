"""Follow-up probe: fragments that only make sense after the previous turn, played after
typical opening turns against a running assistant, each reply sorted into what it did.

    python bench/follow_up_probe.py [--url http://127.0.0.1:PORT] [--show]

Without ``--url`` it starts its own assistant (action server + Rasa, a freshly seeded temp
SQLite shop, the newest model in models/; tests/support/stack.py, ports in TEST_PORT_RANGE).

Each conversation is one opening (an order's whereabouts, a refund under way, products
recommended, price protection, an invoice, an installation, a hand-off) followed by one
fragment of a family that fits it: real fragments of the ``train`` split labelled
``context`` in bench/data/real_shoppers/labels.tsv (only that split is read) and the
families of issue 14 item 5 written in their style (urging, money timing, agreement,
partial shipment, impatience, "这个呢" about products in view). Each reply to the fragment is:

- ``continues``: it carries a word of what the fragment continues (the family's words for
  that opening: the order's number, 退款, 价保, 人工 …);
- ``asks_back``: the clarifying question ("您是想：…");
- ``out_of_scope``: the out-of-scope or "没太明白" reply;
- ``wrong_flow``: anything else (answered, but as something unrelated).

A development figure (the words are a coarse check, read ``--show`` for the transcripts), not
a test: the tests are the typed conversations in tests/conversations/follow_ups_real.yml.
"""
from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shop.identity import issue_customer_token  # noqa: E402
from shop.seed.fixtures import MAIN_CUSTOMER_ID, REFUNDING_CUSTOMER_ID  # noqa: E402

LABELS = ROOT / "bench" / "data" / "real_shoppers" / "labels.tsv"
ASKS_BACK = ("不太确定您的意思", "您是想：")
OUT_OF_SCOPE = ("暂时帮不上忙", "超出我的能力范围", "没太明白")
# Words of a person taking over (the hand-off reply, its queue, the desk's hours).
PERSON = ("人工", "客服", "专员", "排队")


@dataclass(frozen=True)
class Opening:
    name: str
    customer: Optional[int]     # fixture customer signed in, or None for a guest
    turns: Tuple[str, ...]


OPENINGS = {
    "order": Opening("order", MAIN_CUSTOMER_ID, ("我的耳机到哪了",)),
    "unshipped": Opening("unshipped", MAIN_CUSTOMER_ID, ("护肤品发了没",)),
    "refund": Opening("refund", REFUNDING_CUSTOMER_ID, ("我的退款到哪了",)),
    "cancelled": Opening("cancelled", MAIN_CUSTOMER_ID, ("护肤品那单取消吧", "确认取消")),
    "products": Opening("products", None, ("推荐个蓝牙耳机",)),
    "price_protection": Opening("price_protection", MAIN_CUSTOMER_ID, ("刚买的耳机就降价了 能价保吗",)),
    "invoice": Opening("invoice", MAIN_CUSTOMER_ID, ("我想开个发票",)),
    "installation": Opening("installation", REFUNDING_CUSTOMER_ID, ("空调什么时候来安装",)),
    "handoff": Opening("handoff", MAIN_CUSTOMER_ID, ("转人工",)),
    # Answers that end with an offer of a person ("需要的话我马上为您转接人工客服").
    "order_urged": Opening("order_urged", MAIN_CUSTOMER_ID, ("我的耳机到哪了", "能快点吗")),
    "refund_urged": Opening("refund_urged", REFUNDING_CUSTOMER_ID, ("我的退款到哪了", "能快点吗")),
}

# Per opening, the words a reply that continues it carries (any one).
TOPIC_WORDS: Dict[str, Tuple[str, ...]] = {
    "order": ("耳机", "物流", "快递", "催", "加急", "派送", "运输"),
    "unshipped": ("护肤", "发货", "催", "加急", "先发"),
    "refund": ("退款", "原路", "Apple Watch", "审核", "售后"),
    "cancelled": ("退款", "原路", "退回", "取消"),
    "products": ("耳机",),
    "price_protection": ("价保", "差价", "降价"),
    "invoice": ("发票",),
    "installation": ("安装", "师傅", "空调"),
    "handoff": PERSON,
    "order_urged": PERSON,
    "refund_urged": PERSON,
}

# Families written in the real shoppers' style, each with the openings it continues, and the
# words that show it was understood (None: the opening's TOPIC_WORDS).
FAMILIES: Dict[str, Tuple[Sequence[str], Sequence[str], Optional[Sequence[str]]]] = {
    "urging": (("能快点吗", "怎么还没到", "还要等多久", "催一下", "能不能快点", "都好几天了"),
               ("order", "unshipped", "refund", "installation"), None),
    "money_timing": (("那钱哪天退回来", "钱什么时候到账", "那退款呢", "那多久能到"),
                     ("refund", "cancelled"), None),
    # With an offer open, the offer taken (a person); with none, a plain "好的" back.
    "agreement": (("就按你说的办吧", "行 那就这样", "好的 就这么办", "那就这么办吧"), ("order_urged", "refund_urged"), None),
    "agreement_no_offer": (("就按你说的办吧", "行 那就这样"), ("order", "price_protection", "installation"),
                           ("还有什么可以帮您", "随时叫我", "好的")),
    "partial_shipment": (("先把有货的发了", "有货的先发吧"), ("unshipped", "order"), ("先发", "分开发", "拆单", "有货")),
    "impatience": (("不等了 人呢", "人呢", "怎么没人回我", "有人吗"), ("order", "refund", "products", "handoff"), PERSON),
    "products_in_view": (("这个呢", "那另一个呢", "第二个呢", "第一个怎么样"), ("products",), None),
    "how_then": (("那怎么办", "然后呢", "那要几天"), ("order", "refund", "price_protection", "installation"), None),
}


# The openings a real fragment's JD topic (jd_category) continues; topics not named here
# (merchant onboarding, account e-mail) have no opening of ours.
REAL_OPENINGS = {"联系客户": ("handoff", "installation"), "服务单查询": ("refund",), "使用咨询": ("products",),
                 "订单状态解释": ("order",), "查询取消是否成功": ("cancelled",), "恢复订单": ("cancelled",)}
WRITING_OPENINGS = frozenset({"cancelled"})


def real_fragments() -> List[Tuple[str, str]]:
    """(text, JD topic) of the train split's messages labelled ``context`` (the evaluation
    splits are not read)."""
    with LABELS.open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [(row["text"], row["jd_category"]) for row in rows
                if row["split"] == "train" and row["intent"] == "context"]


def probes() -> List[Tuple[str, str, str, Sequence[str]]]:
    """(family, opening, fragment, words that show it continued)."""
    out = []
    for family, (fragments, openings, words) in FAMILIES.items():
        for opening in openings:
            for fragment in fragments:
                out.append((family, opening, fragment, tuple(words or TOPIC_WORDS[opening])))
    # Real fragments, after the openings their JD topic is about: most ask when someone calls
    # back (after a hand-off, or an installation whose installer calls first).
    for fragment, jd_topic in real_fragments():
        for opening in REAL_OPENINGS.get(jd_topic, ()):
            out.append(("real_train", opening, fragment, TOPIC_WORDS[opening] + PERSON + ("联系", "电话")))
    # Openings that write (a cancellation) last: a database the probe cannot restore (--url
    # without --database-url) then changes no other probe's opening.
    return sorted(out, key=lambda probe: probe[1] in WRITING_OPENINGS)


def reply_text(replies: list) -> str:
    parts = []
    for reply in replies:
        parts.append(reply.get("text") or "")
        for button in reply.get("buttons") or []:
            parts.append(str(button.get("title") or ""))
        if reply.get("custom"):
            parts.append(str(reply["custom"]))
    return "\n".join(parts)


def classify(reply: str, words: Sequence[str]) -> str:
    if any(w in reply for w in ASKS_BACK):
        return "asks_back"
    if any(w in reply for w in OUT_OF_SCOPE):
        return "out_of_scope"
    if any(w in reply for w in words):
        return "continues"
    return "wrong_flow"


def say(url: str, sender: str, text: str, metadata: Optional[dict]) -> list:
    body = {"sender": sender, "message": text}
    if metadata is not None:
        body["metadata"] = metadata
    response = requests.post(f"{url}/webhooks/rest/webhook", json=body, timeout=60)
    response.raise_for_status()
    return response.json()


@contextmanager
def restored(database_url: Optional[str]):
    """What a probe writes (a cancellation, a hand-off ticket) undone after it, as the typed
    conversations do, so every opening meets the seeded shop."""
    if not database_url:
        yield
        return
    from shop.db.engine import make_engine, session_scope
    from tests.support.typed_conversations import snapshot_orders, take_marks, undo_writes

    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            marks, snapshot = take_marks(session), snapshot_orders(session)
        try:
            yield
        finally:
            with session_scope(engine) as session:
                undo_writes(session, marks, snapshot)
    finally:
        engine.dispose()


def run(url: str, secret: str, show: bool, database_url: Optional[str] = None) -> Counter:
    totals: Counter = Counter()
    by_family: Dict[str, Counter] = defaultdict(Counter)
    for family, opening_name, fragment, words in probes():
        opening = OPENINGS[opening_name]
        metadata = None
        if opening.customer is not None:
            metadata = {"customer_token": issue_customer_token(opening.customer, secret=secret)}
        sender = f"probe-{uuid.uuid4().hex[:12]}"
        first = ""
        with restored(database_url):
            for turn in opening.turns:
                first = reply_text(say(url, sender, turn, metadata))
            reply = reply_text(say(url, sender, fragment, metadata))
        verdict = classify(reply, words)
        totals[verdict] += 1
        by_family[family][verdict] += 1
        if show and verdict != "continues":
            print(f"[{verdict}] {family} after {opening_name}: {' / '.join(opening.turns)} -> {first[:80]!r}")
            print(f"    > {fragment}\n    {reply[:240]!r}")
    kinds = ("continues", "asks_back", "out_of_scope", "wrong_flow")
    print(f"{'family':<18}" + "".join(f"{k:>14}" for k in kinds) + f"{'total':>8}")
    for family, counts in by_family.items():
        print(f"{family:<18}" + "".join(f"{counts[k]:>14}" for k in kinds) + f"{sum(counts.values()):>8}")
    print(f"{'all':<18}" + "".join(f"{totals[k]:>14}" for k in kinds) + f"{sum(totals.values()):>8}")
    return totals


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running assistant's Rasa server (its SHOP_TOKEN_SECRET must be the tests' one)")
    parser.add_argument("--database-url", help="with --url: its shop database, to undo what each probe writes")
    parser.add_argument("--show", action="store_true", help="print the transcripts of replies that did not continue")
    args = parser.parse_args(argv)
    from tests.support.stack import TEST_TOKEN_SECRET, latest_model, start_stack

    if args.url:
        run(args.url.rstrip("/"), TEST_TOKEN_SECRET, args.show, args.database_url)
        return 0
    model = latest_model()
    if model is None:
        parser.error("no trained model in models/")
    with tempfile.TemporaryDirectory(prefix="follow-up-probe-") as workdir:
        stack = start_stack(Path(workdir), model, with_site=False)
        try:
            run(stack.rasa_url, TEST_TOKEN_SECRET, args.show, stack.database_url)
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
