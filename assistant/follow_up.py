"""Follow-ups read in context: "能快点吗", "那钱哪天退回来", "就按你说的办吧".

About a quarter of what real shoppers type only makes sense after the previous turn. The NLU
classifies one message at a time; when it is unsure about such a fragment (the fallback
classifier would ask "您是想：…？"), the conversation already says what it is about: the
shopper's previous question. This rule decides when an unsure message is a follow-up of that
question, and so should be answered as the same intent (with the previous topic when the
fragment names none of its own). Pure: no Rasa, unit-tested in tests/assistant/test_follow_up.py;
applied to every parsed message by shop_channels.rasa_follow_ups, which has the tracker.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, List, Mapping, Optional, Sequence

from assistant.bought import decides_to_buy
from assistant.delivery_quotes import destination_city
from assistant.invoices import asks_for_copy
from assistant.services import CALL_BACK, INSTALLATION, NO_LIFT, REPAIR, STAIRS_WORDS, ServiceAsk, answers_with_a_place, what_is_asked
from assistant.offers import cancellation_asked
from assistant.after_sales_dialogue import ANSWERED, CONFIRM_SLOT, asks_two_questions
from assistant.order_matching import ORDER_QUESTION, cancels_the_order_shown, order_clause, orders_on_screen, picks_an_order
from assistant.order_urging import is_urging
from assistant.pending_answers import bare_answer
from assistant.recommendation_requests import wants_cheaper_products
from assistant.typed_answers import QUESTION, REQUEST, has_ordinal, only_a_place, reason_in
from shop.domain.after_sales import AfterSalesReason
from shop.domain.orders import CANCELLED

# Questions whose answer a fragment can continue (small talk cannot be "continued").
FOLLOW_UP_INTENTS = ("order_status", "after_sales", "purchase", "product_inquiry", "ask_recommendation")
RECOMMEND = "ask_recommendation"
# After recommendations, these refine the request ("再便宜点", "有没有大一点的", "换个颜色"),
# however sure the classifier is that "便宜点" is haggling (a purchase question) on its own.
_REFINEMENT = re.compile(r"(便宜|实惠|贵一点|贵点|好一点|高端|档次|大一点|小一点|大点|小点|轻一点|"
                         r"别的颜色|其他颜色|换个颜色|换个牌子|别的牌子|其他牌子|别的品牌|其他品牌|别的款|其他款|"
                         r"换一批|再来几个|还有别的|还有其他|还有没有|更贵|贵些|"
                         r"换.{0,2}(牌子|品牌)|(别的|其他|其它|另外的?|不同的?)(牌子|品牌|家)|"
                         r"不要.{1,8}的|除了|不喜欢|不考虑)")
# After a product question, a price move asks for other products: "有没有便宜一点的" while
# looking at a phone wants cheaper phones (the recommendation goes below the product in view).
_PRICE_MOVE = re.compile(r"(便宜|实惠|贵一点|贵点|高端一点|档次高)")
PRODUCT = "product_inquiry"
AFTER_SALES = "after_sales"
INFORM = "inform"   # a bare detail ("要黑色的"), routed by the flow it continues
# After a list of products ("找到了几款…" or recommendation cards), a pick from it: "第二个",
# "最后那个", "充电器那个", "要Anker那款" — a question about that product.
_CHOICE = re.compile(r"^(就|要|选|我要|我选|我想要|想要|看看|看下|来个|就要)?\s*(第\s*[一二两三四五六七八九十\d]{1,2}\s*(个|款|件|种)|"
                     r"最后(一|那)?(个|款|件)|[^，,。？?]{1,10}(那个|那款|那件|那一款|那一个|那种))"
                     r"(吧|呢|啊|呀|的)?\s*(怎么样|咋样|如何|好不好|多少钱|有货吗|还有吗|详细说说|介绍一下)?"
                     r"\s*[!！。.?？]?$")
# "跟荣耀X50比哪个好" while a product is in view: a comparison with it.
_COMPARE = re.compile(r"(跟|和|与|同|比起|对比)[^，,。]{1,14}(比|相比|对比|比较|哪个好|哪个更好|区别|差别)")
# A fragment is short: longer messages carry their own meaning (or are new questions).
MAX_FRAGMENT_CHARS = 16
# A classifier this sure of another meaning is believed ("那钱多久退回来" after a cancellation
# is a refund question; "那我想买个手机" is a new request).
CONFIDENT = 0.8
BARE_CONFIDENT = 0.9
_CONNECTIVE = re.compile(r"^(那|那么|然后|可是|但是|所以|还有|就|也|再|还|如果|要是|这样|那样)")
# "余额在哪看" after the gift-card answer, "我住6楼没电梯" after an installation fee: where to
# find what was just answered, the stairs for the fitting just priced.
_CUE = re.compile(r"(快点|快一点|尽快|赶紧|多久|多长时间|什么时候|啥时候|哪天|几天|怎么办|咋办|然后呢|"
                  r"可以吗|行吗|能吗|好吗|可以不|行不|呢[?？]?$|吗[?？]?$|按你说的|就这样|照你说的|"
                  r"在哪(看|查|找)|哪里(看|查|找))")
_CONTENT = re.compile(r"[\w\u4e00-\u9fff]")
_TIMING = re.compile(r"多久|多长时间|什么时候|啥时候|哪天|几天")
# "秒杀买的也能保吗" after the price-protection rule, "定制的也可以退吗" after the returns rule:
# whether the rule just given covers this case too.
_ALSO = re.compile(r"也(能|可以|行|支持|算|适用|享受|参加|包)")
# "怎么还没到", "钱还没退回来": what was just answered has not come yet (a refund, a visit).
_NOT_YET = re.compile(r"还(没|不|没有)(到|收到|退|回来|到账|来|上门)|没到账")
# Services whose people call the shopper first (the installer, a repair's engineer): "多久联系我"
# after their answer asks when that call comes.
_CALLS_FIRST = frozenset({INSTALLATION, REPAIR})
# "电子的" / "要纸质的" / "专票" after the invoice answer: which kind of invoice, each with its
# own answer in content/faq.yml (checked in this order: 纸质的专票 is the special invoice,
# 公司的专票 too).
INVOICE = "invoice"
# "个人的" / "公司的" answer the invoice answer's other question, whose title (抬头) it takes.
INVOICE_KINDS = (("invoice_special", re.compile(r"专票|专用|增值税")),
                 ("invoice_paper", re.compile(r"纸质|纸的|纸票|纸版")),
                 ("invoice_electronic", re.compile(r"电子")),
                 ("invoice_personal", re.compile(r"个人|自己|私人")),
                 ("invoice_company", re.compile(r"公司|企业|单位")))
# A yes/no the classifier heard in a message that also asks or requests something
# ("算了不要了 怎么取消"): the question is what needs the answer.
_YES_NO = ("deny", "affirm")


@dataclass(frozen=True)
class FollowUp:
    intent: str
    entities: List[dict]


# Something the shopper has (买的, 收到的) with a fault the seller answers for.
_OWN_GOODS = re.compile(r"买的|收到的|收到|到手|拿到")
# "少发了一个", "漏发了": what the shop sent short or wrong, said of goods received without 买的
# ("寄错地址了" is where a parcel goes, an address change).
_SENT_SHORT = re.compile(r"(少发|漏发|发错|寄错|少寄|漏寄)(?!.{0,3}(地址|地方|城市|收件人))")
_LOGISTICS = re.compile(r"到哪|物流|快递到|什么时候到|啥时候到|几天到|发货|派送|签收")
_NOT_AFTER_SALES = ("order_status", "nlu_fallback", "inform", "ask_recommendation", "product_inquiry")
_SELLER_FAULTS = (AfterSalesReason.QUALITY, AfterSalesReason.DAMAGED, AfterSalesReason.WRONG_ITEM,
                  AfterSalesReason.MISSING_PARTS)


def describes_a_problem(text: str) -> bool:
    """"我买的衣服有个洞", "收到的杯子碎了": a fault with goods received (not where they are)."""
    text = text or ""
    return (bool(_OWN_GOODS.search(text) or _SENT_SHORT.search(text)) and not _LOGISTICS.search(text)
            and reason_in(text) in _SELLER_FAULTS)


def requests_beside_order_clause(text: str, entities: Sequence[Mapping]) -> bool:
    """A message of two clauses, one asking where an order is and another naming a service
    ("…另外我想退那个手机": a ``service_type`` entity typed outside the order clause)."""
    clause = order_clause(text)
    if clause is None:
        return False
    start = (text or "").find(clause)
    return any(e.get("entity") == "service_type" and isinstance(e.get("start"), int)
               and not start <= e["start"] < start + len(clause) for e in entities)


# "我要退", "想换货", "帮我退了", "申请退款": a service wished for, said as a wish, not asked about.
SERVICE_WISH = re.compile(r"(我要|我想|要|想|帮我|给我|申请)(退|换|修|退货|换货|退款|维修)(?!.{0,4}(吗|么|嘛|不|\?|？))")


def wishes_a_service(text: str, entities: Sequence[Mapping]) -> bool:
    """A service (``service_type`` entity) wished for in words ("衬衫那单我要退"), no question."""
    return (any(e.get("entity") == "service_type" for e in entities)
            and SERVICE_WISH.search(text or "") is not None and not ORDER_QUESTION.search(text or ""))


def _content_length(text: str) -> int:
    return len(_CONTENT.findall(text or ""))


def is_fragment(text: str) -> bool:
    """Short, and shaped like a continuation: a connective at the start or a follow-up cue."""
    text = (text or "").strip()
    if not text or _content_length(text) > MAX_FRAGMENT_CHARS:
        return False
    return bool(_CONNECTIVE.search(text) or _CUE.search(text) or NO_LIFT.search(text))


# "不对 是手机那单", "搞错了，手机那个", "哦不是 是奇异果那单": the order just given was the wrong one.
_CORRECTION = re.compile(r"^(哦|噢|啊|额|呃|嗯)?[\s,，。]*(不对|不是|搞错了?|弄错了?|说错了?|错了|我说错了|打错了)")
_NEW_ORDER_LEAD = re.compile(r"^[\s,，。!！、]*(是|应该是|其实是|我说的是|我要的是)?\s*")


def after_sales_stopped(events: Sequence[Mapping]) -> bool:
    """Whether the after-sales form stopped at the order it was given since the shopper's last
    message (not delivered yet, filed already, nothing the item qualifies for): ``events`` the
    tracker's tail from that message on."""
    return any(e.get("event") == "slot" and e.get("name") == CONFIRM_SLOT and e.get("value") == ANSWERED
               for e in events)


