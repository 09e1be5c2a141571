"""Reading a shopper's typed answer to a question the assistant asked.

Pure functions over the raw text: the label of one of our own buttons typed out, an
ordinal ("第二个", "最后那个"), a description ("充电器那个"), a reason in everyday words
("不想要了"), an explicit cancel. Forms use them when the NLU found no entity, so an answer
typed instead of tapped works the same.
"""
from __future__ import annotations

import re
from typing import Any, List, Mapping, Optional, Sequence, Tuple

from assistant.after_sales import REASON_CHOICES, SERVICE_FROM_NLU
from assistant.answer_words import CONFIRM_SUMMARY, DROP_IT, LEADING_INTERJECTION, STOP_FORM
from assistant.pending_answers import AFFIRM, FORM_CONFIRMATION, answer_to_offer
from shop.domain.after_sales import REASON_LABELS, AfterSalesReason, ServiceType
from shop.domain.numbers import as_product_id, typed_digits

# Everyday ways of saying each reason, checked in this order (the most specific first).
REASON_WORDS = (
    (AfterSalesReason.NO_REASON, r"七天无理由|7天无理由|无理由"),
    (AfterSalesReason.WRONG_ITEM, r"发错|寄错|不是我买的|不是我要的"),
    (AfterSalesReason.MISSING_PARTS, r"少件|漏发|少了|缺件|少发|缺了|(只|就)(到|收到|来)了?[一1](个|件|样)"),
    (AfterSalesReason.DAMAGED, r"破损|摔坏|压坏|碎了|破了|烂了|裂了|坏的|烂的|烂掉|腐烂|发霉|碎的|压扁"),
    (AfterSalesReason.SIZE_FIT, r"尺码|码数|码子|尺寸|太大|太小|偏大|偏小|不合身|不合脚|大了|小了|换.{0,2}码|大一号|小一号|换大|换小"),
    (AfterSalesReason.NOT_AS_DESCRIBED, r"与描述不符|和描述不符|跟描述不|描述不符|不一样|色差|假货|不是正品"),
    (AfterSalesReason.NOT_RECEIVED, r"没收到|未收到|没到货"),
    (AfterSalesReason.QUALITY, r"质量|坏了|故障|有问题|用不了|不能用|开不了机|不好用|瑕疵|过期|有个洞|有洞|破洞|开线|脱线|"
                               r"掉色|褪色|起球|漏水|漏电|异响|死机|黑屏|花屏|没声音|充不进电|不充电|连不上|"
                               # a screen's defects as shoppers describe them ("屏幕有条线")
                               r"有一?条.?线|屏幕.{0,4}(线|斑|闪)|坏点|闪屏|漏光|烧屏"),
    (AfterSalesReason.CHANGED_MIND, r"不想要|不要了|不喜欢|买错|不需要了|用不上|买多了|后悔"),
    (AfterSalesReason.OTHER, r"^其他|^其它|别的原因"),
)

# Said to stop the form altogether ("不想要了" is a reason, not one of these).
CANCEL = STOP_FORM

ORDINALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# "第二", "第 3": an ordinal's number (group 1), before its counter word.
_ORDINAL_NUMBER = r"第\s*([一二两三四五六七八九十]|\d{1,2})\s*"
ORDINAL = re.compile(rf"{_ORDINAL_NUMBER}(个|件|单|笔|款|项|样)?")
_LAST_ONE = r"最后(一|那)?(个|件|单|笔|款|项)?"
LAST = re.compile(rf"{_LAST_ONE}|最下面")


def ordinal_number(raw: str) -> int:
    """The number of an ordinal's group 1 (``ORDINAL``, ``BARE_NUMBER``): "二" -> 2, "3" -> 3."""
    return int(raw) if raw.isdigit() else ORDINALS[raw]

