"""Whether a message sounds angry: the shopper gets an apology and a hand-off offer, not
"I did not understand". Pure, over the raw text (words and emoji alike)."""
from __future__ import annotations

import re

ANGRY = re.compile(
    r"[😡😠🤬💢👿😤]|气死|生气|愤怒|火大|垃圾|太差|差劲|坑人|骗子|骗人|恶心|无语|什么破|烂透|"
    r"投诉你们|要投诉|差评|受不了|太过分|过分了|太离谱|离谱|耍我|搞什么|什么鬼|"
    r"态度(很|太|真|特别|非常|极其)?(差|恶劣|不好)|服务(很|太|真)?差|什么态度"
)


def sounds_angry(text: str) -> bool:
    return bool(ANGRY.search(text or ""))


APOLOGY = ("非常抱歉让您不愉快了！您遇到的问题我们一定负责处理。"
           "需要的话我马上为您转接人工客服（回复“转人工”或“好的”）；也可以直接告诉我订单号和遇到的问题，我先帮您查。")

# An angry message that is also a question ("等了五天还没到😤"): the answer, between these two.
SORRY_FIRST = "非常抱歉让您着急了，我马上帮您看。"
HANDOFF_AFTER = "如果问题还没解决，回复“转人工”或“好的”，我马上为您转接人工客服。"