# What names something other than the cancelled order's money: goods or an order.
_NAMES_ELSE = ("order_no", "product", "product_id", "category")


def asks_refund_timing_after_cancelling(text: str, entities: Sequence[Mapping]) -> bool:
    """A bare "how long" ("那多久能到", "几天到账"), naming nothing else (goods, an order, a
    city: "发到成都多久能到" is a delivery quote)."""
    return (_content_length(text) <= MAX_FRAGMENT_CHARS and bool(_TIMING.search(text or ""))
            and not any(e.get("entity") in _NAMES_ELSE for e in entities) and destination_city(text) is None)


# "什么时候能到账", "钱几天到账", "到账了吗": money coming back — a refund's timing (a top-up's
# credit, "话费什么时候到账", is another question).
_MONEY_ARRIVES = re.compile(r"到账")
_NOT_A_REFUND = re.compile(r"话费|充值|点卡|流量|游戏币|会员|积分|工资|红包|返现|提现|佣金|发票")


def asks_when_money_arrives(text: str, entities: Sequence[Mapping]) -> bool:
    """A short question when money comes ("什么时候能到账", "钱啥时候到账啊"), naming no goods
    nor order (then it is that order's), no top-up, and no second question ("退款多久到账 还有运费险
    怎么赔" is answered as both)."""
    return (_content_length(text) <= MAX_FRAGMENT_CHARS and bool(_MONEY_ARRIVES.search(text or ""))
            and not _NOT_A_REFUND.search(text or "") and not asks_two_questions(text)
            and not any(e.get("entity") in _NAMES_ELSE for e in entities))


