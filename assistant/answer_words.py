"""The words of a yes and a no to the assistant's own questions, in one place: the short
answers to an offer (``assistant.pending_answers``), the answers to "确认要取消订单 X 吗？"
(``assistant.offers``), to the after-sales summary's "确认提交吗？" (``assistant.typed_answers``),
"那算了 取消吧" after an order was shown (``assistant.order_matching``), "确认取消" typed
with nothing asked (``actions.offers``) and "是刚才查看的订单…吗？"
(``assistant.after_sales_dialogue``). Those modules read the words in their context; a word
added here reaches every one of them.

Pure: the standard library only.
"""
from __future__ import annotations

import re
from typing import Iterable


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first (so "不用了" is taken before "不用")."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


# A sound of thinking before an answer ("嗯 不是这个", "额，不对", "嗯 不退了"): it says nothing
# yet, neither a yes nor a no.
THINKING = r"(?:嗯+|恩+|哦+|噢+|额+|呃+|啊+)[\s,，。.!！~～、…]*"

# Said to "确认要取消订单 X 吗？" at its start: a yes ("确认", "是的，取消吧").
CONFIRM_WORDS = ("确认", "确定", "是的", "对的", "没错")

# The answer words to an offer (longest first where one holds another: "不用了" before "不用",
# "不要了" before "不要").
YES_WORDS = (
    "好的呀",
    "好的",
    "好滴",
    "好啊",
    "好呀",
    "好吧",
    "好",
    "行吧",
    "行啊",
    "行",
    "可以的",
    "可以",
    "需要的",
    "需要",
    "要的",
    "要",
    *CONFIRM_WORDS,
    "是",
    "对",
    "没问题",
    "就这样吧",
    "就这样",
    "就这么办",
    # "行 那就这样", "就按你说的办吧": taken whole (the filler "那就" would leave "这样" unread).
    "那就这样",
    "那就这么办",
    "按你说的办",
    "按你说的来",
    "按你说的",
    "照你说的办",
    "照你说的",
    "听你的",
    "麻烦你了",
    "麻烦您了",
    "麻烦了",
    "来吧",
    "ok",
    "okay",
    "yes",
)
NO_WORDS = (
    "不用了",
    "不用麻烦了",
    "不用",
    "不需要了",
    "不需要",
    "不必了",
    "不必",
    "不要",
    "算了",
    "不了",
    "没事了",
    "没事",
    "不是这个",
    "不是",
    "不对",
    "不行",
    "不好",
    "先不用",
    "先不要",
    "暂时不用",
    "暂时不需要",
    "先不",
    "暂时不",
    "不想要了",
    "不想要",
    "不买了",
    "取消吧",
    "取消",
    "no",
)

# Said to "确认要取消订单 X 吗？", anywhere in the message: the goods are not wanted any more — a
# yes to cancelling, not a no.
NOT_WANTED_WORDS = ("不想要了", "不想要", "不要了", "不买了", "取消吧", "帮我取消")
# The whole answer to it saying yes: those, and the cancellation itself.
# ("退掉" / "撤了吧" of an order not sent yet: its cancellation, as the question asked.)
CANCEL_YES_WORDS = (*NOT_WANTED_WORDS, "确认取消", "确定取消", "取消掉吧", "取消掉", "取消", "退掉", "退了吧", "撤掉", "撤了吧",
                    "撤了")
# Said to it, the order kept: "不取消了", "不要取消", "别帮我取消", "甭取消", "还是要的".
KEEP_ORDER_WORDS = (
    *(f"{no}{how}{again}取消" for no in "不别甭" for how in ("", "要", "用", "必", "帮我", "给我") for again in ("", "再")),
    "不取消了",
    "先不取消",
    "还是要",
    "还要的",
    "留着",
    "保留",
)

CONFIRMED = re.compile(f"^({alternation(CONFIRM_WORDS)})")
NOT_WANTED = re.compile(f"({alternation(NOT_WANTED_WORDS)})")
# The order kept, whatever else is said: checked first, so "确定" or "取消吧" inside such a
# message never cancels (fail closed).
KEEPS_ORDER = re.compile(alternation(KEEP_ORDER_WORDS))

# "确认取消" typed on its own: with no cancellation asked about, nothing is confirmed (the
# shopper hears so and is asked which order to cancel).
CONFIRM_CANCEL = re.compile(r"^(确认|确定)(要)?取消(订单|这单|这个订单)?(吧|了|啊)?\s*[。.!！]*$")

# "那算了 取消吧", "取消掉吧" typed right after an order was shown: cancel that order (the
# cancellation still asks "确认要取消订单…吗？"); on its own it names no order.
CANCEL_IT = re.compile(r"^(那|那就|那还是|还是)?\s*(算了)?[，,\s]*(帮我|给我)?(取消|退单)(掉)?(吧|了吧|算了)?[。.!！~～]*$")

# The answer to the after-sales summary's "确认提交吗？" saying yes (a change request is
# checked before it: "不对" holds "对").
CONFIRM_SUMMARY = re.compile(r"^(是的?|对的?|对|确认|确定|提交|没问题|可以|好的?|好滴|行|嗯+|ok|yes|没错|正确|就这样|就这么办)",
                             re.IGNORECASE)
# Said to stop a form altogether ("不想要了" is a reason, not one of these).
STOP_FORM = re.compile(
    r"^(取消|算了|不办了|不申请了|不退了|不换了|先不了|先不用了|不用了|不弄了|退出|结束|没事了|不需要售后)"
    r"|取消(申请|售后|办理)|不(申请|办理)了"
)
# "嗯 不退了": an interjection before the answer says nothing yet (it is no "yes").
LEADING_INTERJECTION = re.compile(f"^{THINKING}")
# The whole answer to "确认提交吗？" saying the shopper no longer wants it ("不想要了", "那算了吧"):
# at a question that asks for a reason "不想要了" is one, at the summary it drops the request.
DROP_IT = re.compile(r"^(那|那就|那还是|还是)?\s*我?\s*(不想要了|不要了|不想(退|换|申请|办|弄)了|算了)"
                     r"[吧啊呀哈]?[。.!！~～]*$")

# "不是" to "是刚才查看的订单…吗？": another order, not the end of the request — also after a
# sound of thinking ("嗯 不是这个", "额，不对"), which on its own would be a yes.
_NOT_THIS_WORDS = r"(不是|不对|不是这|别的|其他|其它|换一)"
NOT_THIS = re.compile(rf"^(?:{THINKING})?{_NOT_THIS_WORDS}")
YES_THIS_ONE = re.compile(rf"^(?!{THINKING}{_NOT_THIS_WORDS})(是|对|嗯|就是|就这|这个|这单|没错|好的?|可以|确认|yes|ok)",
                          re.IGNORECASE)


def confirms_cancel_alone(text: str) -> bool:
    """"确认取消" typed on its own (``CONFIRM_CANCEL``)."""
    return CONFIRM_CANCEL.search((text or "").strip()) is not None


def says_not_this(text: str) -> bool:
    """"不是这个", "嗯…不对": the order or item in view turned down (``NOT_THIS``)."""
    return NOT_THIS.search(text or "") is not None


def says_yes_this_one(text: str) -> bool:
    """"是的", "就这个", "对": the order or item in view confirmed (``YES_THIS_ONE``)."""
    return YES_THIS_ONE.search(text or "") is not None
