"""After-sales (售后) service types, reasons and the request life cycle.

::

    待审核 ─▶ 已同意 ─▶ 待寄回 ─▶ 处理中 ─▶ 已完成
      │         │         │
      │         └─────────┴────────▶ 处理中   (refund-only / resend need nothing sent back)
      ├─▶ 已拒绝
      └─▶ 已取消 ◀── (the shopper withdraws before the goods arrive back)
"""
from __future__ import annotations

from enum import Enum
from typing import Union

from shop.domain.state_machine import StateMachine


def _parse(enum_cls, value, what: str):
    """Accept a member, its value or its Chinese label; anything else is a clean ValueError."""
    if isinstance(value, enum_cls):
        return value
    if isinstance(value, str):
        text = value.strip()
        for member in enum_cls:
            if text in (member.value, member.label):
                return member
    choices = "、".join(f"{m.label}({m.value})" for m in enum_cls)
    raise ValueError(f"unknown {what}: {value!r}; expected one of {choices}")


class ServiceType(str, Enum):
    RETURN = "return"            # 退货退款
    EXCHANGE = "exchange"        # 换货
    REFUND_ONLY = "refund_only"  # 仅退款
    REPAIR = "repair"            # 维修
    RESEND = "resend"            # 补寄

    @property
    def label(self) -> str:
        return SERVICE_TYPE_LABELS[self]

    @classmethod
    def parse(cls, value: Union["ServiceType", str]) -> "ServiceType":
        return _parse(cls, value, "service type")

    @property
    def refunds_money(self) -> bool:
        return self in (ServiceType.RETURN, ServiceType.REFUND_ONLY)

    @property
    def needs_goods_back(self) -> bool:
        return self in (ServiceType.RETURN, ServiceType.EXCHANGE, ServiceType.REPAIR)


SERVICE_TYPE_LABELS = {
    ServiceType.RETURN: "退货退款",
    ServiceType.EXCHANGE: "换货",
    ServiceType.REFUND_ONLY: "仅退款",
    ServiceType.REPAIR: "维修",
    ServiceType.RESEND: "补寄",
}


class AfterSalesReason(str, Enum):
    NO_REASON = "no_reason"
    QUALITY = "quality"
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    MISSING_PARTS = "missing_parts"
    NOT_AS_DESCRIBED = "not_as_described"
    SIZE_FIT = "size_fit"
    NOT_RECEIVED = "not_received"
    CHANGED_MIND = "changed_mind"
    OTHER = "other"

    @property
    def label(self) -> str:
        return REASON_LABELS[self]

    @property
    def is_sellers_fault(self) -> bool:
        """Faults the shop answers for even where no-reason returns do not apply."""
        return self in SELLER_FAULT_REASONS

    @classmethod
    def parse(cls, value: Union["AfterSalesReason", str]) -> "AfterSalesReason":
        return _parse(cls, value, "after-sales reason")


REASON_LABELS = {
    AfterSalesReason.NO_REASON: "七天无理由",
    AfterSalesReason.QUALITY: "质量问题",
    AfterSalesReason.DAMAGED: "商品破损",
    AfterSalesReason.WRONG_ITEM: "发错货",
    AfterSalesReason.MISSING_PARTS: "少件/漏发",
    AfterSalesReason.NOT_AS_DESCRIBED: "与描述不符",
    AfterSalesReason.SIZE_FIT: "尺码不合适",
    AfterSalesReason.NOT_RECEIVED: "未收到货",
    AfterSalesReason.CHANGED_MIND: "不想要了",
    AfterSalesReason.OTHER: "其他",
}

SELLER_FAULT_REASONS = frozenset({
    AfterSalesReason.QUALITY, AfterSalesReason.DAMAGED, AfterSalesReason.WRONG_ITEM,
    AfterSalesReason.MISSING_PARTS, AfterSalesReason.NOT_AS_DESCRIBED,
})


class AfterSalesStatus(str, Enum):
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    AWAITING_RETURN = "awaiting_return"
    PROCESSING = "processing"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return AFTER_SALES_STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self in OPEN_AFTER_SALES_STATUSES


AFTER_SALES_STATUS_LABELS = {
    AfterSalesStatus.PENDING_REVIEW: "待审核",
    AfterSalesStatus.APPROVED: "已同意",
    AfterSalesStatus.REJECTED: "已拒绝",
    AfterSalesStatus.AWAITING_RETURN: "待寄回",
    AfterSalesStatus.PROCESSING: "处理中",
    AfterSalesStatus.COMPLETED: "已完成",
    AfterSalesStatus.CANCELLED: "已取消",
}

OPEN_AFTER_SALES_STATUSES = frozenset({
    AfterSalesStatus.PENDING_REVIEW, AfterSalesStatus.APPROVED,
    AfterSalesStatus.AWAITING_RETURN, AfterSalesStatus.PROCESSING,
})

AFTER_SALES_MACHINE: StateMachine[AfterSalesStatus] = StateMachine(
    name="after-sales",
    label="售后状态",
    transitions={
        AfterSalesStatus.PENDING_REVIEW: {AfterSalesStatus.APPROVED, AfterSalesStatus.REJECTED,
                                          AfterSalesStatus.CANCELLED},
        AfterSalesStatus.APPROVED: {AfterSalesStatus.AWAITING_RETURN, AfterSalesStatus.PROCESSING,
                                    AfterSalesStatus.CANCELLED},
        AfterSalesStatus.AWAITING_RETURN: {AfterSalesStatus.PROCESSING, AfterSalesStatus.CANCELLED},
        AfterSalesStatus.PROCESSING: {AfterSalesStatus.COMPLETED},
        AfterSalesStatus.REJECTED: set(),
        AfterSalesStatus.COMPLETED: set(),
        AfterSalesStatus.CANCELLED: set(),
    },
    status_label=lambda status: status.label,
)


def next_after_approval(service: ServiceType) -> AfterSalesStatus:
    """Returns, exchanges and repairs wait for the goods; refunds and resends go straight on."""
    return AfterSalesStatus.AWAITING_RETURN if service.needs_goods_back else AfterSalesStatus.PROCESSING
