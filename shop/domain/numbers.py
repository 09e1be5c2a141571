"""Formats of the numbers shoppers quote to customer service.

Order number (订单号): **18 digits** = the order's creation date in China time as
``YYYYMMDD`` followed by 10 digits, e.g. ``202405031234567890``. Regex::

    (?<!\\d)20\\d{16}(?!\\d)

The 10-digit tail of seeded orders is a bijective scramble of the order id, so numbers are
unique but not guessable by counting (ownership is still checked on every lookup).

After-sales service number (服务单号): ``SH`` + ``YYYYMMDD`` + 6 digits, e.g.
``SH20240503004211``. Regex: ``SH\\d{14}``.

Hand-off ticket number (人工工单号): ``RG`` + ``YYYYMMDD`` + 6 digits. Regex: ``RG\\d{14}``.
"""
from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import datetime
from typing import Any, Optional

from shop.domain.clock import CHINA_TZ, require_aware

ORDER_NO_REGEX = r"(?<!\d)20\d{16}(?!\d)"
AFTER_SALES_NO_REGEX = r"SH\d{14}"
HANDOFF_NO_REGEX = r"RG\d{14}"

# re.ASCII: ``\d`` must mean 0-9 only, not every script's digits ("١٢٣٤" is not a number
# the shop ever issued; ``ascii_digits`` converts such input first).
_ORDER_NO_RE = re.compile(rf"^{ORDER_NO_REGEX}\Z", re.ASCII)
_AFTER_SALES_NO_RE = re.compile(rf"^{AFTER_SALES_NO_REGEX}\Z", re.ASCII)

# Multiplier coprime with 10, so ``(n * A + B) mod 10**10`` is a bijection on 10-digit tails.
_SCRAMBLE_A = 7_919_239_017
_SCRAMBLE_B = 3_571_113_171
_TAIL = 10**10


def _date_prefix(moment: datetime) -> str:
    return require_aware(moment, "moment").astimezone(CHINA_TZ).strftime("%Y%m%d")


def order_number(created_at: datetime, serial: int) -> str:
    """The order number of the ``serial``-th order (unique for serials below 10**10)."""
    tail = (serial * _SCRAMBLE_A + _SCRAMBLE_B) % _TAIL
    return f"{_date_prefix(created_at)}{tail:010d}"


def ascii_digits(text: Optional[str]) -> Optional[str]:
    """``text`` with every decimal digit of any script (full-width "１２", Arabic-Indic
    "١٢", ...) as its ASCII digit; other characters unchanged. None stays None."""
    if text is None:
        return None
    return "".join(str(unicodedata.decimal(ch)) if not ch.isascii() and ch.isdecimal() else ch
                   for ch in str(text))


# More digits than any id or count the shop uses, far fewer than int()'s 4300-digit limit.
_MAX_WHOLE_NUMBER_DIGITS = 19


def whole_number(value: Any, high: int, low: int = 1) -> Optional[int]:
    """A whole number from outside (a JSON value, a form field, a path segment, an entity):
    an ``int`` (not a bool) or text of decimal digits ("12", full-width "１２", surrounding
    spaces ignored), within ``low``..``high``; None for anything else.

    Not ``text.isdigit()`` then ``int(text)``: ``isdigit`` is also true for "²", "①", "⑴",
    "⒈" (digits that are not decimal), which ``int`` cannot read, and for 5000 digits, more
    than ``int`` converts — each a ValueError, so a 500 where a wrong number gets a 4xx."""
    if isinstance(value, str):
        text = value.strip()
        if not text or len(text) > _MAX_WHOLE_NUMBER_DIGITS or not text.isdecimal():
            return None
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


# Digits read out in Chinese, as a shopper types a phone's last four ("三九四九", "幺三五七").
_SPOKEN_DIGIT = {"零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
                 "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_SPOKEN_FOUR = re.compile(rf"(?<![{''.join(_SPOKEN_DIGIT)}十百千万])([{''.join(_SPOKEN_DIGIT)}]{{4}})"
                          rf"(?![{''.join(_SPOKEN_DIGIT)}十百千万])")


def typed_digits(text: Optional[str]) -> Optional[str]:
    """``ascii_digits`` of ``text``, with four digits read out in Chinese written as digits
    ("尾号三九四九" -> "尾号3949"); a run of any other length, or one with 十/百 in it (an
    amount: "一千二百"), is left as typed. None stays None."""
    if text is None:
        return None
    return _SPOKEN_FOUR.sub(lambda m: "".join(_SPOKEN_DIGIT[ch] for ch in m.group(1)), ascii_digits(text))


def is_order_number(text: str) -> bool:
    return isinstance(text, str) and bool(_ORDER_NO_RE.match(text))


def as_product_id(raw: object) -> Optional[int]:
    """A product id from an entity, slot or button value; anything else (typed by a shopper)
    is None."""
    return whole_number(str(raw or ""), high=10**12 - 1, low=0)


def is_phone_suffix(text: str) -> bool:
    """The last four (ASCII) digits of a phone number, as a guest proves an order with them."""
    return isinstance(text, str) and len(text) == 4 and text.isascii() and text.isdigit()


def after_sales_number(created_at: datetime, serial: int | None = None) -> str:
    """A service number; random tail unless a serial is given (the seed uses serials)."""
    tail = secrets.randbelow(10**6) if serial is None else (serial * 7_777_777 + 424_242) % 10**6
    return f"SH{_date_prefix(created_at)}{tail:06d}"


def is_after_sales_number(text: str) -> bool:
    return isinstance(text, str) and bool(_AFTER_SALES_NO_RE.match(text))


def handoff_number(created_at: datetime) -> str:
    return f"RG{_date_prefix(created_at)}{secrets.randbelow(10**6):06d}"
