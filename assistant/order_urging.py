""""能不能快点发" / "催一下" / "急用，能加急吗": a shopper hurrying an order. The answer is about
that order's shipping — what its state allows (pay first, the 48-hour shipping promise,
a parcel already with the courier) and what can still be done (an agent who contacts the
warehouse or the courier) — never its order card once more. Pure: the caller passes the
order's status and the delivery estimate it already worked out."""
from __future__ import annotations

import re
from typing import Optional

from shop.domain.delivery import SAME_DAY_CUTOFF_HOUR, SHIP_PROMISE_HOURS
from shop.domain.orders import AWAITED, IN_DELIVERY, OrderStatus

# Words that hurry (快点, 加急, 催), and complaints that it has not gone out yet (还没发货).
HURRY_WORDS = ("快点", "快一点", "快些", "加急", "催一?下", "催催", "催单", "催发", "催促", "尽快", "赶紧", "赶快",
               "急用", "急着用", "着急", "很急", "挺急", "加快", "早点发", "早点到", "提前发", "优先发", "马上发",
               "今天能发", "今天发", "能不能发快",
               # "好慢啊" after an order was shown: a complaint that hurries it
               "太慢", "好慢", "这么慢", "真慢", "慢死", "有点慢", "慢吞吞")
NOT_SHIPPED_WORDS = ("怎么还不发", "还不发货", "怎么还没发", "还没发货", "还没有发货", "一直不发货", "迟迟不发",
                     "什么时候发货", "啥时候发货", "什么时候能发货", "几时发货", "哪天发货", "什么时候发")
URGING = re.compile("|".join(HURRY_WORDS + NOT_SHIPPED_WORDS))
# Orders a shopper may hurry along: not paid, or paid and not yet delivered.
URGEABLE = AWAITED | {OrderStatus.PENDING_PAYMENT}


def urge_rank(status: str) -> int:
    """Which order an unnamed "能不能快点发" means, lowest first: one paid and waiting to ship,
    else one on its way, else one not paid."""
    state = OrderStatus(status)
    return 0 if state is OrderStatus.AWAITING_SHIPMENT else 1 if state in IN_DELIVERY else 2


def is_urging(text: str) -> bool:
    """The message hurries an order along (rather than asking where it is)."""
    return URGING.search(text or "") is not None


def urging_reply(order_no: str, status: str, eta: Optional[str]) -> str:
    """What can be said and done about hurrying this order, by its state."""
    state = OrderStatus(status)
    when = f"{eta}。" if eta else ""
    if state is OrderStatus.PENDING_PAYMENT:
        return (f"订单 {order_no} 还没有付款，付款后才会安排发货：{SAME_DAY_CUTOFF_HOUR}:00 前付款当天发货，"
                f"之后付款次日发货。{when}")
    if state is OrderStatus.AWAITING_SHIPMENT:
        return (f"订单 {order_no} 已付款，正在仓库备货，承诺 {SHIP_PROMISE_HOURS} 小时内发出"
                f"（{SAME_DAY_CUTOFF_HOUR}:00 前付款的一般当天发）。{when}"
                "如果比较急，我可以为您转接人工客服联系仓库优先安排发货。")
    if state in IN_DELIVERY:
        return (f"订单 {order_no} 已经发货，包裹在快递途中，{when}运输途中我们没法让快递加速；"
                "如果比较急，我可以为您转接人工客服联系快递优先派送。")
    if state in (OrderStatus.DELIVERED, OrderStatus.COMPLETED):
        return f"订单 {order_no} 已经签收了。没有收到的话告诉我，我帮您联系快递核实。"
    return f"订单 {order_no} 当前状态是“{state.label}”，不会再发货了。需要的话我可以为您转接人工客服。"
