"""What the assistant says to an angry shopper: an apology and a hand-off offer, not
"I did not understand" (whether a message sounds angry: ``shop.domain.mood``)."""
from __future__ import annotations

from shop.domain.mood import sounds_angry  # noqa: F401 - the one rule; the actions import it from here


APOLOGY = ("非常抱歉让您不愉快了！您遇到的问题我们一定负责处理。"
           "需要的话我马上为您转接人工客服（回复“转人工”或“好的”）；也可以直接告诉我订单号和遇到的问题，我先帮您查。")

# An angry message that is also a question ("等了五天还没到😤"): the answer, between these two.
SORRY_FIRST = "非常抱歉让您着急了，我马上帮您看。"
HANDOFF_AFTER = "如果问题还没解决，回复“转人工”或“好的”，我马上为您转接人工客服。"