# "2" typed alone while a list is on screen: its place in the list, as "第二个" (two digits at
# most: longer numbers are order numbers, phone digits or budgets).
BARE_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.。、!！]?\s*$")
# "上面那个" / "下面那个" / "前面那个" / "后面那个": one of a list of two by where it stands on
# screen (of a longer list it says nothing: which of the lower ones?); "最上面" / "最前面" /
# "头一个" the first of any list, "中间那个" the middle of three.
_THAT = r"(那|这)?(一)?(个|件|单|笔|款|项|种|条)"
_ABOVE = "上面|上边|前面|前边"
_BELOW = "下面|下边|后面|后边"
UPPER = re.compile(rf"(?<!最)({_ABOVE}){_THAT}|(?<!最)({_ABOVE})的")
LOWER = re.compile(rf"(?<!最)({_BELOW}){_THAT}|(?<!最)({_BELOW})的")
FIRST = re.compile(rf"最({_ABOVE})|头一?{_THAT}")
MIDDLE = re.compile(rf"中间{_THAT}|中间的")
# A message made only of a pick by place (and words that add nothing to it): "第二个",
# "选2", "就下面那个吧", "2号" — what a tap on that button would have said.
_PICK_FILLER = r"(那就|那|就|我|选|要|是|用|这个|吧|呢|啊|呀|哈|嗯|好的|好|的|号|[\s,，。.!！~～、…])*"
PLACE_WORDS = re.compile(
    rf"{_ORDINAL_NUMBER}(个|件|单|笔|款|项|样|种|条)?|{_LAST_ONE}"
    rf"|({_ABOVE}|{_BELOW}|最上面|最上边|最前面|最下面|最下边|中间)({_THAT}|的)?|头一?{_THAT}|\d{{1,2}}")
ONLY_A_PLACE = re.compile(rf"^{_PICK_FILLER}(?:{PLACE_WORDS.pattern}){_PICK_FILLER}$")


def place_in(text: str, count: int) -> Optional[int]:
    """The place (0-based) in a list of ``count`` that ``text`` points at by position alone:
    an ordinal, a bare number, "最后那个", "最上面那个", "下面那个" (of two), "中间那个" (of
    three); None when it points at none or the list has no such place."""
    text = (text or "").strip()
    if count <= 0 or not text:
        return None
    if LAST.search(text):
        return count - 1
    ordinal = ORDINAL.search(text) or BARE_NUMBER.match(text) or (only_a_place(text) and _NUMBER.search(text))
    if ordinal:
        number = ordinal_number(ordinal.group(1))
        return number - 1 if 1 <= number <= count else None
    if FIRST.search(text):
        return 0
    if count == 2 and UPPER.search(text):
        return 0
    if count == 2 and LOWER.search(text):
        return 1
    if count == 3 and MIDDLE.search(text):
        return 1
    return None


_NUMBER = re.compile(r"(?<!\d)(\d{1,2})(?!\d)")


# A number typed above this is no place in a list on screen (lists show at most eight) but a
# size, a budget or a model ("那42呢" after a shoe's sizes).
MAX_PLACE = 10


def only_a_place(text: str) -> bool:
    """"第二个", "2", "选下面那个吧": the message says nothing but a place in a list."""
    text = (text or "").strip()
    if len(text) > 12 or ONLY_A_PLACE.match(text) is None:
        return False
    return all(int(n) <= MAX_PLACE for n in _NUMBER.findall(text))


def says_a_place(text: str) -> bool:
    """Whether ``text`` points at a place by position words ("下面那个", "最上面", "中间那个"),
    besides ordinals and numbers (see has_ordinal)."""
    text = text or ""
    return bool(UPPER.search(text) or LOWER.search(text) or FIRST.search(text) or MIDDLE.search(text))


# Words around a description that say nothing about the item.
FILLER = re.compile(r"(那个|这个|那件|这件|那款|这款|那单|这单|的|要|是|就|吧|呢|啊|选|我)")


def reason_in(text: str) -> Optional[AfterSalesReason]:
    """The after-sales reason a typed answer gives, or None."""
    text = (text or "").strip()
    for label_reason, label in REASON_LABELS.items():
        if text == label:
            return label_reason
    for reason, words in REASON_WORDS:
        if re.search(words, text):
            return reason
    return None


# "换L码" / "换个大一号的" / "换成黑色": an exchange, said by what the item is exchanged for.
EXCHANGE_FOR = re.compile(r"^(我想|我要|想|要|帮我)?换(成|个|一个|一件|一双|一下)?\s*([A-Za-z0-9]|大|小|颜色|尺码|码|黑|白|红|蓝|灰|新的)")



def exchanges_for(text: str) -> bool:
    """"换个黑色的", "换L码": an exchange said by what the item is exchanged for — never another
    item of the order picked (its 换 is no correction, its 黑色 no item's title)."""
    return bool(EXCHANGE_FOR.search((text or "").strip()))


