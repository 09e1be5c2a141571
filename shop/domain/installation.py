"""When the installer comes (师傅什么时候上门), as the shop promises it.

The shop's installation promise for appliances and furniture that need fitting (送装服务),
the way large Chinese shops state it:

- the installer (师傅) phones to book a visit within ``CALL_WITHIN_HOURS`` (24 h) of 签收;
- the visit itself is within ``INSTALL_WITHIN_HOURS`` (48 h) of 签收 — the booked day may
  be later only at the shopper's request;
- an order still on its way gets the same promise counted from the day it arrives;
- after ``FOLLOW_UP_DAYS`` the delivery is no longer treated as waiting for installation
  (it has been installed, or the shopper books anew), so the assistant quotes the policy
  instead of a date long past.

Which categories need installation is data (``installation_fees`` in the shop database);
this module only holds the time rule. Times are aware datetimes; days are shown in China
time.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Optional

from shop.domain.clock import CHINA_TZ, require_aware
from shop.domain.orders import IN_DELIVERY, RECEIVED, OrderStatus

# The NLU's topic for installation questions (shop_nlu/README.md), named here for the
# application rules that read it below assistant.services (which imports them).
INSTALLATION_TOPIC = "installation"
CALL_WITHIN_HOURS = 24
INSTALL_WITHIN_HOURS = 48
FOLLOW_UP_DAYS = 15

WEEKDAYS = "一二三四五六日"

# Orders that never reached the shopper have nothing to install (not offered as candidates).
NOTHING_TO_INSTALL = frozenset({OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED, OrderStatus.REFUNDED})


class InstallationStage(str, Enum):
    NOT_DELIVERED = "not_delivered"      # on its way or waiting to ship: promise counts from 签收
    AWAITING_CALL = "awaiting_call"      # delivered, the installer's call is still due
    AWAITING_VISIT = "awaiting_visit"    # the call is past due; the visit is still within the promise
    OVERDUE = "overdue"                  # the promised visit time has passed
    CLOSED = "closed"                    # delivered long ago, or cancelled / refunded: nothing pending


@dataclass(frozen=True)
class InstallationWindow:
    stage: InstallationStage
    delivered_at: Optional[datetime] = None
    call_by: Optional[datetime] = None
    install_by: Optional[datetime] = None

    @property
    def pending(self) -> bool:
        return self.stage is not InstallationStage.CLOSED


def installation_window(status: str, delivered_at: Optional[datetime], now: datetime) -> InstallationWindow:
    """The promise for one order (``status`` an ``OrderStatus`` value) at ``now``."""
    require_aware(now)
    order_status = OrderStatus(status)
    if order_status is OrderStatus.AWAITING_SHIPMENT or order_status in IN_DELIVERY:
        return InstallationWindow(InstallationStage.NOT_DELIVERED)
    if order_status not in RECEIVED or delivered_at is None:
        return InstallationWindow(InstallationStage.CLOSED)
    delivered_at = require_aware(delivered_at, "delivered_at")
    call_by = delivered_at + timedelta(hours=CALL_WITHIN_HOURS)
    install_by = delivered_at + timedelta(hours=INSTALL_WITHIN_HOURS)
    if now >= delivered_at + timedelta(days=FOLLOW_UP_DAYS):
        stage = InstallationStage.CLOSED
    elif now >= install_by:
        stage = InstallationStage.OVERDUE
    elif now >= call_by:
        stage = InstallationStage.AWAITING_VISIT
    else:
        stage = InstallationStage.AWAITING_CALL
    return InstallationWindow(stage, delivered_at, call_by, install_by)


def moment_text(moment: datetime) -> str:
    """'6月21日（周五）14:00' in China time."""
    local = require_aware(moment, "moment").astimezone(CHINA_TZ)
    return f"{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"
