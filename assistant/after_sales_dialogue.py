"""Conversation rules of the after-sales flow (no Rasa): what an after-sales message needs
(a status report, a policy answer, the form), which order is "in view", and how a typed
answer to the form's questions reads where it depends on the conversation so far.

The functions over ``events`` read Rasa's tracker events as plain dicts (``{"event":
"slot", "name": …, "value": …}``), newest last, so the rules stay testable without Rasa.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import yaml

from assistant.answer_words import NOT_THIS, YES_THIS_ONE
from assistant.form_questions import AFTER_SALES, question_topics, untagged_topics
from assistant.order_matching import item_words, product_words, statuses_named, time_window
from assistant.order_urging import is_urging
from assistant.typed_answers import (
    CANCEL, asks_about_policy, confirmation_in, is_cancel, new_value_part, reason_in, service_in,
)
from shop.domain.after_sales import AfterSalesReason
from shop.domain.clock import utc_now
from shop.domain.installation import INSTALLATION_TOPIC
from shop.domain.numbers import AFTER_SALES_NO_REGEX
from shop.domain.policies import POLICY_TOPICS

# The summary's "确认提交吗？" is the form's last question; its slot says how the form ended.
CONFIRM_SLOT = "after_sales_confirmed"
CONFIRMED = "yes"          # the shopper confirmed the summary: file it
CANCELLED = "cancelled"    # an explicit cancel (取消 / 算了不退了): file nothing
ANSWERED = "answered"      # the form stopped early with an answer (not delivered, duplicate …)
# What the shopper typed as the reason, kept for the summary and filed as the request's detail.
REASON_TEXT_SLOT = "after_sales_reason_text"
FORM_SLOTS = ("order_no", "order_item_id", "service_type", "reason", CONFIRM_SLOT)
# The item already has an open request (eligibility's reason code).
ALREADY_FILED = "REQUEST_IN_PROGRESS"

STATUS_TOPICS = {"refund_progress"}
REQUEST_NO = re.compile(AFTER_SALES_NO_REGEX)
STATUS_WORDS = re.compile(r"(进度|进展|状态|到哪一步|审核了吗|处理了吗|怎么样了|售后单|服务单)")
# "我的退货申请审核了吗": a request already made, asked about (though it names a service).
REQUEST_STATUS = re.compile(r"(申请|售后单|服务单|工单).{0,6}(审核|进度|进展|处理|到哪|怎么样|通过)")
# A return, an exchange, a repair: its refund is a request's, not a cancelled order's.
RETURN_WORDS = re.compile(r"退货|换货|售后|服务单|维修")
# "上周买的跑鞋退款到账没": a refund of something bought, asked about by what it was.
BOUGHT_THING = re.compile(r"(买|下单|订)的|买过的")


def request_number_in(text: str) -> Optional[str]:
    """The service number (服务单号) the message quotes, or None."""
    found = REQUEST_NO.search(text or "")
    return found.group(0) if found else None


def names_a_request(text: str) -> bool:
    """"SH2024… 的退款呢", "退货的钱到哪了": the money asked about is an after-sales request's
    (a service number or a return, exchange or repair named), not a cancelled order's."""
    return request_number_in(text) is not None or RETURN_WORDS.search(text or "") is not None


def names_something_bought(text: str) -> bool:
    """"上周买的跑鞋退款到账没": a refund asked about by what was bought, which may be done
    already (every request is reported, not only the open ones)."""
    return BOUGHT_THING.search(text or "") is not None


# "退款拖了一个礼拜了", "钱一直没退回来": a refund under way that drags — hurried, not the rules.
REFUND_DRAGGING = re.compile(r"(退款|退的钱|钱|款)\S{0,4}(拖了|拖着|拖这么久|一直没|迟迟|还没退|老不到|一直不到)"
                             r"|(拖|等)了\S{0,6}(退款|钱|款)")