# "要修" / "拿去修一下" / "帮我返修": a repair, said with the verb alone (修改 / 修正 are no repair,
# 保修 is the warranty asked about).
REPAIR_WISH = re.compile(r"(要|想|拿去|送去|寄去|寄回去|帮我|给我|需要|得|去)修(?!改|正)|修一下|修理|返修|送修")


# "只退钱不退货", "不用寄回 退款就行": a refund without the goods sent back — its 退货 is what
# the shopper does not want.
# ("不想退货了 换货吧" is no refund: the refund itself must be said.)
REFUND_ONLY = re.compile(r"(只|仅|光)退(钱|款)|退(钱|款)[，,\s]*不退货"
                         r"|不(用|想|要|需要)?(退货|寄回|退回去).{0,6}退(钱|款)|退(钱|款).{0,6}不(用|想|要|需要)(退货|寄回|退回去)")


def service_in(text: str) -> Optional[ServiceType]:
    """The service a typed answer names (退货 / 换货 / 退款 / 维修 / 补发), or None."""
    text = (text or "").strip()
    if REFUND_ONLY.search(text):
        return ServiceType.REFUND_ONLY
    for word in sorted(SERVICE_FROM_NLU, key=len, reverse=True):
        if word in text:
            return SERVICE_FROM_NLU[word]
    for service in ServiceType:
        if service.label in text:
            return service
    if EXCHANGE_FOR.search(text):
        return ServiceType.EXCHANGE        # "换L码", "换个颜色": what it is exchanged for
    if REPAIR_WISH.search(text):
        return ServiceType.REPAIR
    return None


def is_cancel(text: str) -> bool:
    """An explicit "stop this": 取消 / 算了 / 不办了 ... ("不想要了" is a reason)."""
    return bool(CANCEL.search((text or "").strip()))


# The answer to "确认提交吗？": a change request is checked before a yes ("不对" holds "对").
CONFIRM = CONFIRM_SUMMARY
CHANGE = re.compile(r"不对|不是|错了|有误|不正确|改|换|修改|重新|重填|更正")
# In "不是质量问题，是不想要了" the new value follows the last of these.
NEW_VALUE = re.compile(r".*(?:改成|改为|换成|应该是|其实是|[，,。 ]是)")
REASON_TOPIC = re.compile(r"原因|理由")
ITEM_TOPIC = re.compile(r"商品|那件|另一件|别的东西|东西|宝贝|件")
ORDER_TOPIC = re.compile(r"订单|那单|另一单|别的单|单号")


def confirmation_in(text: str) -> Optional[str]:
    """How a typed answer to the summary's "确认提交吗？" reads: "cancel" (an explicit cancel,
    or the request dropped: "不想要了"), "change" (something in the summary is wrong), "yes", or None.

    A short answer is read whole, its last yes or no deciding (assistant.pending_answers):
    "嗯 不要了", "好的 不用了" drop the request; only then does a first "嗯" / "好" say yes."""
    text = (text or "").strip()
    core = LEADING_INTERJECTION.sub("", text) or text
    if is_cancel(core):
        return "cancel"
    if CHANGE.search(text):
        return "change"
    if DROP_IT.match(core):
        return "cancel"
    short = answer_to_offer(text, FORM_CONFIRMATION)
    if short is not None:
        return "yes" if short == AFFIRM else "cancel"
    if CONFIRM.search(text):
        return "yes"
    return None


# "就是不想要了" / "对 就是尺码不对" at the summary: the reason it shows said again — a yes to it,
# not the request dropped ("不想要了") nor something to change ("不对").
RESTATING = re.compile(r"^(对|对的|是|是的|没错|嗯+)?[\s,，。、]*(就是|是因为|因为)")


def restates_reason(text: str, reason: Optional[str]) -> bool:
    """Does ``text`` say again the reason the summary already holds (``reason``, its value)?"""
    text = (text or "").strip()
    why = reason_in(text) if RESTATING.match(text) else None
    return why is not None and why.value == reason


