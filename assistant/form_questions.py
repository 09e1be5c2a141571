"""A question typed while a form waits for an answer ("退款多久到账" at the after-sales
summary, "改地址要加钱吗" at "改到哪个地址？"): which policy topics it asks about, so the
form answers them and then asks its own question again instead of repeating it unanswered.

Only a question counts (``asks_about_policy``: question words, no request words), and only
one that names a topic: the NLU's ``topic`` entities, read in the form's context (运费 while
returning an item is the return shipping, not the shop's shipping fee), and a few words of
the form's own subject the NLU may leave untagged.
"""
from __future__ import annotations

import re
from typing import Any, Dict, FrozenSet, Iterable, Mapping, Optional, Sequence, Tuple

from assistant.typed_answers import asks_about_policy

AFTER_SALES = "after_sales"
ADDRESS_CHANGE = "address_change"
# No form at all: a question the classifier was unsure of, whose words still name its topic.
ANYWHERE = "anywhere"

# "退货怎么寄", "怎么寄回去": how to send an item back — where to (the return address, or a
# pickup) and who pays (the return shipping); both answers.
# "退货要寄个快递回去吗", "换货是自己寄回来吗": whether it is sent back by parcel, the same answer.
HOW_TO_SEND_BACK = r"(怎么|如何|怎样|咋)(寄|退回|发回)|(要|需要|得|用|是)(我)?(自己)?(寄|发)[^,，。?？]{0,4}(回去|回来)"
# Words of the form's subject, checked in this order (运费险 before 运费).
CONTEXT_WORDS: Dict[str, Tuple[Tuple[str, "re.Pattern[str]"], ...]] = {
    AFTER_SALES: (
        ("shipping_insurance", re.compile(r"运费险")),
        ("return_shipping", re.compile(r"运费|邮费|快递费|寄回.{0,4}(钱|费)|谁出|谁承担|谁付|" + HOW_TO_SEND_BACK)),
        ("refund_progress", re.compile(r"到账|(退款|退钱|钱|款).{0,6}(多久|几天|哪天|几号|什么时候|啥时候|多长时间)")),
        ("return_address", re.compile(r"(退货|退回|寄回|换货)的?地址|寄回.{0,4}(哪里|哪儿)|寄到哪|退回哪|寄去哪|退到哪个仓|"
                                      + HOW_TO_SEND_BACK)),
        ("return_policy", re.compile(r"无理由|退换货政策|退货政策|能退吗|可以退吗|能不能退")),
        ("warranty", re.compile(r"保修|质保")),
    ),
    ANYWHERE: (
        ("return_address", re.compile(HOW_TO_SEND_BACK)),
        ("return_shipping", re.compile(HOW_TO_SEND_BACK)),
        # "抬头写错了能改吗": 抬头 and 税号 are an invoice's, whatever else the message says.
        ("invoice", re.compile(r"发票|开票|抬头|税号|专票|普票")),
        # "周末发货吗", "晚上下单什么时候发": when parcels leave, whatever day or hour is named.
        ("delivery_time", re.compile(r"(周末|周六|周日|星期[六天日]|节假日|假期|放假|晚上|夜里)[^，,。]{0,6}(发货|发吗|送货|配送|发出)")),
    ),
    ADDRESS_CHANGE: (
        ("shipping_fee", re.compile(r"运费|邮费")),
        ("delivery_time", re.compile(r"(多久|几天|什么时候|啥时候).{0,4}(到|送|发货)|晚到|耽误")),
    ),
}
# The topics a form answers itself. Outside them the after-sales form lets its digression
# rules answer (a product or purchase question: data/rules.yml); the address form has none,
# so it answers every policy topic.
ANSWERED_IN_FORM: Dict[str, Optional[FrozenSet[str]]] = {
    AFTER_SALES: frozenset({"return_policy", "warranty", "price_protection", "shipping_insurance", "return_shipping",
                            "refund_progress", "service_progress", "refuse_delivery", "return_address"}),
    ADDRESS_CHANGE: None,
}
# An NLU topic that means something else inside the form.
IN_CONTEXT: Dict[str, Dict[str, str]] = {
    AFTER_SALES: {"shipping_fee": "return_shipping"},
}


def untagged_topics(text: str, context: str) -> Tuple[str, ...]:
    """The topics of the form's subject that the words of ``text`` name ("那钱哪天退回来":
    refund_progress), whether or not it is a question and whatever the NLU tagged."""
    return tuple(topic for topic, words in CONTEXT_WORDS.get(context, ()) if words.search(text or ""))


