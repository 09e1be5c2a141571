"""Per-category after-sales policy, as customer service quotes it.

Rules of thumb of Chinese online retail (消费者权益保护法 §25 and the 三包 rules):

- 7-day no-reason return (七天无理由退货), counted from the day after 签收: the shopper may
  return within 7 calendar days of the delivery day. Not for fresh / perishable food,
  custom-made goods or opened consumables where a category opts out.
- Exchange for quality problems within 15 days of delivery.
- Repair under warranty: a number of months from delivery, per category (phones 12,
  laptops 24, large appliances 36, air conditioners 72, clothing none).

Categories carry these values in the database (``categories.warranty_months`` etc.), seeded
from ``shop.seed.vocabulary``; this module holds the shared constants and the policy type.
"""
from __future__ import annotations

from dataclasses import dataclass

NO_REASON_RETURN_DAYS = 7
EXCHANGE_DAYS = 15
# Price protection (价保): a drop in the shop's price of the same SKU is refunded from payment
# until this many days after delivery (listings marked 「15天价保」 say 15 on their page).
PRICE_PROTECTION_DAYS = 7
# After this many days 已签收 orders are confirmed automatically (已完成).
AUTO_CONFIRM_DAYS = 10

# NLU ``topic`` values that ask about a policy ("七天无理由怎么算"): answered from the FAQ,
# never read as a reason for a request.
POLICY_TOPICS = ("return_policy", "warranty", "price_protection", "shipping_insurance")


@dataclass(frozen=True)
class CategoryPolicy:
    """After-sales terms of one (leaf) category."""

    category_name: str
    warranty_months: int
    no_reason_return: bool
    exchange_days: int = EXCHANGE_DAYS

    @property
    def has_warranty(self) -> bool:
        return self.warranty_months > 0
