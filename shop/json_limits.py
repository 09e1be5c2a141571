"""Limits on JSON from outside (channel metadata, action calls).

Python's json module parses a thousand levels of nesting and recursive code downstream
(deep copies, serialisers, schema checks) then fails with RecursionError: a 500 instead of
a clean refusal. Callers check depth right after parsing, without recursion themselves.
"""
from __future__ import annotations

import json
from itertools import compress, repeat
from typing import Any

_CONTAINERS = (dict, list)


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """True when ``value`` nests dicts/lists deeper than ``limit`` levels.

    Walks one level at a time and steps only into containers: the leaves (most of a JSON
    document) are skipped by C-level ``compress``/``isinstance`` instead of one Python step
    each. The action server checks every call's tracker, which grows with the session, so
    a step per leaf made this check a cost in proportion to the session's length
    (bench/TURN_COST.md)."""
    level = [value] if isinstance(value, _CONTAINERS) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below: list = []
        for item in level:
            children = item.values() if isinstance(item, dict) else item
            below.extend(compress(children, map(isinstance, children, repeat(_CONTAINERS))))
        level = below
    return False


def parse_json(raw: Any, **options: Any) -> Any:
    """``json.loads`` (with its ``options``) for a body from outside, with JSON nested past the
    json module's own recursion limit refused as the ``ValueError`` any other bad JSON raises:
    the ``RecursionError`` it raises instead is no ``ValueError``, so callers that answer a bad
    body with a 400 answered that one with a 500. Every reader of outside JSON parses through
    this (the channels' ``strict_json_loads``, the action server, the analytics consumers, the
    console, the demo shop)."""
    try:
        return json.loads(raw, **options)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