def cancelled_in_reply(events: Sequence[Mapping]) -> bool:
    """Whether the assistant's reply to the shopper's last message carried out a cancellation
    (``events``: the tracker's, from that message on)."""
    previous = previous_user_event(events)
    if previous is None:
        return False
    after = list(events)[_index_of(events, previous) + 1:]
    return any(e.get("event") == "bot" and CANCELLED in str(e.get("text") or "") for e in after)


def corrects_the_order(text: str, entities: Sequence[Mapping]) -> bool:
    """"不对 是手机那单" / "搞错了，手机那个": a correction that names another order — by its
    words ("手机那单") or by what it holds (the NLU's category or product); without the
    correction's words ("是手机那单", "那手机那单呢") only an order named by its words (an
    ordinal names none: no list is on screen after the form stopped)."""
    text = (text or "").strip()
    match = _CORRECTION.match(text)
    rest = _NEW_ORDER_LEAD.sub("", text[match.end():] if match else text, count=1)
    if not rest:
        return False
    if match is None:
        rest = re.sub(r"^(那|那么|那就)\s*", "", rest)
        named = re.match(r"^(.*?)(那个|那单|那笔|那一单)", rest)
        words = re.sub(r"好的?|嗯+|[就是这那要选看查的\s]", "", named.group(1)) if named else ""
        return bool(words) and picks_an_order(rest) and not has_ordinal(rest)
    return picks_an_order(rest) or any(e.get("entity") in ("category", "product") for e in entities)


def cancels_instead_of_answering(text: str, offer: Optional[str], previous_intent: Optional[str]) -> bool:
    """Whether "那算了 取消吧" right after an order was shown cancels that order rather than
    answering the offer that came with it (the hurry-up reply offers a person; read as a "no"
    to that offer, the cancellation was lost). At the cancel question itself ("确认要取消订单
    X 吗？") the words are that question's answer."""
    return previous_intent == "order_status" and not cancellation_asked(offer) and cancels_the_order_shown(text)


