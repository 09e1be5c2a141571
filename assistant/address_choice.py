"""Which delivery address a shopper means when asked "改到哪个地址？": one of their saved
addresses picked by ordinal ("第二个"), label ("公司那个"), city or district ("上海那个"), or a
new address typed in full. Pure: the caller passes the saved addresses in the order shown."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

from assistant.invoices import changes_invoice_not_address
from assistant.typed_answers import choice_index
from shop.domain.addresses import TypedAddress, parse_address

SAVED_PREFIX = "saved:"
TYPED_PREFIX = "typed:"


@dataclass(frozen=True)
class AddressMeant:
    saved_id: Optional[int] = None
    typed: Optional[TypedAddress] = None

    def slot_value(self) -> str:
        """The address as kept in the conversation until the shopper confirms it."""
        if self.saved_id is not None:
            return f"{SAVED_PREFIX}{self.saved_id}"
        t = self.typed
        parts = (t.province, t.city, t.district, t.detail)
        if t.recipient or t.phone:
            parts += (t.recipient or "", t.phone or "")
        return TYPED_PREFIX + "|".join(parts)


def from_slot(value: Optional[str]) -> Optional[AddressMeant]:
    """The address a slot value names, or None (also for anything malformed)."""
    if not isinstance(value, str):
        return None
    if value.startswith(SAVED_PREFIX) and value[len(SAVED_PREFIX):].isdigit():
        return AddressMeant(saved_id=int(value[len(SAVED_PREFIX):]))
    if value.startswith(TYPED_PREFIX):
        parts = value[len(TYPED_PREFIX):].split("|")
        if len(parts) == 4 and all(parts[1:]):
            return AddressMeant(typed=TypedAddress(*parts))
        if len(parts) == 6 and all(parts[1:4]) and (parts[4] or parts[5]):
            # with the recipient and mobile pasted beside it
            return AddressMeant(typed=TypedAddress(*parts[:4], recipient=parts[4] or None, phone=parts[5] or None))
    return None


def describe(address) -> str:
    """What a saved address is called in the list (and matched against): label, recipient,
    where."""
    label = f"{address.label} · " if address.label else ""
    return f"{label}{address.recipient} {address.one_line}"


def address_meant(text: str, saved: Sequence) -> Optional[AddressMeant]:
    """The address a typed answer picks: a full new address first (it may share words with a
    saved one), else one of ``saved`` by ordinal, label, city or district; None otherwise."""
    typed = parse_address(text)
    if typed is not None:
        return AddressMeant(typed=typed)
    # A label is often one character ("家"), too short for matching words: looked for whole.
    labelled = [a for a in saved if a.label and a.label in text]
    if len(labelled) == 1:
        return AddressMeant(saved_id=labelled[0].id)
    options = [f"{a.label or ''} {a.city.rstrip('市')} {a.district} {a.detail} {a.recipient}" for a in saved]
    picked = choice_index(text, options)
    return AddressMeant(saved_id=saved[picked].id) if picked is not None else None


# "订单X改到公司地址", "地址改成家里那个": a change request that names where to, after the verb.
# The target must read as a place (地址 before or in it, a usual label, or an address typed in
# full), so "改成换货" or "改成L码" is no address change.
CHANGED_TO = re.compile(r"(?:改到|改成|改为|换到|换成)\s*(?P<target>[^，,。？?！!]+)")
PLACE_WORDS = re.compile(r"地址|家|公司|单位|学校|宿舍")


def address_wished(text: str) -> Optional[str]:
    """The words of the address a change request names ("公司地址" of "订单X改到公司地址"), or
    None when it names none (then the form asks "改到哪个地址？")."""
    found = CHANGED_TO.search(text or "")
    if found is None or changes_invoice_not_address(text):
        return None
    target = found.group("target").strip()
    # "收货地址改成天津那个": the address said before the verb makes any target a place.
    if PLACE_WORDS.search(target) or "地址" in (text or "")[:found.start()] or parse_address(target) is not None:
        return target
    return None