def question_topics(text: str, nlu_topics: Sequence[str], context: str) -> Tuple[str, ...]:
    """The policy topics a message typed at a form's question asks about; () when it is no
    question (an answer, a correction, a request) or names no topic."""
    text = (text or "").strip()
    if not text or not asks_about_policy(text):
        return ()
    remap = IN_CONTEXT.get(context, {})
    found = [remap.get(t, t) for t in nlu_topics]
    found += [topic for topic, words in CONTEXT_WORDS.get(context, ()) if words.search(text)]
    if "shipping_insurance" in found and "return_shipping" in found:
        found.remove("return_shipping")          # 运费险 says which 运费 it is
    if "return_shipping" in found and "return_policy" in found:
        found.remove("return_policy")            # "退货运费谁出": the shipping, not the whole policy
    allowed = ANSWERED_IN_FORM.get(context)
    return tuple(t for t in dict.fromkeys(found) if allowed is None or t in allowed)


# Actions that run on every message of a form without answering anything.
NOT_AN_ANSWER = frozenset({"action_listen", "action_extract_slots"})


def answered_since_message(events: Iterable[Mapping[str, Any]], form: str) -> bool:
    """Whether another action (a digression rule: a product question, an order look-up)
    already answered the latest message; the form then only asks its question again (Rasa
    runs the form's validation once more when it comes back to the form)."""
    for event in reversed(list(events)):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") not in NOT_AN_ANSWER | {form}:
            return True
    return False


# Intents that are never an answer to a form's question, whatever it asks: a product wanted,
# a person asked for, a greeting, thanks, goodbye, something off-topic. A form that cannot read
# such a message as its answer leaves it to its digression rules (data/rules.yml), which answer
# it and then ask the form's question again (goodbye leaves the form: action_leave_form).
DIGRESSION_INTENTS = frozenset({
    "greet", "goodbye", "thank", "bot_challenge", "out_of_scope", "nlu_fallback", "human_handoff",
    "product_inquiry", "purchase", "ask_recommendation",
})

# "好的", "嗯嗯好滴", "ok了", "行吧", "哦哦 知道了👌": an acknowledgement that answers no question a
# form asks. Read as a rule rather than a list of phrases: the message is nothing but
# acknowledging words, each optionally softened by sentence-final particles (了 的 滴 哒 吧 啦
# 呀 ...), with punctuation, spaces and emoji between — so the particles shoppers add in any
# combination need no new entry. A word that answers or refuses ("第二个", "不改了", "公司那个")
# is none of these, so a message holding one is no bare acknowledgement.
# (👌 👍 🆗 ✅ ✔ 🙆: the gestures typed for "OK"; other emoji only sit between words.)
ACKNOWLEDGING_WORD = (r"(?:嗯|恩|哦|噢|喔|额|呃|啊|好|行|可以|ok|okay|okk|k|知道|明白|收到|了解|懂|晓得"
                      r"|\U0001f44c|\U0001f44d|\U0001f197|\u2705|\u2714|\U0001f646)")
SOFTENING_PARTICLES = r"(?:了|的|滴|哒|嘞|咧|吧|啦|呀|哈|嘛|哟|喽|咯)*"
# Punctuation, spaces and the emoji / pictograph blocks (👌 🙏 😊 ✔).
BETWEEN = r"[\s,，。.!！~～、…\u2600-\u27bf\U0001f300-\U0001faff\ufe0f]*"
ACKNOWLEDGEMENT = re.compile(rf"^{BETWEEN}(?:{ACKNOWLEDGING_WORD}{SOFTENING_PARTICLES}{BETWEEN})+$", re.IGNORECASE)


def digresses(intent: Optional[str]) -> bool:
    """Whether a message of this intent, not readable as the form's answer, is something else
    the digression rules answer (rather than a wrong answer the form asks again for)."""
    return intent in DIGRESSION_INTENTS


def only_acknowledges(text: str) -> bool:
    """"好的" / "嗯嗯好滴" / "ok了" typed at a form's question: no answer, and no wrong answer
    either — the form asks its question again without saying it could not read one."""
    return bool(ACKNOWLEDGEMENT.match((text or "").strip()))


def last_bot_text(events: Iterable[Mapping[str, Any]]) -> Optional[str]:
    """The text of the assistant's latest message (before the shopper's latest), or None."""
    seen_user = False
    for event in reversed(list(events)):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            return (event.get("text") or "").strip() or None
    return None
