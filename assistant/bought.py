""""买了" / "已经买了" / "下单了" after recommendations: news, not a question.

The shopper tells us the recommendation worked. The classifier, reading the message alone,
is unsure what it asks (it asks nothing); the conversation says what it is: a purchase of
what was just shown. The answer thanks them and says what comes next (tracking the order),
instead of a clarifying question. Pure: the caller passes the intent the previous message
was answered as (``assistant.follow_up.previous_question``).
"""
from __future__ import annotations

import re
from typing import Optional

# The whole message says it was bought: "买了", "已经买了", "刚下单了", "拍下了", "付款了哈".
# Anchored: "买了怎么还没发货" and "下单了能改地址吗" are questions of their own.
BOUGHT = re.compile(
    r"^(我|嗯|好的?|ok|好滴)?[，, ]*(已经|刚刚?|都|也|就)?\s*"
    r"(买了|买啦|买好了|下单了|下单啦|下好单了|已下单|下了单|拍了|拍下了|拍啦|付款了|付了款?|付好了|入手了|已购买|已经购买)"
    r"(哈|哦|呀|啊|啦|了|嘿)?\s*[!！。.~～😄😊👍]*$",
    re.IGNORECASE,
)
# What was shown just before: products (recommended, or one asked about).
AFTER = ("ask_recommendation", "product_inquiry")

THANKS = ("太好了，感谢您的购买！我们会尽快为您发货；想知道到哪了，随时问我“我的订单到哪了”就行。"
          "还有什么可以帮您的吗？")


def says_bought(text: str, previous: Optional[str]) -> bool:
    """Whether ``text`` tells us the products just shown were bought (``previous``: the intent
    the shopper's previous message was answered as)."""
    return previous in AFTER and bool(BOUGHT.match((text or "").strip()))


# "那就买这个" / "就要这个了" / "就它了" after a product was shown: a decision to buy it, which
# the answer meets with how to buy (the card's buttons, the steps), not the card once more.
DECIDES = re.compile(
    r"^(那|好|行|嗯|ok)?[，, ]*(那|我)?(就|决定|还是)?\s*(买|要|拍|入|下单|选|定)(这个|这款|这件|它|这台|这部|这双|这一款|了吧|吧)"
    r"(了|吧|啦|哈|啊)?\s*[!！。.~～]*$|^(那)?就(它|这个|这款)了?(吧)?[!！。.~～]*$",
    re.IGNORECASE,
)


# "拍两件", "要2个", "就来三台" while a product is in view: buying it, so many of it.
BUYS_SOME = re.compile(
    r"^(那|好|行|嗯|ok)?[，, ]*(那|我)?(就|先)?\s*(买|要|拍|来|下单|入|拿)\s*(?P<n>[两二三四五六七八九十]|\d{1,2})\s*"
    r"(件|个|台|双|部|盒|瓶|份|套|只|支)(吧|了|哈|啊)?\s*[!！。.~～]*$",
    re.IGNORECASE,
)
# "算了改成一个吧", "还是只要一件", "换成三台": the number of the product being bought, changed.
# (A plain "要三个" is a first decision, BUYS_SOME's: only a change word or "…就行" changes it.)
_COUNT = r"([一两二三四五六七八九十]|\d{1,2})\s*(件|个|台|双|部|盒|瓶|份|套|只|支)"
COUNT = re.compile(_COUNT)
CHANGES_QUANTITY = re.compile(
    r"^(算了|那|那就|还是|嗯|好)?[，, ]*(我)?(还是|就)?\s*"
    r"(?:(改成|换成|改为|改|只要|只买|只拍)\s*" + _COUNT + r"(吧|了|就行|就好|就够了?|哈|啊)?"
    r"|要\s*" + _COUNT + r"(就行|就好|就够了?)(吧|了)?)\s*[!！。.~～]*$",
    re.IGNORECASE,
)
CHINESE_COUNTS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


# "就它了 拿两件", "好 就这个，要三个": a decision, then how many, in clauses of one message.
CLAUSES = re.compile(r"[，,。！!～~\s]+")


def _clauses(text: str) -> list:
    text = (text or "").strip()
    return [text] + [c for c in CLAUSES.split(text) if c and c != text]


def decides_to_buy(text: str) -> bool:
    """"那就买这个", "就要这个了", "拍两件", "就它了 拿两件": the shopper decided to buy what is
    on screen."""
    return any(DECIDES.match(c) or BUYS_SOME.match(c) for c in _clauses(text))


def changes_quantity(text: str) -> bool:
    """"算了改成一个吧", "还是只要一件": the shopper changes how many of the product they buy."""
    return bool(CHANGES_QUANTITY.match((text or "").strip()))


def quantity_decided(text: str) -> int:
    """How many the shopper decided to buy ("拍两件" → 2, "改成一个吧" → 1); 1 when no number
    is said."""
    text = (text or "").strip()
    bought = next((found for found in map(BUYS_SOME.match, _clauses(text)) if found), None)
    changed = COUNT.search(text) if CHANGES_QUANTITY.match(text) else None
    if not (bought or changed):
        return 1
    n = bought.group("n") if bought else changed.group(1)
    return int(n) if n.isdigit() else CHINESE_COUNTS[n]
