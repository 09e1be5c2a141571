"""Masking of personal data for display (phones like 138****1234, names like 张**), and the
limit on guest order look-ups."""
from __future__ import annotations

from datetime import timedelta

# A guest proves an order with the last 4 digits of its phone: 10,000 possibilities. After
# this many failed tries on one order number within the window, that number cannot be
# looked up as a guest until the window has passed (signing in still works). Counted across
# conversations, so a new chat does not reset it; unknown numbers count the same as wrong
# digits, so the lock says nothing about whether an order exists.
GUEST_LOOKUP_MAX_FAILURES = 5
GUEST_LOOKUP_WINDOW = timedelta(hours=1)
# One client (its address, however many conversations it opens) may fail this many guest
# look-ups within the window, over every order number: trying number after number from fresh
# chats, each under its number's own limit, stops here. Generous because of carrier NAT (many
# shoppers behind one address, each allowed a few typos); only failures count.
GUEST_LOOKUP_MAX_CLIENT_FAILURES = 20
# Behind a proxy the Rasa server is not told to trust (SANIC_PROXIES_COUNT unset), every
# client has the proxy's address; the channels then tell clients apart by the forwarding
# headers they cannot verify (shop_channels.identity), each with the allowance above, and
# one address may fail at most this many times that allowance together: one guest's typos
# (or one attacker's guesses) no longer lock every guest behind the proxy out, and forged
# headers buy a bounded allowance, never an endless one.
GUEST_LOOKUP_CLIENTS_PER_ADDRESS = 10
# Within one conversation a guest gets this many wrong digits before the look-up stops there
# (the limits above hold across conversations).
GUEST_LOOKUP_MAX_CONVERSATION_FAILURES = 3


def mask_phone(phone: str | None) -> str:
    """Keep the first 3 and last 4 digits: 13812341234 -> 138****1234."""
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str | None) -> str:
    """Keep the first character: 张三丰 -> 张**, 欧阳娜娜 -> 欧***."""
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_address(detail: str | None) -> str:
    """Hide the street-level part of an address (shown to callers not signed in)."""
    if not detail:
        return ""
    return "******"
