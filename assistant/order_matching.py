"""Which of a shopper's orders a message means when it names no order number:
"我买的耳机什么时候能到" (a product), "上周买的鞋" (a time and a category), "查物流"
(the latest order that has logistics). Pure: the caller passes the orders, newest first."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import List, Mapping, Optional, Sequence, Tuple

from assistant.answer_words import CANCEL_IT
from shop.domain.clock import CHINA_TZ
from shop.domain.orders import IN_DELIVERY, OrderStatus

# Words that ask about an order but do not describe which one.
NOT_A_DESCRIPTION = re.compile(
    r"到底|什么时候|啥时候|能到|会到|送到|到哪|到了吗|到没到|哪儿|哪里|怎么还没|还没到|多久|几天|"
    r"帮我|帮忙|麻烦|把|查一下|查下|查查|看一下|看看|查询|查|请问|我的|我买的|我在|买的|我|你们|"
    r"订单|快递|物流|包裹|派送|发货|配送|状态|进度|信息|单号|东西|商品|宝贝|"
    r"上周|上星期|上个星期|这周|本周|上个月|这个月|本月|昨天|今天|前天|最近|之前|前几天|"
    r"一下|那个|这个|那件|这件|那单|这单|那笔|那双|这双|那台|这台|那部|这部|那瓶|这瓶|那盒|这盒|那套|这套|那条|这条|那箱|这箱|那包|这包|那袋|这袋|那份|这份|的|了|吗|呢|啊|呀|吧|么|到|哪|还|没|在|是|"
    r"不(?=[?？。!！\s]*$)|"   # "能送到不": a question's 不, at the end
    r"收到|等了|等|[一二三四五六七八九十两几\d]+(天|日|周|个星期)|好几天|了好久|好久|"
    r"修改|更改|变更|取消|不要|想|要|帮|能不能|可以|快点|快一点|加快|尽快|催|改|收货地址|地址|急用|急着用|着急|加急|赶紧|很急|怎么回事|怎么搞的|什么情况|搞什么|你们|一直|总是|都不|不更新|没更新|没有更新|更新|没动|不动|怎么|怎样|咋|什么|啥|买了|买过|买|"
    r"(?<![护头])发(?!票)|送(?![女男老给])|(?<![智功性节动])能|"   # "能快点送吗" (not 护发, 送女友, 智能)
    r"[，。,.!?！？\s]|[^\w\s]"   # the last: emoji and other symbols ("还没到😤")
)
LOGISTICS = re.compile(r"物流|快递|包裹|到哪|送到|派送|运单|还没到|没收到|还没收到|怎么还不到|还不到")
# "我买的…" / "上周买的鞋": about something already bought, not a wish to buy.
OWN_ORDER = re.compile(r"(我|刚|刚刚|上周|上星期|昨天|前天|之前|上个月|前几天|这周|今天|最近|近期|这几天|上次)(买|下单|订)的|"
                       r"买过的|订单")


# "取消那个没付款的订单", "这单不要了，取消吧": an order cancelled, not a request or form.
# "那单撤了", "撤单": cancelled in other words; "不想要了 还没发货吧 能退掉不": an order not sent yet
# given up is cancelled (its refund is the cancellation's), not returned nor hurried.
CANCEL_ORDER = re.compile(r"取消.{0,10}(订单|单子|这单|那单|这笔|那笔)|(订单|单子|这单|那单).{0,6}(取消|不要了)"
                          r"|(订单|单子|这单|那单)\S{0,4}(撤了|撤掉|撤销|撤回)|撤单"
                          r"|(不想要了|不要了).{0,12}(还没|没)发.{0,8}(退掉|退了|取消|撤)"
                          r"|(还没|没)发.{0,8}(不想要了|不要了|退掉|撤掉)"
                          # "还没付款的那个订单不想要了", "我刚下的单还没付款 不想要了": an unpaid
                          # order given up is cancelled (nothing was paid, nothing to refund).
                          r"|(订单|单子|这单|那单|下的单).{0,6}(不想要了?|不买了)"
                          r"|(还没|没|未)(付款|付钱|支付|付).{0,10}(不想要了?|不要了|不买了)")
NOT_AN_ORDER_CANCEL = re.compile(r"售后|申请|退货|换货|维修|会员|订阅|自动续费|被取消|怎么取消了|为什么.{0,4}取消|自动取消")
# "我的订单怎么被取消了": a question about a cancelled order, not a wish to cancel one.
WHY_CANCELLED = re.compile(r"被取消|怎么取消了|为什么.{0,4}取消|怎么.{0,4}自动取消")


# The words of a cancellation itself, beyond a parcel held back ("先别发"), which a wrong address
# also asks for.
CANCEL_OUTRIGHT = re.compile(r"取消|不要了|不想要|不买了|退款")


def cancels_outright(text: str) -> bool:
    """"取消" / "不要了" said: the order itself is given up, not only held back ("先别发 地址写错了"
    is an address change)."""
    return bool(CANCEL_OUTRIGHT.search(text or ""))


# "精华液能改成自提吗": a pickup point or locker instead of an address, which the order's page
# sets (the shop's pickup answer says how); the address form offers addresses only.
PICKUP = re.compile(r"自提|自取|到店取|门店取|快递柜|驿站自取")


def asks_for_pickup(text: str) -> bool:
    return bool(PICKUP.search(text or ""))


def cancels_the_order_shown(text: str) -> bool:
    return bool(CANCEL_IT.search((text or "").strip()))


def cancel_requested(text: str) -> bool:
    """The message asks to cancel an order (not an after-sales request or anything else)."""
    return bool(CANCEL_ORDER.search(text or "")) and not NOT_AN_ORDER_CANCEL.search(text or "")


# A second question in one message ("耳机到了吗？另外运费险怎么赔"): the clauses, and one that
# asks where something bought is.
CLAUSE_BREAK = re.compile(r"[？?。！!；;\n]+|[，,]?\s*(?:另外|还有|顺便问一?下|顺便|再问一?下|对了)")
ORDER_QUESTION = re.compile(r"到了吗|到了没|到没到|到哪了|到哪儿了|发货了吗|发货没|发了吗|发了没|什么时候到|啥时候到|"
                            r"什么时候能到|几号到|签收了|物流")


def order_clause(text: str) -> Optional[str]:
    """The clause of a message of two or more that asks about an order's delivery, or None."""
    clauses = [c.strip() for c in CLAUSE_BREAK.split(text or "") if c and c.strip()]
    if len(clauses) < 2:
        return None
    return next((c for c in clauses if ORDER_QUESTION.search(c)), None)


