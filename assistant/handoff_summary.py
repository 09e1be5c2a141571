"""The summary a human agent reads when a conversation is handed over.

Built from the conversation's turns (what the shopper asked, what the assistant did), so an
agent can pick up without scrolling: intent, order, product, what was tried, last messages.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Sequence

INTENT_LABELS = {
    "order_status": "订单查询",
    "after_sales": "售后",
    "purchase": "购买咨询",
    "product_inquiry": "产品咨询",
    "ask_recommendation": "商品推荐",
    "human_handoff": "转人工",
    "out_of_scope": "超出范围",
    "nlu_fallback": "未识别",
}
ACTION_LABELS = {
    "action_order_status": "查询订单",
    "action_product_inquiry": "商品咨询",
    "action_purchase_help": "购买咨询解答",
    "after_sales_form": "售后申请表单",
    "action_submit_after_sales": "提交售后申请",
    "action_after_sales_status": "查询售后进度",
    "action_recommend": "商品推荐",
    "action_clarify": "澄清意图",
}
MAX_MESSAGES = 5
MAX_MESSAGE_CHARS = 80


@dataclass
class Turn:
    text: str
    intent: Optional[str]
    actions: List[str] = field(default_factory=list)


def summarise(
    turns: Sequence[Turn],
    order_no: Optional[str],
    product: Optional[str],
    signed_in: bool,
) -> str:
    asked = [t.intent for t in turns if t.intent and t.intent not in ("human_handoff", "greet")]
    main = next((INTENT_LABELS.get(i, i) for i in reversed(asked) if i in INTENT_LABELS), "一般咨询")
    tried: List[str] = []
    for turn in turns:
        for action in turn.actions:
            label = ACTION_LABELS.get(action)
            if label and label not in tried:
                tried.append(label)
    messages = [t.text.strip()[:MAX_MESSAGE_CHARS] for t in turns if t.text and t.text.strip()]
    lines = [
        f"诉求：{main}",
        f"身份：{'已登录顾客' if signed_in else '游客（未验证身份）'}",
    ]
    if order_no:
        lines.append(f"订单：{order_no}")
    if product:
        lines.append(f"商品：{product}")
    lines.append(f"已尝试：{'、'.join(tried) if tried else '无'}")
    if messages:
        lines.append("最近消息：" + " / ".join(messages[-MAX_MESSAGES:]))
    return "\n".join(lines)
