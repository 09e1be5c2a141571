"""Experiments an operator defines in ``content/experiments.yml`` (``SHOP_EXPERIMENTS_PATH``).

The file is re-read when it changes (one ``stat`` per look-up), so starting, stopping,
ramping and excluding a variant need no deploy. A broken edit is logged and the last good
definition stays in force; an invalid experiment is dropped alone (logged), never guessed.

What a variant may change (its ``params``), each optional:
- ``strategy``: ``hybrid`` (the trained recommender), ``popularity`` (best sellers) or
  ``content`` (content similarity to the shopper's history only);
- ``cards``: how many cards a recommendation shows (1-10);
- ``offer``: an offer name from ``offers:`` — a coupon issued to the shopper when shown;
- ``cold_start``: ``segment`` — shoppers with no history start from their segment's best sellers.
An experiment may be limited to ``segments`` (codes from ``growth.segments``).
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

import yaml

from growth.assignment import in_ramp, pick_variant
from shop.settings import REPO_ROOT

logger = logging.getLogger(__name__)

DEFAULT_PATH = REPO_ROOT / "content" / "experiments.yml"
STRATEGIES = ("hybrid", "popularity", "content")
STATUSES = ("running", "stopped")
MAX_CARDS = 10


class ExperimentError(ValueError):
    """An experiment definition that cannot be used."""


@dataclass(frozen=True)
class Offer:
    name: str
    coupon_code: str
    title: str
    threshold_cents: int
    discount_cents: int
    valid_days: int
    message: str


@dataclass(frozen=True)
class Variant:
    name: str
    weight: float
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Experiment:
    name: str
    status: str
    variants: tuple[Variant, ...]
    ramp: float = 100.0
    excluded: frozenset[str] = frozenset()
    segments: frozenset[str] = frozenset()      # empty: everyone
    attribution_days: int = 7
    description: str = ""
    # The units per variant the experiment was planned for (growth.sample_size / the console's
    # planner); None: not planned. Only read by the console (progress), never by assignment.
    planned_units: Optional[int] = None

    @property
    def running(self) -> bool:
        return self.status == "running"

    def variant(self, name: str) -> Optional[Variant]:
        return next((v for v in self.variants if v.name == name), None)

    def assign(self, unit: str, segment: Optional[str] = None) -> Optional[Variant]:
        """The variant ``unit`` sees now; None when the experiment does not apply to it
        (stopped, outside the ramp or the targeted segments, or every variant excluded)."""
        if not self.running or (self.segments and segment not in self.segments):
            return None
        if not in_ramp(self.name, unit, self.ramp):
            return None
        live = [(v.name, v.weight) for v in self.variants if v.name not in self.excluded]
        chosen = pick_variant(self.name, unit, live)
        return self.variant(chosen) if chosen else None


@dataclass(frozen=True)
class Plan:
    experiments: tuple[Experiment, ...] = ()
    offers: Mapping[str, Offer] = field(default_factory=dict)

    def get(self, name: str) -> Optional[Experiment]:
        return next((e for e in self.experiments if e.name == name), None)


def _number(raw, name: str, low: float, high: float) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not low <= raw <= high:
        raise ExperimentError(f"{name} must be a number in [{low}, {high}], got {raw!r}")
    return float(raw)


def _offer(name: str, raw: Mapping) -> Offer:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("coupon_code"), str):
        raise ExperimentError(f"offer {name!r} needs a coupon_code")
    return Offer(
        name=name, coupon_code=raw["coupon_code"][:24], title=str(raw.get("title") or name)[:80],
        threshold_cents=round(_number(raw.get("threshold_yuan", 0), "threshold_yuan", 0, 1e6) * 100),
        discount_cents=round(_number(raw.get("discount_yuan"), "discount_yuan", 0.01, 1e5) * 100),
        valid_days=int(_number(raw.get("valid_days", 14), "valid_days", 1, 365)),
        message=str(raw.get("message") or ""),
    )


def _params(raw: Mapping, offers: Mapping[str, Offer]) -> dict:
    params: dict = {}
    if "strategy" in raw:
        if raw["strategy"] not in STRATEGIES:
            raise ExperimentError(f"strategy must be one of {STRATEGIES}, got {raw['strategy']!r}")
        params["strategy"] = raw["strategy"]
    if "cards" in raw:
        params["cards"] = int(_number(raw["cards"], "cards", 1, MAX_CARDS))
    if "offer" in raw:
        if raw["offer"] not in offers:
            raise ExperimentError(f"unknown offer {raw['offer']!r}")
        params["offer"] = raw["offer"]
    if "cold_start" in raw:
        if raw["cold_start"] != "segment":
            raise ExperimentError(f"cold_start must be 'segment', got {raw['cold_start']!r}")
        params["cold_start"] = "segment"
    return params


def parse_experiment(raw: Mapping, offers: Mapping[str, Offer]) -> Experiment:
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 64:
        raise ExperimentError(f"experiment name must be text of at most 64 characters, got {name!r}")
    status = raw.get("status", "stopped")
    if status not in STATUSES:
        raise ExperimentError(f"{name}: status must be one of {STATUSES}, got {status!r}")
    variants = []
    for entry in raw.get("variants") or []:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise ExperimentError(f"{name}: every variant needs a name")
        variants.append(Variant(entry["name"], _number(entry.get("weight", 1), "weight", 0.0, 1e6),
                                _params(entry, offers)))
    names = [v.name for v in variants]
    if len(variants) < 2 or len(set(names)) != len(names):
        raise ExperimentError(f"{name}: needs at least two variants with distinct names")
    excluded = frozenset(raw.get("excluded") or ())
    if not excluded <= set(names):
        raise ExperimentError(f"{name}: excluded names unknown variants {sorted(excluded - set(names))}")
    return Experiment(
        name=name, status=status, variants=tuple(variants),
        ramp=_number(raw.get("ramp", 100), "ramp", 0, 100), excluded=excluded,
        segments=frozenset(raw.get("segments") or ()),
        attribution_days=int(_number(raw.get("attribution_days", 7), "attribution_days", 1, 90)),
        description=str(raw.get("description") or ""),
        planned_units=_planned_units(name, raw.get("planned_units")),
    )


MAX_PLANNED_UNITS = 10_000_000


def _planned_units(name: str, raw) -> Optional[int]:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_PLANNED_UNITS:
        raise ExperimentError(f"{name}: planned_units must be a whole number of units per variant in "
                              f"[1, {MAX_PLANNED_UNITS}], got {raw!r}")
    return raw


def parse_plan(document: Mapping) -> Plan:
    """The whole file; an invalid experiment is logged and left out, the rest stand."""
    offers = {}
    for name, raw in (document.get("offers") or {}).items():
        try:
            offers[str(name)] = _offer(str(name), raw)
        except ExperimentError as error:
            logger.error("offer %r ignored: %s", name, error)
    experiments, seen = [], set()
    for raw in document.get("experiments") or []:
        try:
            experiment = parse_experiment(raw if isinstance(raw, Mapping) else {}, offers)
        except (ExperimentError, TypeError, ValueError) as error:
            logger.error("experiment ignored: %s", error)
            continue
        if experiment.name in seen:
            logger.error("experiment %r defined twice; the second is ignored", experiment.name)
            continue
        seen.add(experiment.name)
        experiments.append(experiment)
    return Plan(tuple(experiments), offers)


class ExperimentBook:
    """The experiment file, re-read when its mtime changes."""

    def __init__(self, path: Optional[Path] = None) -> None:
        self.path = Path(path or DEFAULT_PATH)
        self._lock = threading.Lock()
        self._stamp: Optional[tuple] = None
        self._plan = Plan()

    def plan(self) -> Plan:
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            return self._plan   # no file: no experiments (or the last good ones)
        with self._lock:
            if stamp != self._stamp:
                try:
                    with open(self.path, encoding="utf-8") as handle:
                        self._plan = parse_plan(yaml.safe_load(handle) or {})
                    self._stamp = stamp
                except (OSError, yaml.YAMLError, AttributeError) as error:
                    logger.error("could not read %s (%s); keeping the previous experiments", self.path, error)
            return self._plan


_default_book: Optional[ExperimentBook] = None


def experiments_path(env: Mapping[str, str]) -> Path:
    """``SHOP_EXPERIMENTS_PATH`` (default content/experiments.yml): read by the settings of
    the action server, which runs the experiments, and of the console, which edits them."""
    return Path((env.get("SHOP_EXPERIMENTS_PATH") or "").strip() or DEFAULT_PATH)


def use_experiments_file(path: Path) -> None:
    """The process's experiment file (from its settings, at start-up)."""
    global _default_book
    _default_book = ExperimentBook(path)


def experiment_book() -> ExperimentBook:
    global _default_book
    if _default_book is None:
        _default_book = ExperimentBook()
    return _default_book