def follow_up(
    text: str,
    ranking: Sequence[Mapping],
    entities: Sequence[Mapping],
    previous_intent: Optional[str],
    previous_entities: Iterable[Mapping],
    topic_intent: Callable[[str], Optional[str]] = lambda topic: None,
    after_sales_refused: bool = False,
    previous_text: str = "",
    cancelled_just_now: bool = False,
) -> Optional[FollowUp]:
    """The intent (and entities) to answer a fragment with, or None to leave it as parsed.

    Only a fragment that follows a shop question counts, and only when the classifier was
    unsure (it fell back, or its first meaning is below CONFIDENT) and found the previous
    intent one of the two likeliest meanings or the fragment is a bare continuation
    ("那怎么办", "能快点吗"). A topic of the fragment's own
    is kept when it belongs to the same intent ("那发票呢" after a purchase question);
    otherwise the previous topic carries over ("那多久能到" after a refund question is about
    the refund, not about delivery times)."""
    top = (ranking[0].get("name") if ranking else None)
    if cancelled_just_now and asks_refund_timing_after_cancelling(text, entities):
        # "那多久能到" right after a cancellation went through: when the money is back (the
        # after-sales route says that order's refund), not how long parcels take.
        return FollowUp(AFTER_SALES, [dict(e) for e in entities if e.get("entity") != "topic"]
                        + [{"entity": "topic", "value": "refund_progress"}])
    if asks_when_money_arrives(text, entities):
        # "什么时候能到账" with a refund under way (or just asked about): when that refund's
        # money comes — the after-sales route says the shopper's own refund — never the newest
        # order's parcel.
        return FollowUp(AFTER_SALES, [dict(e) for e in entities if e.get("entity") != "topic"]
                        + [{"entity": "topic", "value": "refund_progress"}])
    if after_sales_refused and corrects_the_order(text, entities):
        # "不对 是手机那单" right after the form stopped at the earphones (not delivered yet):
        # the same request for that order — the form anew, with the service and reason already
        # said — not the phone's order card the words alone would get.
        said = {e.get("entity") for e in entities}
        carried = [dict(e) for e in previous_entities if e.get("entity") in ("service_type", "reason")
                   and e.get("entity") not in said]
        return FollowUp(AFTER_SALES, [dict(e) for e in entities if e.get("entity") != "topic"] + carried)
    if answers_where_for_points(text, ranking, entities, previous_intent, previous_text, previous_entities):
        # "我在杭州" to "请问您在哪个城市？", "西湖区那边有吗" after a city's points: the service
        # points there (the repair question goes on, as the repair topic's intent), not a bare remark.
        return FollowUp(AFTER_SALES, [dict(e) for e in entities if e.get("entity") != "topic"]
                        + [{"entity": "topic", "value": REPAIR}])
    kind = invoice_kind(text, previous_intent, previous_entities)
    if kind is not None:
        return FollowUp("purchase", [dict(e) for e in entities if e.get("entity") != "topic"]
                        + [{"entity": "topic", "value": kind}])
    if previous_intent == AFTER_SALES and _content_length(text) <= MAX_FRAGMENT_CHARS and (
            is_urging(text) or _NOT_YET.search(text)):
        # "怎么这么慢" after a request's progress: that request hurried, never out of scope;
        # "怎么还没到" after a refund's: the refund (not a parcel); "能快点吗" after the
        # installer's visit: the installation (not the after-sales requests).
        return FollowUp(AFTER_SALES, _in_context(entities, previous_intent, previous_entities, topic_intent))
    if (previous_intent == AFTER_SALES and _content_length(text) <= 2 * MAX_FRAGMENT_CHARS
            and CALL_BACK.search(text) and _previous_topics(previous_entities) & _CALLS_FIRST):
        # "师傅大约多久联系我呀" / "早上之前务必联系我" after the installer's visit was answered
        # (he calls first): when that call comes — not a return policy, a product or "您是想…".
        return FollowUp(AFTER_SALES, [dict(e) for e in entities if e.get("entity") != "topic"]
                        + [dict(e) for e in previous_entities if e.get("entity") == "topic"])
    if previous_intent in (PRODUCT, RECOMMEND, INFORM) and decides_to_buy(text):
        # "那就买这个" after a product's details: how to buy it, not its card once more ("拍两件"
        # after a product named alone, "华为FreeBuds 5i", read as a bare detail, too).
        return FollowUp("purchase", [{"entity": "topic", "value": "how_to_order"}])
    if (previous_intent and _content_length(text) <= MAX_FRAGMENT_CHARS and STAIRS_WORDS.search(text)
            and any(e.get("entity") == "topic" and e.get("value") == INSTALLATION for e in previous_entities)):
        # "没有电梯" right after an installation fee (the classifier hears a "no"): the carrying
        # charge of that fitting, for the goods it was about ("跑步机上门安装多少钱").
        carried = [dict(e) for e in previous_entities if e.get("entity") in ("topic", "category", "product")]
        return FollowUp(previous_intent, [dict(e) for e in entities if e.get("entity") not in ("topic", "category")]
                        + carried)
    if (previous_intent == "order_status" and _content_length(text) <= MAX_FRAGMENT_CHARS
            and any(e.get("entity") == "topic" and e.get("value") == "refuse_delivery" for e in entities)):
        # "不在家" / "家里没人" right after a parcel on its way was shown (the classifier, unsure,
        # asks "您是想…"): what to do about that delivery — the order question's policy answer.
        return FollowUp("order_status", [dict(e) for e in entities])
    if previous_intent == "order_status" and cancels_the_order_shown(text):
        # "那算了 取消吧" right after an order was shown: that order's cancellation (which asks
        # to confirm), whatever the classifier made of the sigh ("a no", unsure, a follow-up).
        return FollowUp("order_status", [dict(e) for e in entities if e.get("entity") != "topic"]
                        + [{"entity": "topic", "value": "cancel_order"}])
    if (previous_intent == "order_status" and is_choice(text)
            and any(e.get("entity") in ("category", "product") for e in entities)):
        # "是牛奶那个" right after an order was shown: which order (the one with milk in it),
        # not milk to buy, however the classifier read the bare words.
        return FollowUp("order_status", [dict(e) for e in entities])
    if previous_intent in (RECOMMEND, PRODUCT) and _hears_yes_or_no(ranking):
        # "不要二手" after product cards (the classifier hears a "no"): a condition put on the
        # goods that a policy answers (all are new: the authenticity rule's verdict), not the
        # cards turned down.
        named = [dict(e) for e in entities if e.get("entity") == "topic"
                 and topic_intent(str(e.get("value"))) in FOLLOW_UP_INTENTS]
        if named:
            return FollowUp(topic_intent(str(named[0]["value"])), [dict(e) for e in entities])
    if _hears_yes_or_no(ranking) and (QUESTION.search(text or "") or REQUEST.search(text or "")):
        # "算了不要了 怎么取消": a question (or request) with a topic of a shop question is that
        # question, answered; never a bare "no".
        asked = [dict(e) for e in entities if e.get("entity") == "topic"
                 and topic_intent(str(e.get("value"))) in FOLLOW_UP_INTENTS]
        if asked:
            return FollowUp(topic_intent(str(asked[0]["value"])), [dict(e) for e in entities])
    if (top in ("order_status", "nlu_fallback") or _unsure(ranking)) and requests_beside_order_clause(text, entities):
        # "耳机到哪了，还有那个手机我想退": the after-sales route answers the order clause and
        # then takes up the request; read as an order question, the request would be lost.
        return FollowUp("after_sales", [dict(e) for e in entities])
    if top == "order_status" and _unsure(ranking) and wishes_a_service(text, entities):
        # "衬衫那单我要退": a service wished for an order named, which the classifier was unsure
        # was more than the order's card: the request (its route says what the order allows).
        return FollowUp("after_sales", [dict(e) for e in entities])
    if top in _NOT_AFTER_SALES and describes_a_problem(text):
        # "我买的衣服有个洞": something bought is faulty — an after-sales request, not an order
        # look-up or a product (the classifier hears 我买的, 衣服) nor a clarifying question.
        return FollowUp("after_sales", [dict(e) for e in entities])
    if wants_cheaper_products(text):
        # "有没有便宜点的": cheaper products (than those shown, the one in view, or else which
        # kind?), however sure the classifier is that "便宜点" asks for a discount.
        return FollowUp(RECOMMEND, [dict(e) for e in entities if e.get("entity") != "topic"])
    # After a bare detail ("要华为的", "预算400"), a refinement is one more detail for what the
    # details were for (action_continue_with_details carries on that flow): "再便宜点", "有白色的吗".
    refining = RECOMMEND if previous_intent == RECOMMEND else INFORM if previous_intent == INFORM else None
    if refining and _content_length(text) <= MAX_FRAGMENT_CHARS and _REFINEMENT.search(text):
        return FollowUp(refining, [dict(e) for e in entities if e.get("entity") != "topic"])
    if (refining and _content_length(text) <= MAX_FRAGMENT_CHARS
            and any(e.get("entity") in ("color", "size") for e in entities)
            and not any(e.get("entity") in ("product", "product_id") for e in entities)):
        # "有黑色的吗" after running shoes: black running shoes, however sure the classifier
        # is that a colour on its own is a product question.
        return FollowUp(refining, [dict(e) for e in entities if e.get("entity") != "topic"])
    if previous_intent == RECOMMEND and _unsure(ranking) and any(e.get("entity") in _REQUEST_DETAILS for e in entities):
        # "算了 看看耳机吧" after phones: a new need, which replaces the old request; "有没有XL的",
        # "小米的呢": a detail that narrows it.
        return FollowUp(RECOMMEND, [dict(e) for e in entities if e.get("entity") != "topic"])
    if previous_intent == INFORM and _unsure(ranking) and any(e.get("entity") in _REQUEST_DETAILS for e in entities):
        # "要黑色的" then "有没有L码的": one more detail, for whatever the details were for.
        return FollowUp(INFORM, [dict(e) for e in entities if e.get("entity") != "topic"])
    if previous_intent == PRODUCT and _content_length(text) <= MAX_FRAGMENT_CHARS and _PRICE_MOVE.search(text):
        return FollowUp(RECOMMEND, [dict(e) for e in entities if e.get("entity") != "topic"])
    if previous_intent in (PRODUCT, RECOMMEND, "purchase") and is_choice(text):
        return FollowUp(PRODUCT, [dict(e) for e in entities if e.get("entity") == "reference"])
    if previous_intent == AFTER_SALES and is_choice(text) and asked_policy_only(previous_entities):
        # "第一个" after "七天无理由吗" was answered between the cards and the pick: the product
        # picked from the cards (the policy answer listed no orders to pick from).
        return FollowUp(PRODUCT, [dict(e) for e in entities if e.get("entity") == "reference"])
    if previous_intent == PRODUCT and _content_length(text) <= 2 * MAX_FRAGMENT_CHARS and _COMPARE.search(text):
        return FollowUp(PRODUCT, [dict(e) for e in entities if e.get("entity") != "topic"]
                        + [{"entity": "topic", "value": "compare"}])
    if previous_intent not in FOLLOW_UP_INTENTS or not is_fragment(text):
        return None
    names = [r.get("name") for r in ranking]
    top = names[0] if names else None
    if top == "human_handoff":
        # "不等了 人呢": a person asked for, never the previous question once more.
        return None
    said = bare_answer(text)
    if said is not None:
        # "行 那就这样" with no offer open: an acknowledgement (an offer open took it earlier,
        # shop_channels.rasa_follow_ups), not the previous question asked again.
        return FollowUp(said, [])
    asked = own_policy_question(text, ranking, entities, previous_intent, topic_intent)
    if asked is not None:
        return asked
    previous_topics = [dict(e) for e in previous_entities if e.get("entity") == "topic"]
    if (_ALSO.search(text) and previous_topics and top != "nlu_fallback"
            and float(ranking[0].get("confidence") or 0.0) < CONFIDENT):
        # "秒杀买的也能保吗": the case's own topic (秒杀, a promotion) is what the rule just given
        # is asked about, so that rule answers (its verdicts say which cases it leaves out).
        return FollowUp(previous_intent, [dict(e) for e in entities if e.get("entity") != "topic"] + previous_topics)
    continuation = bool(_CONNECTIVE.search(text.strip())) or _content_length(text) <= 6
    if top == previous_intent:
        # "那电子的还是纸质的" after "我想开个发票": the same intent, and no topic of its own;
        # unsure and continuing, it is about the previous question's topic (else left as parsed).
        if (continuation and _unsure(ranking) and previous_topics
                and not any(e.get("entity") == "topic" for e in entities)):
            return FollowUp(previous_intent, [dict(e) for e in entities] + previous_topics)
        return None
    # "那多久能到", "那要几天": a connective and a bare "how long" ask about the timing of
    # whatever was just discussed (a refund, a repair, a parcel); the classifier's guess from
    # four characters must be surer to override the question it continues.
    timing_only = (bool(_CONNECTIVE.search(text.strip())) and _content_length(text) <= 6
                   and bool(_TIMING.search(text)))
    if top != "nlu_fallback" and float(ranking[0].get("confidence") or 0.0) >= (BARE_CONFIDENT if timing_only else CONFIDENT):
        return None
    top_two = [n for n in names if n != "nlu_fallback"][:2]
    if not (top == "nlu_fallback" or previous_intent in top_two or continuation):
        return None
    return FollowUp(previous_intent, _in_context(entities, previous_intent, previous_entities, topic_intent))