# An answer made of the verb the question asks about ("确认把地址改为…吗？" → "不改了", "改吧"):
# read before confirmation_in, where 改 says "something in the summary is wrong". A lead-in
# ("嗯", "那", "还是", "先") and a tail after the no ("，我再想想", " 谢谢") say nothing more.
_VERB_LEAD = r"^(嗯+|恩+|哦+|噢+|额+|那就|那还是|那|还是|算了|好的?|行|可以)?[\s,，。.!！~～、…]*(先|暂时|就|还是)?\s*"


def verb_answer(text: str, verbs: str) -> Optional[str]:
    """"no" for "不改了" / "先不改了，我再想想" / "不用改了 谢谢", "yes" for "改吧" / "嗯 改吧" /
    "帮我改吧", else None; ``verbs`` an alternation ("改|修改") of the question's verb. A no
    followed by the verb again ("不改了 改成公司") is no plain no: None."""
    text = (text or "").strip()
    no = re.match(_VERB_LEAD + rf"不(用|要|需要|想)?(再)?({verbs})(地址)?(了|啦|咯)?", text)
    if no is not None:
        return None if re.search(verbs, text[no.end():]) else "no"
    # "确认修改" / "确定改地址": the confirmation button's own title typed is a yes too.
    yes = rf"(帮我|给我|麻烦|确认|确定)?({verbs})(地址)?(吧|了吧|啊|呀|呗|掉)?(就行|就好)?(吧)?[。.!！~～]*$"
    return "yes" if re.match(_VERB_LEAD + yes, text) else None


# "我要换货不是退货", "换货，不要退货": the old value, said after the new one.
OLD_VALUE_AFTER = re.compile(r"[，,。\s]*(而)?(不是|不要|别|并不是)[^，,。]*[。.!！]?$")


def new_value_part(text: str) -> str:
    """The part of a correction that gives the new value ("不是质量问题，是不想要了" → "不想要了",
    "我要换货不是退货" → "我要换货")."""
    text = (text or "").strip()
    match = NEW_VALUE.match(text)
    part = text[match.end():].strip() if match and match.end() < len(text) else text
    kept = OLD_VALUE_AFTER.sub("", part).strip()
    return kept or part


def change_target(text: str) -> Optional[str]:
    """Which field of the summary a correction is about: "service", "reason", "item",
    "order", or None when it does not say."""
    part = new_value_part(text)
    if service_in(part):
        return "service"
    if REASON_TOPIC.search(text) or reason_in(part):
        return "reason"
    if ORDER_TOPIC.search(text):
        return "order"
    if ITEM_TOPIC.search(text):
        return "item"
    return None


# (啥 / 咋: the spoken 什么 / 怎么, "啥时候发货", "咋退"; not "没啥", "nothing")
QUESTION = re.compile(r"吗|么|什么|怎么|(?<!没)啥|咋|如何|多久|几天|多少|能不能|可不可以|是否|有没有|是不是|会不会|政策|规则|规定|流程|谁|哪里|哪儿|[？?]")
REQUEST = re.compile(r"我要|我想|帮我|给我|申请|办理|想退|想换|要退|要换|退了吧|换了吧|怎么申请|如何申请")


def asks_about_policy(text: str) -> bool:
    """A question about the rules ("支持七天无理由退货吗", "退换货政策是什么"), not a request
    to act ("我要退货", "帮我申请换货")."""
    text = (text or "").strip()
    return bool(QUESTION.search(text)) and not REQUEST.search(text)


# "第二件": 件 counts the goods of an order — an item picked, whatever question is on screen.
ITEM_ORDINAL = re.compile(rf"{_ORDINAL_NUMBER}件")


def names_an_item(text: str) -> bool:
    """"第二件" / "是第一件": an item of the order by its place, not another list's option."""
    return bool(ITEM_ORDINAL.search(text or ""))


# "充电器能单独退吗", "只退充电器可以吗": one item of the order asked about on its own — that item.
ITEM_ALONE = re.compile(r"(单独|只)(退|换|修|申请|办)")


def asks_item_alone(text: str) -> bool:
    return bool(ITEM_ALONE.search(text or ""))


def has_ordinal(text: str) -> bool:
    """"第二个", "最后那个", "2": a pick by position in a list on screen."""
    return bool(ORDINAL.search(text or "") or LAST.search(text or "") or BARE_NUMBER.match(text or "")
                or says_a_place(text))


