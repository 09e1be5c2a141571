"""Where an order's invoice stands ("发票开好了吗"), by the order's state.

The shop's invoice promise: an invoice asked for is issued ``ISSUED_WITHIN`` after the
shopper confirms receipt (确认收货); the order's detail page shows and downloads it. The
shop database keeps no invoice records, so this rule never says an invoice *was* issued:
it says when it is (or was) due and where to see it. ``content/faq.yml`` (``invoice``)
states the same promise; a unit test checks they agree.
"""
from __future__ import annotations

from shop.domain.orders import IN_DELIVERY, OrderStatus

ISSUED_WITHIN = "1~3 个工作日"
WHERE_TO_SEE = "「订单详情 → 发票」"

_CALLED_OFF = frozenset({OrderStatus.CANCELLED, OrderStatus.REFUNDED})


def where_to_see(signed_in: bool) -> str:
    """"发票开好了吗" with no order in view: where an issued invoice is, and how to ask about one."""
    then = ("告诉我是哪笔订单（订单号或买的什么），我帮您看它的开票进度。" if signed_in
            else "登录后告诉我是哪笔订单，我可以帮您看它的开票进度。")
    return (f"开好的发票在{WHERE_TO_SEE}查看和下载，电子发票也会发到您的邮箱；发票在确认收货后 {ISSUED_WITHIN}内开出。"
            + then)


def invoice_progress(order_no: str, status: OrderStatus | str) -> str:
    """What the shopper can know about the invoice of order ``order_no`` in ``status``."""
    status = OrderStatus(status)
    head = f"订单 {order_no} 现在是“{status.label}”"
    if status is OrderStatus.PENDING_PAYMENT:
        return f"{head}，还没付款，暂时不会开票；付款并确认收货后 {ISSUED_WITHIN}内开出。"
    if status is OrderStatus.AWAITING_SHIPMENT or status in IN_DELIVERY:
        return (f"{head}，发票在您确认收货后 {ISSUED_WITHIN}内开出；现在可以先在{WHERE_TO_SEE}"
                "申请或核对开票信息（抬头、税号）。")
    if status is OrderStatus.DELIVERED:
        return (f"{head}，在订单详情里点「确认收货」后，发票 {ISSUED_WITHIN}内开出，"
                f"开好后在{WHERE_TO_SEE}下载，也会发到您的邮箱。")
    if status is OrderStatus.COMPLETED:
        return (f"{head}（已确认收货）。下单或补开时申请了发票的，确认收货后 {ISSUED_WITHIN}内开出，"
                f"请在{WHERE_TO_SEE}查看、下载；我这里看不到开票记录，那里没有的话可以点「申请开票」补开，"
                "或说“转人工”帮您查。")
    if status is OrderStatus.REFUNDING:
        return f"{head}，退款完成后发票按退款金额冲红或作废；部分退款的，剩余金额的发票照常在{WHERE_TO_SEE}查看。"
    if status in _CALLED_OFF:
        return f"{head}，这笔订单不会再开票；已经开出的发票按退款金额冲红或作废。"
    return f"{head}，发票在确认收货后 {ISSUED_WITHIN}内开出，可在{WHERE_TO_SEE}查看。"
