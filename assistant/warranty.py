"""How long the warranty runs: for a kind of goods ("耳机保修几年啊" → 耳机耳麦保修 1 年) and for
the shopper's own order ("我那个笔记本保修到啥时候" → from its delivery day, until when).

A desk answers the one figure asked, not the whole warranty table of ``content/faq.yml``
(which still follows when no category or order is known). The months are the categories'
own (``categories.warranty_months``, the figures the FAQ table quotes). Pure.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Optional

from shop.domain.clock import CHINA_TZ

# "我那个笔记本", "我买的耳机", "这单": the shopper's own goods, whose order the answer is about.
OWN_ORDER = re.compile(r"我(的|那个|那台|那件|这个|这台|买的|家的)|那单|这单|那个订单|这个订单|订单")
REPAIR_OFFER = "保修期内非人为损坏免费维修；需要维修的话告诉我，我帮您申请，也可以问我附近的售后服务网点。"


def span_text(months: int) -> str:
    """12 → "1 年", 6 → "6 个月"."""
    return f"{months // 12} 年" if months % 12 == 0 else f"{months} 个月"


def category_warranty_text(category: str, months: int) -> str:
    if months <= 0:
        return (f"{category}不属于保修类商品，没有保修期；收到有质量问题的，签收后 15 天内可以申请换货，"
                "告诉我订单号我帮您办理。")
    return f"保修期：{category} {span_text(months)}（品牌全国联保，从签收日算起）。{REPAIR_OFFER}"


def _add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    # (the 31st of a month that has none ends on the last day of that month)
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError(f"no day for {moment!r} + {months} months")


def _day(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"


def order_warranty_text(order_no: str, title: str, category: str, months: int,
                        delivered_at: Optional[datetime], now: datetime) -> str:
    """The warranty of one order's goods: not delivered yet (it starts on delivery), in
    force until a day, or over (paid repair, quoted first)."""
    named = f"订单 {order_no}（{title[:16]}）"
    if months <= 0:
        return f"{named}的{category}不属于保修类商品，没有保修期。"
    if delivered_at is None:
        return f"{named}还没签收，{category}保修 {span_text(months)}，从签收日开始算。"
    signed = delivered_at.astimezone(CHINA_TZ)
    until = _add_months(signed, months)
    head = f"{named}于{_day(signed)}签收，{category}保修 {span_text(months)}，保修到{_day(until)}"
    if now.astimezone(CHINA_TZ) <= until:
        return f"{head}，现在还在保修期内。{REPAIR_OFFER}"
    return (f"{head}，已经过了保修期。过保也可以维修，按配件和工时收费，先报价、您同意后再修；"
            "需要的话告诉我，我帮您申请。")


def asks_about_own_goods(text: str) -> bool:
    """"我那个笔记本保修多久", "这单的耳机": the warranty of something the shopper bought (an
    order of theirs), not of a kind of product."""
    return OWN_ORDER.search(text or "") is not None