def own_policy_question(text: str, ranking: Sequence[Mapping], entities: Sequence[Mapping],
                        previous_intent: Optional[str], topic_intent: Callable[[str], Optional[str]]) -> Optional[FollowUp]:
    """"七天无理由吗" right after product cards or an order's card, "七天无理由吗" after an
    invoice answer: a question of its own about another policy (its topic belongs to another
    intent), answered as that topic's question — not folded into the previous one, whose topic
    would answer it (the invoice again, or more cards). Not after an after-sales question,
    whose own topics answer such a fragment in context ("运费谁出" in a return: the return
    postage), nor a continuation ("那发票呢") or a bare timing ("那多久能到"); only when the
    classifier was unsure (what it is sure of stands)."""
    if previous_intent == AFTER_SALES or not QUESTION.search(text or "") or not _unsure(ranking):
        return None
    if _CONNECTIVE.search(text.strip()) or _TIMING.search(text):
        return None
    for entity in entities:
        if entity.get("entity") != "topic":
            continue
        intent = topic_intent(str(entity.get("value")))
        if intent in FOLLOW_UP_INTENTS and intent != previous_intent:
            return FollowUp(intent, [dict(e) for e in entities])
    return None


# After-sales topics a shopper asks about before buying (the rule, no order of theirs in it).
_POLICY_ONLY = frozenset({"return_policy", "warranty", "return_shipping", "fresh_food", "shipping_insurance"})