# "退款多久能到": how long refunds take — the policy first, then the shopper's open ones.
TIMING = re.compile(r"多久|几天|哪天|几号|多长时间|多少天|什么时候|啥时候|几个工作日|怎么还没到|还没到账|到账")
# Shop-wide promises asked about in after-sales words ("你们的东西是不是假的").
SHOP_WIDE_TOPICS = ("authenticity", "self_operated")
# "开不了机 能修吗", "坏了能换吗": a problem with something bought, and a service asked about.
CAN_SERVICE = re.compile(r"(能|可以|能不能|可不可以)(帮我)?(修|维修|保修|退|换|退货|换货|退款)")
HELP = re.compile(r"怎么办|咋办|怎么弄|怎么处理|如何处理")
# "怎么只到了一个": part of an order missing, asked why — a problem to act on.
ONLY_PART_ARRIVED = re.compile(r"(只|就)(到|收到|来)了?[一1](个|件|样)")
# "给了差评能删吗", "评价能改吗": the shopper's review, which 差评 makes look like a complaint.
ABOUT_REVIEW = re.compile(r"(差评|好评|中评|评价|追评).{0,6}(删|改|撤|修改|换)|(删|改|撤)(掉|除|一下)?.{0,3}(差评|评价)")
# Topics that say the shopper has a problem with the goods (a request, not a question).
PROBLEM_TOPICS = ("damaged", "wrong_item", "missing_item")

# Policy answers after which applying for a return, an exchange or a repair is no fitting
# offer: price protection is applied for on the order itself (its answer says how).
# fresh_food: no exchange, and its refund needs no return: the three buttons would mislead.
# membership_refund: the membership is refunded in the member centre, it is no goods' return.
# review: a question about the shopper's own review ("差评能删吗"), no request to make.
NO_REQUEST_OFFER = frozenset({"price_protection", "fresh_food", "membership_refund", "review"})


def offers_request(topics: Sequence[str]) -> bool:
    """Whether the answer to these policy topics ends with the offer to apply for a return,
    an exchange or a repair."""
    return any(t not in NO_REQUEST_OFFER for t in topics)


# "不是" / "是的" to "是刚才查看的订单…吗？" (the words: assistant.answer_words).
YES = YES_THIS_ONE

# "退款" / "我要退货" / "换货吧" to that question: the service wanted for the order asked about —
# a yes to it, the service said with it (never the question asked again).
SERVICE_ANSWER = re.compile(r"^(?:是的?|对的?|嗯+|就是|就)?[\s,，。、]*(?:我|就)?(?:要|想|想要|申请|办|办理)?\s*"
                            r"(退货退款|仅退款|退款|退货|换货|维修|补发|补寄)\s*(?:吧|的|呀|啊|哈|了|就行|就好)?[。.!！~～]*$")


def takes_order_asked_about(text: str) -> bool:
    """"是的" / "退款" / "我要退货" said to "是刚才查看的订单…吗？": that order (a service word
    alone names no other order)."""
    text = (text or "").strip()
    return bool(YES.search(text) or SERVICE_ANSWER.match(text))


@dataclass(frozen=True)
class Route:
    """What an after-sales message needs. ``kind``: "status" (report the requests), "hurry"
    (the requests under way, and a person to hurry them),
    "complaint" (apologise, offer the form or an agent), "policy" (answer ``policy_topics``,
    then offer to apply), "sign_in" (a guest asked for a request), "form" (start it)."""

    kind: str
    policy_topics: Tuple[str, ...] = ()


def wants_request(topics: Sequence[str], service: Optional[str], order_no: Optional[str],
                  reason: Optional[str]) -> bool:
    """The message names a service, an order, a reason or a problem with the goods."""
    return bool(service or order_no or reason or any(t in topics for t in PROBLEM_TOPICS))


# A guest asks for a request: the order is the signed-in shopper's to apply for. The order number
# or the phone digits typed next are a guest look-up's answer (actions.orders), after which
# AFTER_SALES_PROVED says how the request is made.
GUEST_AFTER_SALES = ("申请售后需要先登录，以便核实订单归属。登录后告诉我订单号和问题，我马上帮您办理；"
                     "也可以说“转人工”联系人工客服。")
AFTER_SALES_PROVED = ("这笔订单已核实。售后申请需要登录后提交（以便核实订单归属）：登录后说“申请售后”，我马上帮您办理；"
                      "不方便登录的话，可以说“转人工”，人工客服核实后帮您办理。")
# "3949" typed first, no order number yet: the digits are kept, the number is asked for.
SUFFIX_BEFORE_ORDER = "好的，手机后四位收到了。还需要这笔订单的订单号（18位数字），发给我就能帮您核实。"
_AFTER_SALES_WISH = re.compile(r"售后|退货|换货|退款|维修|补发|退了|换了|退掉|要退|想退|能退|要换|想换|能换")


def wished_after_sales(texts: Iterable[str]) -> bool:
    """Whether one of ``texts`` (what a guest typed for a look-up) asked for a request."""
    return any(_AFTER_SALES_WISH.search(t or "") for t in texts)


