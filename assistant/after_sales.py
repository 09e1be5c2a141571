"""After-sales vocabulary between the chat and the domain.

The NLU extracts ``service_type`` as one of 退货 / 换货 / 退款 / 维修 / 补发 and ``reason``
as a code from data/nlu/vocab/shop_vocab.yml; the domain (``shop.domain.after_sales``) has
its own enums. This module is the one place that maps one onto the other, and says what
happens next for each service.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Tuple

from shop.domain.after_sales import AfterSalesReason, ServiceType
from shop.domain.eligibility import Eligibility
from shop.domain.numbers import AFTER_SALES_NO_REGEX

SERVICE_FROM_NLU: Dict[str, ServiceType] = {
    "退货": ServiceType.RETURN,
    "退货退款": ServiceType.RETURN,
    "换货": ServiceType.EXCHANGE,
    "退款": ServiceType.REFUND_ONLY,
    "仅退款": ServiceType.REFUND_ONLY,
    "维修": ServiceType.REPAIR,
    "补发": ServiceType.RESEND,
    "补寄": ServiceType.RESEND,
}

REASON_FROM_NLU: Dict[str, AfterSalesReason] = {
    "quality_issue": AfterSalesReason.QUALITY,
    "damaged": AfterSalesReason.DAMAGED,
    "wrong_item": AfterSalesReason.WRONG_ITEM,
    "missing_item": AfterSalesReason.MISSING_PARTS,
    "size_fit": AfterSalesReason.SIZE_FIT,
    "not_as_described": AfterSalesReason.NOT_AS_DESCRIBED,
    "counterfeit": AfterSalesReason.NOT_AS_DESCRIBED,
    "expired": AfterSalesReason.QUALITY,
    "changed_mind": AfterSalesReason.CHANGED_MIND,
    "late_delivery": AfterSalesReason.NOT_RECEIVED,
    "allergy": AfterSalesReason.OTHER,
    "price_drop": AfterSalesReason.OTHER,
    "no_reason": AfterSalesReason.NO_REASON,
}

# The choices offered as buttons when the shopper has not said why.
REASON_CHOICES: Tuple[AfterSalesReason, ...] = (
    AfterSalesReason.QUALITY,
    AfterSalesReason.DAMAGED,
    AfterSalesReason.WRONG_ITEM,
    AfterSalesReason.MISSING_PARTS,
    AfterSalesReason.SIZE_FIT,
    AfterSalesReason.NOT_AS_DESCRIBED,
    AfterSalesReason.NO_REASON,
    AfterSalesReason.OTHER,
)

NEXT_STEPS: Dict[ServiceType, str] = {
    ServiceType.RETURN: "审核通过后（通常 24 小时内）会短信通知您寄回地址，寄回时请附上服务单号；仓库签收后 1~3 个工作日原路退款。",
    ServiceType.EXCHANGE: "审核通过后请按短信中的地址寄回商品，仓库收到后 48 小时内为您发出新商品。",
    ServiceType.REFUND_ONLY: "客服会在 24 小时内审核，审核通过后款项原路退回（微信/支付宝 1~3 个工作日到账）。",
    ServiceType.REPAIR: "审核通过后可选择上门取件或寄回维修点，维修周期一般 7~15 个工作日，保修期内免费。",
    ServiceType.RESEND: "核实后（通常 24 小时内）为您补发缺少的商品，补发的物流单号会短信通知您。",
}


def service_type(value: Optional[str]) -> Optional[ServiceType]:
    """The domain service for an NLU value, a domain value/label, or None."""
    if not value:
        return None
    text = str(value).strip()
    if text in SERVICE_FROM_NLU:
        return SERVICE_FROM_NLU[text]
    try:
        return ServiceType.parse(text)
    except ValueError:
        return None


def reason(value: Optional[str]) -> Optional[AfterSalesReason]:
    """The domain reason for an NLU code, a domain value/label, or None."""
    if not value:
        return None
    text = str(value).strip()
    if text in REASON_FROM_NLU:
        return REASON_FROM_NLU[text]
    try:
        return AfterSalesReason.parse(text)
    except ValueError:
        return None


# --- eligibility as soon as order and item are known --------------------------------------

# Services tried, with a seller's-fault reason (the most permissive), to tell at once whether
# the item can have any after-sales service at all.
SERVICES_TRIED: Tuple[ServiceType, ...] = (ServiceType.RETURN, ServiceType.EXCHANGE, ServiceType.REPAIR)
OPEN_REQUEST = "REQUEST_IN_PROGRESS"


@dataclass(frozen=True)
class EarlyVerdict:
    """What to tell the shopper once order and item are known, before more questions.

    ``kind``: "go" (ask on), "duplicate" (``request_no`` is open), "other_service" (the one
    asked for is out, ``possible`` are not; ``message`` says why), "nothing" (no service
    applies any more; ``message`` says why)."""

    kind: str
    message: str = ""
    request_no: str = ""
    possible: Tuple[ServiceType, ...] = ()


def services_to_try(wanted: Optional[ServiceType]) -> Tuple[ServiceType, ...]:
    """The service asked for first, then the others that could still apply."""
    return ((wanted,) if wanted else ()) + tuple(s for s in SERVICES_TRIED if s is not wanted)


def early_verdict(decisions: Mapping[ServiceType, Eligibility], wanted: Optional[ServiceType]) -> EarlyVerdict:
    """Reads the eligibility of each service tried (``services_to_try``) for the item."""
    for decision in decisions.values():
        if decision.reason_code == OPEN_REQUEST:
            number = re.search(AFTER_SALES_NO_REGEX, decision.message)
            return EarlyVerdict("duplicate", decision.message, number.group(0) if number else "")
    possible = tuple(s for s, d in decisions.items() if d.eligible)
    if wanted is not None and wanted in decisions and wanted not in possible and possible:
        return EarlyVerdict("other_service", decisions[wanted].message, possible=possible)
    if not possible and decisions:
        # (An Eligibility is falsy when refused: looked up by key, never with "or".)
        key = next((s for s in (wanted, ServiceType.RETURN) if s in decisions), next(iter(decisions)))
        return EarlyVerdict("nothing", decisions[key].message)
    return EarlyVerdict("go")
