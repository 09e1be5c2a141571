"""Which variant a unit (a customer, or a guest's conversation) sees.

Weighted rendezvous hashing: every variant draws a score from a hash of (experiment salt,
unit, variant name), scaled by its weight, and the best score wins. Consequences, each
checked in tests/growth/test_growth_assignment.py:
- deterministic: the same unit always gets the same variant (no state, no table);
- weights respected: P(variant) = weight / sum of weights;
- stable: adding a variant moves units only *into* the new variant, and excluding one
  re-assigns only the units that had it — nobody else switches.
Ramp-up hashes the unit separately, so raising the ramp only adds units.
"""
from __future__ import annotations

import hashlib
import math
from typing import Optional, Sequence, Tuple

# 2**64: hash prefixes are read as 64-bit integers, then as a uniform number in (0, 1).
_SCALE = float(1 << 64)


def uniform(*parts: str) -> float:
    """A number in (0, 1), uniform and fixed for ``parts`` (SHA-256, not Python's hash())."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return (int.from_bytes(digest[:8], "big") + 0.5) / _SCALE


def in_ramp(salt: str, unit: str, ramp_percent: float) -> bool:
    """Whether ``unit`` is among the first ``ramp_percent`` % of units let into the experiment."""
    return uniform(salt, "ramp", unit) * 100.0 < ramp_percent


def pick_variant(salt: str, unit: str, variants: Sequence[Tuple[str, float]]) -> Optional[str]:
    """The variant name for ``unit`` among ``(name, weight)`` pairs (weights > 0); None if none."""
    best_name, best_score = None, math.inf
    for name, weight in variants:
        if weight <= 0:
            continue
        # -ln(U)/w is exponential with rate w: the minimum over variants is variant i with
        # probability w_i / sum(w), and each unit's draw for a variant never depends on the others.
        score = -math.log(uniform(salt, unit, name)) / weight
        if score < best_score:
            best_name, best_score = name, score
    return best_name


def unit_for(customer_id: Optional[int], sender_id: str) -> str:
    """Signed-in shoppers are assigned by customer (same variant on every device and chat);
    guests by conversation."""
    return f"c:{customer_id}" if customer_id is not None else f"s:{sender_id}"