# "那钱哪天退回来" right after an unpaid order was cancelled: nothing was paid, nothing to wait for.
NOTHING_PAID = "订单 {order_no} 还没有付过款，取消后不会扣款，也就没有需要退回的钱，请放心～"
# "钱退到哪" right after a paid order was cancelled: that cancellation's refund, not the list
# of after-sales requests (none of which is this order's).
CANCELLED_REFUND = ("订单 {order_no} 已取消，已付的 {amount} 会原路退回到您付款时用的账户：微信/支付宝一般 1~3 个工作日、"
                    "银行卡 3~7 个工作日到账，用掉的优惠券未过期的会退回账户。")


def route_before_services(text: str, topics: Sequence[str], wants: bool) -> Optional[Route]:
    """A status question or a complaint, answered before service questions; else None.
    A status route with ``policy_topics`` answers the policy first ("退款多久能到"; "那钱哪天退
    回来", whose refund the NLU may leave untagged)."""
    if is_urging(text) and not wants and INSTALLATION_TOPIC not in topics or REFUND_DRAGGING.search(text):
        # "怎么这么慢" / "退款能快点吗": the requests under way hurried (their state, a person);
        # "退款拖了一个礼拜了" too, though it names the refund as a service. An installation
        # hurried ("能快点吗" after the installer's visit) is answered by its visit's times.
        return Route("hurry")
    if not STATUS_TOPICS & set(topics) and "refund_progress" in untagged_topics(text, AFTER_SALES):
        topics = [*topics, "refund_progress"]
    if STATUS_TOPICS & set(topics) and TIMING.search(text) and not REQUEST_NO.search(text) \
            and not STATUS_WORDS.search(text):
        return Route("status", tuple(STATUS_TOPICS & set(topics)))
    if (REQUEST_NO.search(text) or STATUS_TOPICS & set(topics) or (STATUS_WORDS.search(text) and not wants)
            or REQUEST_STATUS.search(text)):
        return Route("status")
    if "complaint" in topics and not wants and ABOUT_REVIEW.search(text):
        return Route("policy", ("review",))
    if "complaint" in topics and not wants:
        return Route("complaint")
    return None


def route_after_services(text: str, topics: Sequence[str], wants: bool, order_no: Optional[str],
                         signed_in: bool) -> Route:
    """A policy question ("支持七天无理由退货吗"), a guest's request, or the form."""
    policy = [t for t in topics if t in POLICY_TOPICS or t in SHOP_WIDE_TOPICS]
    # "笔记本开不了机了怎么办": a problem with something bought asks for help, not for the rules.
    # "七天无理由吗 拆封了还能退吗": no reason at all is a question about the rules too.
    # "怎么只到了一个": 怎么 asks why part of an order is missing — a problem, not the rules.
    asking = (asks_about_policy(text) and not order_no
              and not ((HELP.search(text) or CAN_SERVICE.search(text))
                       and reason_in(text) not in (None, AfterSalesReason.NO_REASON))
              and not ONLY_PART_ARRIVED.search(text))
    specific = question_topics(text, topics, AFTER_SALES) if asking else ()
    if specific:
        # "退货要自己出运费吗": the return shipping the question is about, not the whole policy.
        policy = list(dict.fromkeys([*specific, *(t for t in policy if t in SHOP_WIDE_TOPICS)]))
    if asking and not policy:
        # "退货运费谁出": the after-sales topic asked about; "支持七天无理由退货吗": a question
        # about the rules, even where the NLU saw a service.
        policy = list(question_topics(text, topics, AFTER_SALES)) or [
            "warranty" if re.search(r"保修|维修|质保", text) else "return_policy"]
    paid_for = refund_subject(text) if asking else None
    if paid_for is not None:
        # "plus会员能退吗", "能退吗 礼品卡买的东西": what the question is about, not the goods
        # return rules alone.
        policy = [paid_for]
    if policy and (asking or not wants):
        return Route("policy", tuple(policy))
    return Route("form" if signed_in else "sign_in")


# "plus会员能退吗", "会员费能退吗": the paid membership itself refunded (会员价/会员券 goods are goods).
MEMBERSHIP_REFUND = re.compile(r"plus\s?会员(?!价|券|日)|会员费|付费会员|开通的会员|会员(?:能|可以|能不能|可不可以)退", re.IGNORECASE)
# "礼品卡买的东西能退吗", "用礼品卡付的": goods paid with a gift card (where the refund goes).
GIFT_CARD_PAID = re.compile(r"礼品卡.{0,3}(买|付|支付|购买|抵扣|结算)|用礼品卡|拿礼品卡")


