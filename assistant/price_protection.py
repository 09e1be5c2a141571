"""Price protection (价保) for one order: "手机买了两天就降价了 能补差价吗" signed in is about
that phone's order — whether it is still inside the window and until when — not the general
rules followed by "告诉我订单号"."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, List, Mapping, Optional

from assistant.faq import ASKS_ORDER_NO, FaqBook, faq_book
from shop.domain.clock import CHINA_TZ
from shop.domain.policies import PRICE_PROTECTION_DAYS

# The FAQ answer's opening window ("付款后到签收后 7 天内（…），"): the order's own answer has
# already said its window, with dates.
_WINDOW = re.compile(r"^付款后[^，。]*?天内(（[^）]*）)?[，,]")


def how_to_apply(book: Optional[FaqBook] = None) -> str:
    """How price protection is applied for and what it leaves out: content/faq.yml
    ``price_protection`` (the operators' one copy of the exclusions), less its window and its
    ask for an order number — the order is known. Empty when the file has no such topic."""
    answer = (book or faq_book()).answer("price_protection")
    if answer is None:
        return ""
    lines = [line.strip() for line in answer.answers[0].splitlines() if line.strip() and not ASKS_ORDER_NO.search(line)]
    return _WINDOW.sub("", "".join(lines))


def _day(moment: datetime) -> str:
    local = moment.astimezone(CHINA_TZ)
    return f"{local.month}月{local.day}日"


def price_protection_text(order_no: str, title: str, paid_at: Optional[datetime], delivered_at: Optional[datetime],
                          now: datetime) -> str:
    """The answer for one order: unpaid (today's price is paid, nothing to protect), paid and on
    its way (protected until 7 days after delivery), delivered (until when; or over)."""
    named = f"订单 {order_no}（{title[:16]}）"
    if paid_at is None:
        return f"{named}还没付款，现在付款就是按当前价格结算，不需要申请价保。"
    if delivered_at is None:
        return f"{named}还没签收，付款后到签收后 {PRICE_PROTECTION_DAYS} 天内都在价保期内。{how_to_apply()}"
    until = delivered_at + timedelta(days=PRICE_PROTECTION_DAYS)
    if now > until:
        return (f"{named}已于{_day(delivered_at)}签收，价保期（签收后 {PRICE_PROTECTION_DAYS} 天）在{_day(until)}已经结束，"
                "这笔订单不能再申请价保了，抱歉。商品页标「15天价保」的以页面为准，需要的话我可以为您转人工客服核实。")
    return f"{named}于{_day(delivered_at)}签收，价保期到{_day(until)}，现在还在价保期内。{how_to_apply()}"


# "能保价吗", "降价了能补差价不", "这单能价保吗": price protection asked about, whatever the NLU tagged.
ASKED = re.compile(r"价保|保价|价格保护|补差价|退差价|差价|降价了")


def asks_price_protection(text: str, topics: Iterable[str] = ()) -> bool:
    return "price_protection" in topics or bool(ASKED.search(text or ""))


def lookup_texts(events: Iterable[Mapping[str, Any]], is_lookup_prompt: Callable[[str], bool]) -> List[str]:
    """What the shopper typed for a guest look-up now answered, newest first: the latest
    message and, going back, each one the assistant answered with a look-up question ("后四
    位？"), down to the message that opened it ("手机降价了能价保不" → "X" → "3949"), so the
    question the look-up was for is answered once the order is proved."""
    texts: List[str] = []
    reply: Optional[str] = None          # the assistant's answer to the user message met next
    for event in reversed(list(events)):
        if event.get("event") == "bot" and event.get("text"):
            reply = str(event["text"]).strip()
        elif event.get("event") == "user":
            if texts and (reply is None or not is_lookup_prompt(reply)):
                texts.append(event.get("text") or "")
                break
            texts.append(event.get("text") or "")
            reply = None
    return texts


def asked_number_for_price_protection(events: Iterable[Mapping[str, Any]]) -> bool:
    """"刚买的降价了" → the rules and "告诉我订单号，我帮您看看能不能价保" → the number: the
    question before it was price protection and the answer asked for the order's number, so
    the number typed now is for that order's price protection (not only its card)."""
    replies: List[str] = []
    users = 0
    for event in reversed(list(events)):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                return asks_price_protection(event.get("text") or "") and any(ASKS_ORDER_NO.search(r) for r in replies)
        elif event.get("event") == "bot" and users == 1 and event.get("text"):
            replies.append(str(event["text"]))
    return False