def asked_policy_only(previous_entities: Iterable[Mapping]) -> bool:
    """The previous after-sales message only asked a rule ("七天无理由吗"): no service, reason or
    order of its own, so nothing it answered offers an order to pick."""
    previous = list(previous_entities)
    topics = _previous_topics(previous)
    return bool(topics) and topics <= _POLICY_ONLY and not any(
        e.get("entity") in ("service_type", "reason", "order_no", "product", "category") for e in previous)


def _in_context(entities: Sequence[Mapping], previous_intent: Optional[str], previous_entities: Iterable[Mapping],
                topic_intent: Callable[[str], Optional[str]]) -> List[dict]:
    """A fragment's entities read as the previous question's: its own topics where they
    belong to that question's intent ("那发票呢" after a purchase question), else the previous
    topics ("能快点吗" after the installer's visit is about the installation, not shipping)."""
    own_topics = [dict(e) for e in entities if e.get("entity") == "topic"
                  and topic_intent(str(e.get("value"))) in (previous_intent, None)]
    carried = [dict(e) for e in entities if e.get("entity") != "topic"]
    return carried + (own_topics or [dict(e) for e in previous_entities if e.get("entity") == "topic"])


def _previous_topics(previous_entities: Iterable[Mapping]) -> set:
    return {str(e.get("value")) for e in previous_entities if e.get("entity") == "topic"}


