"""Whether a shopper's message sounds angry (pure, over the raw text: words and emoji alike).
One rule for the assistant (an angry shopper gets an apology and a hand-off offer,
``assistant.mood``) and the human desk's queue (an angry shopper is not left behind
newcomers, ``shop.domain.handoff_queue``)."""
from __future__ import annotations

import re

ANGRY = re.compile(
    r"[😡😠🤬💢👿😤]|气死|生气|愤怒|火大|垃圾|太差|差劲|坑人|骗子|骗人|恶心|无语|什么破|烂透|"
    r"投诉你们|要投诉|差评|受不了|太过分|过分了|太离谱|离谱|耍我|搞什么|什么鬼|"
    r"态度(很|太|真|特别|非常|极其)?(差|恶劣|不好)|服务(很|太|真)?差|什么态度"
)


def sounds_angry(text: str) -> bool:
    return bool(ANGRY.search(text or ""))