def without_order_clause(text: str) -> str:
    """"耳机到哪了 另外我想退那个手机": the message without the clause that asks where an order
    is ("我想退那个手机"), so the other request is not read as about the earphones; the
    message itself when it has no separate order clause."""
    clause = order_clause(text)
    if clause is None:
        return text or ""
    clauses = [c.strip() for c in CLAUSE_BREAK.split(text or "") if c and c.strip()]
    return "，".join(c for c in clauses if c != clause)


def values_within(text: str, part: str, entities: Sequence[Mapping], names: Sequence[str]) -> List[str]:
    """The values of the ``names`` entities typed inside ``part`` of ``text`` (the earphones'
    clause names 耳机, not the phone of the other clause); every one when ``part`` is the
    whole message or not found in it."""
    text, part = text or "", part or ""
    start = text.find(part) if part and part != text else -1
    values = []
    for name in names:
        for entity in entities or ():
            if entity.get("entity") != name or not isinstance(entity.get("value"), str):
                continue
            at = entity.get("start")
            if start >= 0 and not (isinstance(at, int) and start <= at < start + len(part)):
                continue
            values.append(entity["value"])
    return values


# Topics an order's own card answers (its status, parcel and delivery date): their general
# policy text is never said beside an order question (the clarify action says the others').
ORDER_CARD_TOPICS = frozenset({"shipping_status", "logistics", "order_detail", "not_received"})
# Topics about the order itself: the card's, and what is done to one order (its delivery
# date, a split parcel, a changed address, items or remark, a cancellation). Beside an order
# question read as order_status (actions.orders) none of their policy texts is said.
ORDER_TOPICS = ORDER_CARD_TOPICS | {"delivery_time", "split_shipment", "address_change", "cancel_order",
                                    "order_modify", "order_remark"}

# Order topics that are an order question whatever the classifier read ("手机和充电器是分开发的吗"
# as a product inquiry, "会分开发货吗" unsure between a product and an order question): how
# an order ships is answered by the order flow (the order named, or the split-parcel rule for
# a guest), never by a product search.
ORDER_ONLY_TOPICS = frozenset({"split_shipment"})

