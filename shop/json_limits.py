"""Limits on JSON from outside (channel metadata, action calls).

Python's json module parses a thousand levels of nesting and recursive code downstream
(deep copies, serialisers, schema checks) then fails with RecursionError: a 500 instead of
a clean refusal. Callers check depth right after parsing, without recursion themselves.
"""
from __future__ import annotations

from typing import Any


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """True when ``value`` nests dicts/lists deeper than ``limit`` levels."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