# What a shopper says that is not a place, however short: "好的", "谢谢", "再见", "转人工".
_NOT_A_PLACE = ("affirm", "deny", "thank", "greet", "goodbye", "human_handoff", "bot_challenge")


def answers_where_for_points(text: str, ranking: Sequence[Mapping], entities: Sequence[Mapping],
                             previous_intent: Optional[str], previous_text: str,
                             previous_entities: Iterable[Mapping]) -> bool:
    """A message that only names where the shopper is, right after a question for service
    points ("手机屏幕坏了 哪里能修" → "请问您在哪个城市？" → "我在杭州")."""
    if previous_intent not in FOLLOW_UP_INTENTS or not answers_with_a_place(text):
        return False
    top = ranking[0] if ranking else {}
    if top.get("name") in _NOT_A_PLACE and float(top.get("confidence") or 0.0) >= CONFIDENT:
        return False
    if any(e.get("entity") == "topic" and e.get("value") != REPAIR for e in entities):
        return False        # "杭州发货吗": a question of its own
    topics = [str(e.get("value")) for e in previous_entities if e.get("entity") == "topic"]
    return ServiceAsk.SERVICE_POINTS in what_is_asked(previous_text or "", topics)


def invoice_kind(text: str, previous_intent: Optional[str], previous_entities: Iterable[Mapping]) -> Optional[str]:
    """The kind of invoice a short message names right after an invoice answer ("电子的",
    "要纸质的", "专票"): its FAQ topic; None elsewhere (a new question names its own topic)."""
    if previous_intent != "purchase" or _content_length(text) > 8 or asks_for_copy(text):
        return None     # "电子发票找不到了": a lost invoice, not the kind of invoice wanted
    if not any(e.get("entity") == "topic" and str(e.get("value") or "").startswith(INVOICE) for e in previous_entities):
        return None
    return next((topic for topic, words in INVOICE_KINDS if words.search(text or "")), None)


_REQUEST_DETAILS = ("category", "size", "color", "brand", "budget_min", "budget_max")


