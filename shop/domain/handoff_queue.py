"""How long a shopper waiting for a human agent should expect to wait (pure rules)."""
from __future__ import annotations

import math

# An agent's average time per conversation, the basis of the rough wait a shopper is told.
MINUTES_PER_CONVERSATION = 4


def estimated_wait_minutes(position: int, agents_on_duty: int) -> int:
    """Rough wait for the shopper at ``position`` (1 = next) with this many agents signed in:
    the shoppers ahead share the agents; never less than a minute."""
    if position < 1:
        raise ValueError("position starts at 1")
    agents = max(1, agents_on_duty)
    return max(1, math.ceil(position * MINUTES_PER_CONVERSATION / agents))