# The payload of a product's choice button ("找到了几款…").
PRODUCT_PAYLOAD = re.compile(r'^/product_inquiry\{"product_id": ?"(\d{1,12})"\}$')


def products_on_screen(events: Sequence[Mapping[str, Any]]) -> List[Tuple[str, int]]:
    """(title, product id) of the products in the assistant's last list — the choice
    buttons of "找到了几款…" or recommendation cards — in the order shown."""
    for event in reversed(events):
        if event.get("event") != "bot":
            continue
        data = event.get("data") or {}
        custom = data.get("custom") or {}
        if isinstance(custom, dict) and custom.get("type") == "product_cards":
            return [(str(card.get("title") or ""), as_product_id(card.get("id"))) for card in custom.get("products") or []
                    if as_product_id(card.get("id")) is not None]
        listed = [(str(b.get("title") or ""), PRODUCT_PAYLOAD.search(str(b.get("payload") or "")))
                  for b in data.get("buttons") or []]
        listed = [(title, int(found.group(1))) for title, found in listed if found]
        if listed:
            return listed
    return []


def choices_on_screen(events: Sequence[Mapping[str, Any]]) -> List[str]:
    """The button titles of the assistant's messages since the shopper's previous message (the
    last event of kind "user" is the message being read): what an ordinal can pick from. None
    shown (the question asked in words only, a channel without buttons): an ordinal picks nothing."""
    titles: List[str] = []
    users = 0
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            users += 1
            if users == 2:
                break
        elif kind == "bot" and users == 1:
            titles[:0] = [str(b.get("title") or "") for b in (event.get("data") or {}).get("buttons") or []]
    return titles