def _hears_yes_or_no(ranking: Sequence[Mapping]) -> bool:
    """The classifier's first meaning is a yes or no, or, unsure, its likeliest one is."""
    names = [r.get("name") for r in ranking]
    if names and names[0] == "nlu_fallback":
        names = names[1:]
    return bool(names) and names[0] in _YES_NO


def _unsure(ranking: Sequence[Mapping]) -> bool:
    top = ranking[0] if ranking else {}
    return top.get("name") == "nlu_fallback" or float(top.get("confidence") or 0.0) < CONFIDENT


def is_choice(text: str) -> bool:
    """A pick from a list on screen ("第二个", "充电器那个", "2", "下面那个")."""
    return bool(_CHOICE.search((text or "").strip())) or only_a_place(text)


def previous_user_event(events: Sequence[Mapping]) -> Optional[Mapping]:
    """The shopper's last message in ``events`` (the tracker as it stands while the new
    message is parsed, so before it is logged); None at the start of a conversation, and a
    restart or a new session ends the context."""
    for event in reversed(events):
        kind = event.get("event")
        if kind in ("restart", "session_started"):
            return None
        if kind == "user":
            return event
    return None


# The action that answers each shop question (data/rules.yml): an unsure message the
# assistant still answered as one ("牛奶今天能到吗" -> the milk's order) was that question.
ANSWERED_AS = {"action_order_status": "order_status", "action_after_sales_route": "after_sales",
               "action_purchase_help": "purchase", "action_product_inquiry": "product_inquiry",
               "action_recommend": "ask_recommendation"}
# Intents whose meaning is the flow that answered them: unsure guesses, and bare details
# ("要大屏的" continues a recommendation: action_continue_with_details shows its cards).
_UNSURE_INTENTS = ("nlu_fallback", "out_of_scope", INFORM)
# What an answer showed, where another action answered in its place (the clarifying action
# shows the order of "牛奶今天能到吗" itself): an order's card is an order question's answer,
# product cards a recommendation's.
SHOWN_AS = {"order_timeline": "order_status", "order_list": "order_status", "product_cards": RECOMMEND}


# Shop questions an order's card may answer in place of their own reply (the purchase help
# shows the order a signed-in shopper is waiting for): the order is then what was asked about.
_ANSWERED_BY_ORDER = frozenset({"purchase"})


def _shown(event: Mapping) -> Optional[str]:
    custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
    return SHOWN_AS.get(custom.get("type")) if isinstance(custom, Mapping) else None


def before_latest_message(events: Sequence[Mapping]) -> List[Mapping]:
    """``events`` before the shopper's latest message (``previous_user_event``): an action's
    tracker holds the message it answers, and this is the context the Rasa server read while
    it parsed it (what ``previous_question`` takes)."""
    latest = previous_user_event(events)
    return list(events)[:_index_of(events, latest)] if latest is not None else list(events)


def _index_of(events: Sequence[Mapping], event: Mapping) -> int:
    """Where ``event`` itself (not an equal one: events repeat) is in ``events``."""
    return [id(e) for e in events].index(id(event))


def previous_question(events: Sequence[Mapping]) -> Optional[str]:
    """The intent the shopper's last message was answered as: its own, or, when the NLU was
    unsure of it, the shop question whose action (or whose order card) answered it (the
    clarifying action and the out-of-scope reply answer some directly); None without a
    previous message."""
    previous = previous_user_event(events)
    if previous is None:
        return None
    intent = ((previous.get("parse_data") or {}).get("intent") or {}).get("name")
    after = list(events)[_index_of(events, previous) + 1:]
    if intent in _ANSWERED_BY_ORDER and any(_shown(e) == "order_status" for e in after):
        # "牛奶今天能到吗" read as a delivery question before buying, answered with the shopper's
        # milk order on its way: "还要等多久" then asks about that order.
        return "order_status"
    if intent not in _UNSURE_INTENTS:
        return intent
    answered = next((ANSWERED_AS[e.get("name")] for e in after
                     if e.get("event") == "action" and e.get("name") in ANSWERED_AS), None)
    return answered or next((_shown(e) for e in after if _shown(e)), intent)



# Changes an order list can be offered for, whose pick starts that change (the address form
# starts after an order question: its rule reads the intent).
CHANGES_OFFERED = frozenset({"address_change"})


def picks_offered_change(text: str, events: Sequence[Mapping]) -> bool:
    """"第二个" / "精华液那个" right after "您目前可以办理的订单：…" offered for an address change:
    a pick of that order for the change — an order question, whatever the classifier made of
    the bare words (a detail, which started nothing)."""
    previous = previous_user_event(events)
    after = list(events)[_index_of(events, previous) + 1:] if previous is not None else list(events)
    listed = orders_on_screen(after)
    return picks_an_order(text) and any(entry.topic in CHANGES_OFFERED for entry in listed)