# Order topics the shop's rule answers when no order of the shopper's is meant: "啥时候发货"
# asked on its own is the dispatch times, whether it was meant as a purchase question or an
# order's (the clarify action answers it instead of asking which).
RULE_ANSWERED_ORDER_TOPICS = frozenset({"delivery_time"})


def topics_beside_order_clause(text: str, entities: Sequence[dict]) -> List[str]:
    """"运费多少？我的牛奶发货了吗" read as an order question: the ``topic`` entities of the
    message's *other* clauses (here shipping_fee), in order, each once; none when the message
    has no separate order clause."""
    clause = order_clause(text)
    if clause is None:
        return []
    start = (text or "").find(clause)
    end = start + len(clause)
    topics: List[str] = []
    for entity in entities or ():
        if entity.get("entity") != "topic" or not isinstance(entity.get("start"), int):
            continue
        if start <= entity["start"] < end or entity.get("value") in topics:
            continue
        topics.append(entity["value"])
    return topics


def refers_to_own_order(text: str) -> bool:
    """The message is about an order the shopper placed ("我买的耳机什么时候能到")."""
    return bool(OWN_ORDER.search(text or "") or LOGISTICS.search(text or ""))


# "牛奶今天能到吗", "耳机啥时候到": when something arrives.
ARRIVAL = re.compile(r"能到|会到|到吗|到了没|到没到|几号到|哪天到|什么时候到|啥时候到|多久到|几天到|今天到|明天到")


def asks_arrival(text: str) -> bool:
    """The message asks when something arrives: with a product or category named, a signed-in
    shopper asks about that order (a guest, about delivery times before buying)."""
    return bool(ARRIVAL.search(text or ""))


# An order named by its state ("那个没付款的订单", "还没发货的那单"): the statuses each phrase
# means. Checked before the product words, and removed from them.
STATUS_WORDS = (
    (r"还没有付款|没有付款|没付款|未付款|待付款|还没付|没付钱|未支付|没支付|待支付", {OrderStatus.PENDING_PAYMENT}),
    (r"还没有发货|还没发货|没有发货|还不发货|没发货|未发货|待发货|还没发", {OrderStatus.AWAITING_SHIPMENT}),
    (r"在路上|运输中|已发货|派送中|正在派送|正在送", set(IN_DELIVERY)),
    (r"已签收|签收了的|刚签收|收到了的", {OrderStatus.DELIVERED}),
    (r"已取消|取消了的|被取消|怎么取消了|为什么取消|自动取消", {OrderStatus.CANCELLED}),
)


def statuses_named(text: str) -> Optional[set]:
    """The order statuses a message names ("没付款的那单" → pending payment), or None."""
    for words, statuses in STATUS_WORDS:
        if re.search(words, text or ""):
            return statuses
    return None


@dataclass(frozen=True)
class Meant:
    orders: list            # the matching orders, newest first
    described: bool         # the message described an order (product or time)