def refund_subject(text: str) -> Optional[str]:
    """The policy topic of a return question about something other than goods bought the
    usual way: ``membership_refund`` (the PLUS membership), ``gift_card_return`` (goods paid
    with a gift card); None for the goods return rules."""
    if MEMBERSHIP_REFUND.search(text or ""):
        return "membership_refund"
    if GIFT_CARD_PAID.search(text or ""):
        return "gift_card_return"
    return None


def order_in_view(events: Iterable[Mapping[str, Any]]) -> Optional[str]:
    """The order number last talked about in this conversation (set by a look-up), if any."""
    for event in reversed(list(events)):
        if event.get("event") == "slot" and event.get("name") == "order_no" and event.get("value"):
            return str(event["value"])
    return None


def in_view_offered(events: Iterable[Mapping[str, Any]]) -> Optional[str]:
    """The order in view, unless the shopper said "不是" to it since this request began
    (then the form lists the orders plainly, and "第二个" counts in that list)."""
    events = list(events)
    in_view = order_in_view(events)
    for event in reversed(events):
        if event.get("event") == "action" and event.get("name") == "action_after_sales_route":
            break
        if event.get("event") == "user" and NOT_THIS.search((event.get("text") or "").strip()):
            return None
    return in_view


def value_before_message(events: Iterable[Mapping[str, Any]], slot: str) -> Optional[Any]:
    """The value ``slot`` had before the latest message (None if it had none)."""
    seen_message = False
    for event in reversed(list(events)):
        if event.get("event") == "user":
            seen_message = True
        elif seen_message and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def switches_service(text: str) -> Optional[str]:
    """"算了 我想换货" / "算了，还是退货吧": a cancel word that leads to another service for the
    same request (that service's value), not the end of it; None otherwise ("算了不退了")."""
    text = (text or "").strip()
    if not is_cancel(text):
        return None
    rest = CANCEL.sub("", text, count=1)
    service = service_in(rest) if not re.search(r"不|别|甭|没", rest) else None
    return service.value if service else None


# "我不要换货", "别退货了": the service named is the one refused, not one switched to.
SERVICE_REFUSED = re.compile(r"(不|别|甭|没)(要|想|用|是)?\s*(退|换|修|补)")


def service_named_at_summary(text: str) -> Optional[str]:
    """"不不 还是退货吧" / "那就换货" typed at "确认提交吗？": the service it switches the request
    to (its value), with no change word the summary suggested ("改成换货"); None when it names
    no service, refuses the one it names, or asks about it ("退款多久到账")."""
    text = (text or "").strip()
    if asks_about_policy(text) or SERVICE_REFUSED.search(new_value_part(text)):
        return None
    service = service_in(new_value_part(text))
    return service.value if service else None


def kept_at_summary(events: Iterable[Mapping[str, Any]], requested_slot: Optional[str], text: str,
                    slot: str) -> Optional[Any]:
    """At "确认提交吗？" a service or reason the NLU found in a message that is no correction
    ("退款多久到账" holds 退款) does not replace the one in the summary: the value before this
    message, or None when the message may change it."""
    if requested_slot != CONFIRM_SLOT:
        return None
    kind = confirmation_in((text or "").strip())
    if kind == "change" or (slot == "service_type" and (switches_service(text) or service_named_at_summary(text))):
        return None
    if slot == "reason" and kind is None and not asks_about_policy(text) and reason_in(text) is not None:
        return None         # "屏幕有问题" typed at the summary: the reason it now gives
    return value_before_message(events, slot)


def in_view_first(orders: Sequence[Any], in_view: Optional[str]) -> List[Any]:
    """The order in view first (it is the one offered by name), then the others in order."""
    return sorted(orders, key=lambda o: o.order_no != in_view)


def on_screen_first(orders: Sequence[Any], on_screen: Sequence[str]) -> List[Any]:
    """The orders the last question listed first, in its order ("第二个" is the second shown
    when the list was narrowed to "生鲜" orders), then the others in order."""
    place = {number: index for index, number in enumerate(on_screen)}
    return sorted(orders, key=lambda o: place.get(o.order_no, len(place)))


# "生鲜坏了能退吗": fresh food, whose after-sales terms differ (content/faq.yml, fresh_food;
# the categories' own terms in the database: no 7-day no-reason return, no exchange).
FRESH_FOOD = re.compile(r"生鲜|水果|鲜果|蔬菜|海鲜|鲜肉|肉类|猪肉|牛肉|鸡蛋|鲜蛋|牛奶|鲜奶|酸奶|乳品")


