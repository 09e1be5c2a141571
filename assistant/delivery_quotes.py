""""发到成都几天能到", "今天下单明天能到上海吗": how long delivery to a city takes, asked
before buying (a product in view, no order yet). Quoted from the shop's delivery rule of thumb
(``shop.domain.delivery``) as for an order paid now, to the city named; not a carrier's promise.
Pure."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Optional

from shop.domain.delivery import REGION_OF_CITY, estimate_delivery
from shop.domain.orders import OrderStatus

# "发到成都", "送上海", "寄到北京的话", "到杭州要几天": the city the goods would go to.
_SENT_TO = r"(?:发|送|寄|运|快递)(?:到|去|往)?|到|去"
# How long, or by when ("几天能到", "多久", "明天能到吗").
_HOW_LONG = re.compile(r"几天|多久|多长时间|什么时候|啥时候|几号|明天|后天|能到|到得了|送得到|要多少天")


def destination_city(text: str) -> Optional[str]:
    """The city a question sends the goods to ("发到成都几天能到" → "成都市"), as the delivery
    rule names it; None when it names none it knows, or names it without sending anything there."""
    for city in REGION_OF_CITY:
        short = city[:-1] if city.endswith("市") else city
        if re.search(rf"(?:{_SENT_TO})\s*{short}(?:市)?", text or ""):
            return city
    return None


def asks_delivery_to_city(text: str) -> bool:
    """"发到成都几天能到": how long the goods take to a city named."""
    return destination_city(text) is not None and _HOW_LONG.search(text or "") is not None


def delivery_quote(text: str, now: datetime) -> Optional[str]:
    """The estimate for goods paid now and sent to the city the question names, else None."""
    city = destination_city(text)
    if city is None or not _HOW_LONG.search(text or ""):
        return None
    estimate = estimate_delivery(status=OrderStatus.PENDING_PAYMENT, now=now, destination_city=city)
    if estimate is None:
        return None
    return (f"发往{city[:-1]}：{estimate.text}（现货当天 16:00 前付款当天发货，之后付款次日发货；"
            "按一般快递时效估算，顺丰/京东物流通常更快，实际以物流为准）。")