def time_window(text: str, now: datetime) -> Optional[Tuple[datetime, datetime]]:
    """The span of time a message names ("上周买的"), in UTC-aware datetimes, or None."""
    today = now.astimezone(CHINA_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    week_start = today - timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    spans = (
        (r"前天", today - timedelta(days=2), today - timedelta(days=1)),
        (r"昨天", today - timedelta(days=1), today),
        (r"今天", today, today + timedelta(days=1)),
        (r"上周|上星期|上个星期|上礼拜", week_start - timedelta(days=7), week_start),
        (r"这周|本周|这星期|这个星期", week_start, today + timedelta(days=1)),
        (r"上个月|上月", (month_start - timedelta(days=1)).replace(day=1), month_start),
        (r"这个月|本月", month_start, today + timedelta(days=1)),
        (r"最近|前几天|这几天", today - timedelta(days=7), today + timedelta(days=1)),
    )
    for words, start, end in spans:
        if re.search(words, text):
            return start, end
    return None


def product_words(text: str) -> List[str]:
    """What is left of the message once the asking words and the state are gone: the
    product or category."""
    for words, _ in STATUS_WORDS:
        text = re.sub(words, " ", text)
    return [w for w in NOT_A_DESCRIPTION.sub(" ", text).split() if w]


def item_words(item) -> str:
    """An order item as the words a shopper may name it by: its title and its variant."""
    return f"{item.title} {item.sku_name}"


def order_words(order) -> str:
    """An order's goods as the words a shopper may name the order by: each item's ``item_words``."""
    return " ".join(item_words(item) for item in order.items)


def _mentions(order, words: Sequence[str], categories: Mapping[str, str]) -> bool:
    titles = order_words(order).lower()
    titles += " " + categories.get(order.order_no, "")
    return any(_overlaps(word.lower(), titles) for word in words)


def _overlaps(word: str, titles: str) -> bool:
    """The word, or (for a category word such as 护肤品 against 面部护肤) two characters of it
    in a row, appears in the titles; a noun said with the suffix 子 ("鞋子", "裤子", "杯子")
    matches by its stem (跑步鞋, 运动裤, 保温杯)."""
    if word in titles:
        return True
    if len(word) == 2 and word.endswith("子") and word[0] in titles:
        return True
    return len(word) >= 3 and any(word[i:i + 2] in titles for i in range(len(word) - 1))


def orders_meant(text: str, orders: Sequence, now: datetime, extra_words: Sequence[str] = (),
                 categories: Optional[Mapping[str, str]] = None) -> Meant:
    """The orders a message means. ``extra_words``: product/category names the NLU found;
    ``categories``: each order's category names by order number (an order named by its
    category, "那个水果", whose titles say "奇异果")."""
    words = [w for w in list(extra_words) + product_words(text) if w]
    window = time_window(text, now)
    matching = [o for o in orders if _mentions(o, words, categories or {})] if words else list(orders)
    named = statuses_named(text)
    if named is not None:
        matching = [o for o in matching if OrderStatus(o.status) in named]
    if window is not None:
        start, end = window
        in_window = [o for o in matching if start <= o.created_at.astimezone(CHINA_TZ) < end]
        # Shoppers misremember dates: "上周买的鞋" bought a month ago is still the shoes.
        matching = in_window or (matching if words else [])
    described = bool(words) or window is not None or named is not None
    if not described and LOGISTICS.search(text):
        # "查物流": the latest order that has logistics to show.
        with_logistics = [o for o in matching if o.shipment is not None]
        return Meant(with_logistics[:1] or list(orders[:1]), False)
    return Meant(matching, described)


# "没登录能查订单吗", "不登录可以查物流不", "查快递一定要登录吗": whether a guest may look an order
# up — yes, by its number and the phone's last four digits (not the account or state policies).
GUEST_LOOKUP_ASKED = re.compile(r"(没|不|未|无需|不用|不需要|没有)\s*(注册|登录|登陆|账号)\S{0,8}(查|看|找)"
                                r"|(查|看)\S{0,6}(订单|物流|快递|包裹)\S{0,6}(要|需要|必须|得|一定要)\S{0,2}(登录|登陆)")
GUEST_LOOKUP_YES = "可以的，不登录也能查订单。"


def asks_guest_lookup(text: str) -> bool:
    return GUEST_LOOKUP_ASKED.search(text or "") is not None


# "帮我查下牛奶": something looked up by name — an order of it when the shopper has one (one
# does not 查 goods to buy them; "查下有没有卖牛奶" names a wish to buy and is left alone).
LOOK_UP = re.compile(r"^(帮我|帮忙|麻烦|给我|你)?\s*(帮我)?\s*(查|查查|查一下|查下|查询)(?!.{0,6}(有没有|有卖|卖不卖|多少钱|价格))")


def asks_look_up(text: str) -> bool:
    return LOOK_UP.search((text or "").strip()) is not None


# "快递单号发我下", "运单号多少": the parcel's tracking number asked for (not the order number:
# "订单号" is never it).
TRACKING_NUMBER = re.compile(r"(快递|物流|运|包裹|邮寄)\s*单号|(?<!订)单号\s*(发|给|多少|是多少|是啥|是什么)")


def tracking_number_text(order_no: str, shipped: bool, carrier: str = "", tracking_no: str = "") -> str:
    """The answer to "快递单号多少" about an order: the carrier and number, or why there is none yet."""
    if not shipped:
        return f"订单 {order_no} 还没有发货，暂时没有快递单号；发货后会生成运单号，到时在订单详情里就能看到。"
    return f"订单 {order_no} 由{carrier}配送，快递单号：{tracking_no}（可以在{carrier}官网或 App 里查询）。"


# "不对，是上一个订单", "前一单": the order placed before the one in view (the newest when none is).
EARLIER_ORDER = re.compile(r"(上|前)一(个|笔|单)(订单|单)?|再(往)?前一|更早的(那|一)(个|笔|单)")
# A pick from a list of orders on screen: "第二个", "最后那单", "牛奶那单", "2" (as choice_index reads it).
ORDER_PICK = re.compile(r"^(就|要|选|看|查|我要|我选|看看|查查)?\s*(第\s*[一二两三四五六七八九十\d]{1,2}\s*(个|单|笔)?|\d{1,2}|"
                        r"最后(一|那)?(个|单|笔)|[^，,。？?]{1,10}(那个|那单|那笔|那一单|那个订单))"
                        r"(吧|呢|啊|呀|的)?\s*(订单)?\s*[!！。.?？]?$")


# "帮我看看第二个订单" with no list on screen: the place in the list of recent orders as the
# assistant shows it (newest first).
NTH_ORDER = re.compile(r"第\s*[一二两三四五六七八九十\d]{1,2}\s*(个|笔|张)?\s*(订单|单)")


def nth_recent_order(text: str) -> Optional[str]:
    """The ordinal part of "看看第二个订单", or None."""
    found = NTH_ORDER.search(text or "")
    return found.group(0) if found else None


# "不对 是上一个" at the oldest order: said plainly, with the list and a person offered — not the
# same order or the same question once more.
NO_EARLIER_ORDER = "这已经是您最早的一笔订单了，前面没有更早的订单。您可以从订单列表里重新选，或者转人工客服帮您查。"


def is_oldest(orders: Sequence, in_view: Optional[str]) -> bool:
    """Is the order in view the oldest of ``orders`` (newest first)? "上一个" has nothing before it."""
    return bool(orders) and bool(in_view) and orders[-1].order_no == in_view


def earlier_order(orders: Sequence, in_view: Optional[str]):
    """The order placed right before the one in view (``orders`` newest first); the newest
    when none is in view; None when the one in view is the oldest listed or not listed."""
    if not orders:
        return None
    if not in_view:
        return orders[0]
    numbers = [o.order_no for o in orders]
    if in_view not in numbers:
        return None
    at = numbers.index(in_view)
    return orders[at + 1] if at + 1 < len(orders) else None


@dataclass(frozen=True)
class Listed:
    order_no: str
    summary: str
    topic: Optional[str] = None     # what the list was offered for ("cancel_order"), if anything


ORDER_BUTTON = re.compile(r'^/(?:order_status|inform)(\{.*\})$')


def orders_on_screen(events: Sequence[Mapping]) -> List[Listed]:
    """The orders in the assistant's last list of orders (its ``order_list`` card, or its
    buttons that open an order), in the order shown; none when a list of products was shown
    after it."""
    for event in reversed(events):
        if event.get("event") != "bot":
            continue
        data = event.get("data") or {}
        custom = data.get("custom") or {}
        if isinstance(custom, Mapping) and custom.get("type") == "order_list":
            return [Listed(str(o.get("order_no")), str(o.get("summary") or "")) for o in custom.get("orders") or []
                    if o.get("order_no")]
        if isinstance(custom, Mapping) and custom.get("type") == "product_cards":
            return []
        listed = []
        for button in data.get("buttons") or []:
            found = ORDER_BUTTON.match(str(button.get("payload") or ""))
            try:
                values = json.loads(found.group(1)) if found else {}
            except ValueError:
                values = {}
            if isinstance(values, dict) and values.get("order_no"):
                listed.append(Listed(str(values["order_no"]), str(button.get("title") or ""), values.get("topic")))
        if listed:
            return listed
    return []


def picks_an_order(text: str) -> bool:
    """"第二个" / "最后那单" / "牛奶那单": a pick from a list of orders on screen."""
    return bool(ORDER_PICK.search((text or "").strip()))


def mentions_own_purchase(text: str) -> bool:
    """"我买的耳机", "上周买的鞋", "订单": about something already bought, not a wish to buy."""
    return OWN_ORDER.search(text or "") is not None


def asks_earlier_order(text: str) -> bool:
    """"上一个订单", "再往前一笔", "更早的那单": the order before the one in view."""
    return EARLIER_ORDER.search(text or "") is not None


def asks_tracking_number(text: str) -> bool:
    """"快递单号发我下", "单号是多少": the parcel's tracking number, said, not only in its card."""
    return TRACKING_NUMBER.search(text or "") is not None