def buttons_offered(events: Sequence[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    """The buttons the assistant showed after the shopper's last message in ``events`` (the
    tracker while a new message is parsed, before it is logged), in the order shown."""
    shown: List[Mapping[str, Any]] = []
    for event in reversed(events):
        kind = event.get("event")
        if kind in ("user", "restart", "session_started"):
            break
        if kind == "bot":
            shown[:0] = [b for b in (event.get("data") or {}).get("buttons") or [] if isinstance(b, Mapping)]
    return shown


def button_picked(text: str, buttons: Sequence[Mapping[str, Any]]) -> Optional[Mapping[str, Any]]:
    """The one of ``buttons`` (two or more on screen) a typed answer made only of its place
    picks — "第二个", "2", "选下面那个", "最后一个吧": the answer is that button tapped, whatever
    the question (an order, an item, a service, a reason, 确认提交 / 取消, 确认取消 / 不用了). None
    when the message says anything more (the flow reads it as typed) or points at no button."""
    if len(buttons) < 2 or not only_a_place(text) or names_an_item(text):
        # ("第二件" counts the goods of an order: an item picked, whatever list is on screen.)
        return None
    place = place_in(text, len(buttons))
    if place is None or not str(buttons[place].get("payload") or "").strip():
        return None
    return buttons[place]


def choice_index(text: str, options: Sequence[str]) -> Optional[int]:
    """Which of ``options`` (as shown, in order) a typed answer picks: an ordinal, "最后那个",
    or words of the option's own text ("充电器那个"). None when it picks none or is ambiguous."""
    text = (text or "").strip()
    if not options or not text:
        return None
    if LAST.search(text) or ORDINAL.search(text) or BARE_NUMBER.match(text) or says_a_place(text) or only_a_place(text):
        return place_in(text, len(options))
    words = FILLER.sub(" ", text).split()
    best, best_len, tie = None, 0, False
    for index, option in enumerate(options):
        length = max((_common_run(word, option) for word in words), default=0)
        if length > best_len:
            best, best_len, tie = index, length, False
        elif length == best_len and length:
            tie = True
    return best if best_len >= 2 and not tie else None


def two_choices(text: str, count: int) -> Optional[tuple]:
    """"第二个和第三个哪个好": the two ordinals of a list of ``count`` named in one message
    (0-based, in the order said), or None."""
    picked = []
    for match in ORDINAL.finditer(text or ""):
        number = ordinal_number(match.group(1))
        if 1 <= number <= count and number - 1 not in picked:
            picked.append(number - 1)
    if LAST.search(text or "") and count - 1 not in picked:
        picked.append(count - 1)
    return tuple(picked[:2]) if len(picked) >= 2 else None


# "还有几件", "库存多少", "剩几台了": how many are left, not whether one can be bought.
HOW_MANY = re.compile(r"(还有|还剩|剩|剩下|库存|有)(几|多少)(件|个|台|部|双|套|只|瓶|盒)?|库存(还有)?多少|几件库存")


def asks_how_many(text: str) -> bool:
    return HOW_MANY.search(text or "") is not None


# "这两个哪个好", "这俩哪个值得买": two of the list on screen, without saying which two.
THESE_TWO = re.compile(r"[这那](两|俩|二)(个|款|件|台|部|种)?|(两|俩)(个|款)?(里|中|之间|相比|比).{0,4}哪")
# ... asked to compare them (not "这两个有货吗", a question about each).
COMPARING = re.compile(r"哪个|哪款|哪一个|哪台|区别|差别|对比|比较|选哪|买哪|怎么选")


def these_two(text: str, count: int) -> Optional[tuple]:
    """"这两个哪个好" after a list of ``count``: both of a list of two (0-based); None when the
    message does not say "these two" or the list has more than two (which two is asked)."""
    if count != 2 or not THESE_TWO.search(text or ""):
        return None
    return (0, 1)


def asks_these_two(text: str) -> bool:
    """"这两个哪个好", "这俩有什么区别": two products compared without naming them or their places."""
    return (THESE_TWO.search(text or "") is not None and COMPARING.search(text or "") is not None
            and ORDINAL.search(text or "") is None)


def two_in_play(viewed: Sequence[int]) -> Optional[Tuple[int, int]]:
    """The two products "这两个" points at: the last two different ones the shopper looked at
    (``viewed``: product ids in the order shown, since the last list), older first; None
    when fewer than two were looked at."""
    distinct: List[int] = []
    for product_id in reversed(list(viewed)):
        if product_id not in distinct:
            distinct.append(product_id)
        if len(distinct) == 2:
            return distinct[1], distinct[0]
    return None


def asks_about_two_unnamed(text: str, count: int) -> bool:
    """"这两个哪个好" after a list of three or more: which two is not said."""
    return (count > 2 and THESE_TWO.search(text or "") is not None and COMPARING.search(text or "") is not None
            and two_choices(text, count) is None)


def _common_run(word: str, option: str) -> int:
    """Length of the longest piece of ``word`` (2+ characters) found in ``option``. A number
    counts only whole, on both sides: "56" of an order number "2026…4567890" is no piece of
    "256GB", and "12" typed is not "512GB"; "256" typed is "256GB"'s."""
    longest, word, option = 0, word.lower(), option.lower()
    for start in range(len(word)):
        if _cuts_number(word, start):
            continue
        for end in range(len(word), start + max(longest, 1), -1):
            if _cuts_number(word, end) or not _whole_in(word[start:end], option):
                continue
            longest = max(longest, end - start)
            break
    return longest if longest >= 2 else 0


def _cuts_number(text: str, at: int) -> bool:
    """Whether position ``at`` of ``text`` falls between two digits."""
    return 0 < at < len(text) and text[at - 1].isdigit() and text[at].isdigit()


def _whole_in(piece: str, option: str) -> bool:
    """``piece`` occurs in ``option`` with no digit glued to a digit at either end."""
    before = r"(?<!\d)" if piece[0].isdigit() else ""
    after = r"(?!\d)" if piece[-1].isdigit() else ""
    return re.search(before + re.escape(piece) + after, option) is not None


__all__ = ["REASON_CHOICES", "reason_in", "service_in", "is_cancel", "choice_index", "choices_on_screen", "has_ordinal", "asks_about_policy",
           "confirmation_in", "verb_answer", "change_target", "new_value_part"]


# "尾号不记得了", "订单号忘了", "我没有订单号": the shopper cannot give what was asked.
FORGOT = re.compile(r"不记得|忘了|忘记|想不起|记不清|记不住|不知道|不清楚|找不到|没记"
                    r"|没(有)?(那个|这个)?(订单号|单号|订单编号|尾号)|(订单号|单号|订单编号)(没有|没了|丢了|删了|找不着)")


def ordinal_beyond(text: str, count: int) -> Optional[int]:
    """"第二个多少钱" when the list on screen held one item: the place asked for (2), which the
    list does not have; None when the text names no place or the place is in the list."""
    found = ORDINAL.search(text or "")
    if found is None or count <= 0:
        return None
    number = ordinal_number(found.group(1))
    return number if number > count else None


# "那就买小米吧", "就要华为那个": buying one of the products on screen, named by a word of it.
BUY_NAMED = re.compile(r"^(那|好|行|嗯)?[，,\s]*(我)?(就)?(还是)?(买|要|选|拿|入)\s*([^，,。？?\s]{1,12}?)(的|那个|那款|那台)?(吧|了|啦)?[!！。.～~]*$")


# "第二个怎么买", "就第二个吧 怎么买", "第一个我要了": a place in the list with buying words.
BUYS_BY_PLACE = re.compile(r"买|下单|拍下|入手|我要了|就要|要这")


def buys_by_place(text: str) -> bool:
    """A product of the list on screen bought by its place ("第二个怎么买"), not a question
    about it ("第二个多少钱") nor a comparison ("第一个和第二个哪个好")."""
    text = (text or "").strip()
    places = ORDINAL.findall(text)
    # 单 / 笔 / 件 count orders and their goods ("第二单买的东西"), not products on a list.
    return len(places) == 1 and places[0][1] not in ("单", "笔", "件") and bool(BUYS_BY_PLACE.search(text))


def buys_named(text: str) -> Optional[str]:
    """The words naming what a "那就买小米吧" buys ("小米"), else None."""
    found = BUY_NAMED.search((text or "").strip())
    return found.group(6) if found else None


def forgets(text: str) -> bool:
    """The answer says the shopper does not know what was asked ("尾号不记得了")."""
    return bool(FORGOT.search(text or ""))


# "我要买", "就它了", "下单": buying, said with no product named (the one in view is meant).
BUY_IT = re.compile(r"^(那|好|行|嗯)?[，,\s]*(我)?(就)?(要|想|决定)?(买|下单|拍)(吧|它|这个|这款|这台|这部|一个|一台)?[!！。.～~]*$"
                    r"|^(就)?(要|选)?(它|这个|这款)了?[!！。.]*$")


def buys_it(text: str) -> bool:
    """"我要买" / "就这款了": a decision to buy, naming nothing."""
    return bool(BUY_IT.search((text or "").strip()))


# "我想问下", "咨询一下": a lead-in, the question itself still to come.
LEAD_IN = re.compile(r"^(你好|您好|亲|在吗|那个)?[，,\s]*(我)?(想|要)?(请问|问|咨询|请教)(一)?(下|个事|个问题|件事)?(哈|啊|呀)?[。.!！~～…]*$")


def only_leads_in(text: str) -> bool:
    """"我想问下": the shopper is about to ask, nothing asked yet."""
    return bool(LEAD_IN.search((text or "").strip()))


# A reply that is nothing but the four digits (spaces and punctuation around them allowed).
# "打错了 是3949", "不好意思 应该是3949": the digits again after a slip, said as a correction.
BARE_SUFFIX = re.compile(r"^\s*(?:(?:哦|噢|喔|哎|唉|啊|呃|额|嗯|呀)[\s,，。.!！~～]*)?(?:(?:不对|不是|打错了?|输错了?|写错了?|搞错了?|错了|发错了?|不好意思|抱歉|sorry)[\s,，。.!！~～]*)?"
                         r"(?:应该是|其实是|尾号是?|后四位是?|是)?\s*([0-9]{4})\s*[。.!！]?\s*$", re.IGNORECASE)


def bare_phone_suffix(text: str) -> Optional[str]:
    """The four digits of a reply that says nothing else ("3949", "尾号3949", "打错了 是3949"),
    digits of any script read as ASCII and four read out in Chinese ("三九四九") as digits
    (``shop.domain.numbers.typed_digits``); None otherwise."""
    found = BARE_SUFFIX.match(typed_digits(text) or "")
    return found.group(1) if found else None


# "不对 是另一个" / "不是这个 是另外一件": the other one, named by nothing but being the other.
THE_OTHER = re.compile(r"^(另一|另外一|另外)(个|件|样|款)?(吧|呢|啊|的)?[。.!！]?$")


def names_the_other(text: str) -> bool:
    """A correction that says only "the other one" (of an order's two items)."""
    return confirmation_in(text) == "change" and bool(THE_OTHER.match(new_value_part(text).strip()))