def names_fresh_food(text: str) -> bool:
    return bool(FRESH_FOOD.search(text or ""))


# "到了以后能退吗" about the order just shown: the rules of what that order holds, not the shop's
# general ones. Only a question that names nothing else (no product, no order number) counts.
RETURN_RULES = frozenset({"return_policy"})


def policy_for_order_in_view(topics: Sequence[str], order_words: str, names_other: bool) -> List[str]:
    """The policy topics to answer for a question asked about the order in view, whose titles
    and category names are ``order_words``: fresh food's own terms (``fresh_food``) in place of
    the general return rules when it holds fresh food; the topics unchanged otherwise or when
    the message names another product or order (``names_other``)."""
    if names_other or not RETURN_RULES & set(topics) or not names_fresh_food(order_words):
        return list(topics)
    return list(dict.fromkeys("fresh_food" if t in RETURN_RULES else t for t in topics))


def order_descriptions(orders: Sequence[Any]) -> List[str]:
    """Each order as the words a shopper may pick it by (status, titles, variants, and its
    number: one typed whole picks it, never by a fragment; see choice_index)."""
    return [" ".join([o.status_label] + [item_words(i) for i in o.items] + [o.order_no]) for o in orders]


# The after-sales words of a request ("我想退上周买的鞋子", "生鲜坏了能退吗"): not what was bought.
SERVICE_WORDS = re.compile(r"退货|退款|换货|维修|售后|申请|不想要|不要|质量|有问题|问题|坏了|坏掉|坏|破了|"
                           r"退|换|修|能不能|可不可以")


def order_pick_words(text: str) -> str:
    """A typed answer to "which order" as it may pick one of the orders listed: the after-sales
    words said ("退款多久到账" asked at that question) are about the request, never a pick of the
    order whose status reads 已退款 or 退款中."""
    return SERVICE_WORDS.sub(" ", text or "")


# "那双鞋", "这件衣服": a thing pointed at with its measure word is described, even by one character.
POINTED_AT = re.compile(r"[那这][双件台部瓶盒套条只个]")


def order_description(text: str) -> Optional[str]:
    """What of an after-sales message may describe the order it is about (a product word of
    two characters or more, one pointed at ("那双鞋"), or a time: "上周买的鞋子"), with the
    after-sales words taken out; None when nothing is left to match orders by (a stray
    character such as "行" or "嗯" describes nothing)."""
    rest = SERVICE_WORDS.sub(" ", text or "")
    shortest = 1 if POINTED_AT.search(rest) else 2
    if any(len(w) >= shortest for w in product_words(rest)) or time_window(rest, utc_now()) or statuses_named(rest):
        return rest
    return None


# "退款多久到账？另外能开发票吗": a second question after the first one.
SECOND_QUESTION = re.compile(r"另外|还有|顺便|顺带|再问|[？?，,。 ].*(吗|么|怎么|如何|多久|多少|几天|什么|哪|能不能|可不可以|[？?])")


def asks_two_questions(text: str) -> bool:
    """"你们是正品吗？另外多久发货": a second question follows the first."""
    return bool(SECOND_QUESTION.search(text or ""))


VOCABULARY_PATH = Path(__file__).resolve().parent.parent / "data" / "nlu" / "vocab" / "shop_vocab.yml"


@lru_cache(maxsize=1)
def topic_intents() -> Dict[str, str]:
    """Each topic's usual intent, as the NLU vocabulary file gives it (``intent:``); read as
    data (the application layer does not import the NLU package), once (the action server
    reads it at start-up, ``actions.support.warm_up``)."""
    try:
        with open(VOCABULARY_PATH, encoding="utf-8") as handle:
            topics = (yaml.safe_load(handle) or {}).get("topic") or {}
    except OSError:
        return {}       # no vocabulary shipped: the second question is left to be asked again
    return {name: str(entry.get("intent")) for name, entry in topics.items() if isinstance(entry, dict)}


def second_question_topics(text: str, topics: Sequence[str], answered: Sequence[str]) -> List[str]:
    """The topics of a second question in an after-sales message that are the shop's
    purchase policies ("另外能开发票吗": invoice), not yet answered; none when the message
    asks one question only. (An order's topics are answered by the order clause.)"""
    if not SECOND_QUESTION.search(text or ""):
        return []
    intents = topic_intents()
    return [t for t in dict.fromkeys(topics) if t not in answered and intents.get(t) == "purchase"]
