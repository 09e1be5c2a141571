"""Simulated shoppers driving real conversations through the REST API.

Each simulated shopper is a seeded customer: it signs in on the shop site (demo sign-in),
asks the assistant for recommendations over Rasa's REST channel, and for every card decides
to press 我要买 (click, recorded on the shop site) and then to buy (order + simulated payment)
with probabilities that depend on whether the card *matches the shopper's held-out taste*:
the leaf categories the seed generated the customer's behaviour from (``customers.preferences``,
never shown to the recommender — it only sees the behaviour). A recommender that learned the
tastes shows more matching cards, so it earns more clicks and orders; one that did not, fewer.

Bounded: ``max_seconds`` and ``max_requests`` stop the run (checked before every request).
``python -m growth.simulator --rasa URL --site URL --shoppers 200`` prints what it did.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import requests

from shop.db.catalogue import product_category_ids
from shop.db.customers import seeded_tastes
from shop.db.engine import make_engine, session_scope

ASKS = ("给我推荐几款商品吧", "有什么好东西推荐吗", "帮我推荐点东西")


@dataclass(frozen=True)
class Behaviour:
    click_if_match: float = 0.30
    click_otherwise: float = 0.04
    buy_after_click_if_match: float = 0.5
    buy_after_click_otherwise: float = 0.25


@dataclass
class SimulationResult:
    shoppers: int = 0
    requests: int = 0
    cards: int = 0
    matching_cards: int = 0
    clicks: int = 0
    orders: int = 0
    seconds: float = 0.0
    stopped_by: Optional[str] = None
    errors: List[str] = field(default_factory=list)


class Budget(Exception):
    pass


@dataclass(frozen=True)
class Shopper:
    customer_id: int
    tastes: frozenset       # leaf category ids


def load_shoppers(engine, limit: int, offset: int = 0) -> List[Shopper]:
    with session_scope(engine) as session:
        return [Shopper(cid, tastes) for cid, tastes in seeded_tastes(session, limit, offset)]


def product_categories(engine, ids) -> Dict[int, int]:
    with session_scope(engine) as session:
        return product_category_ids(session, list(ids))


class Simulator:
    def __init__(self, rasa_url: str, site_url: str, engine, behaviour: Behaviour = Behaviour(),
                 seed: int = 0, max_seconds: float = 120.0, max_requests: int = 2000,
                 turns_per_shopper: int = 1, sender_prefix: str = "sim") -> None:
        self.rasa, self.site, self.engine = rasa_url.rstrip("/"), site_url.rstrip("/"), engine
        self.behaviour, self.rng = behaviour, random.Random(seed)
        self.max_seconds, self.max_requests = max_seconds, max_requests
        self.turns = turns_per_shopper
        self.prefix = sender_prefix
        self.http = requests.Session()
        self.result = SimulationResult()
        self._deadline = 0.0
        self._categories: Dict[int, int] = {}

    def _request(self, method: str, url: str, **kwargs) -> requests.Response:
        if self.result.requests >= self.max_requests:
            raise Budget("requests")
        if time.monotonic() >= self._deadline:
            raise Budget("time")
        self.result.requests += 1
        return self.http.request(method, url, timeout=30, **kwargs)

    def run(self, shoppers: List[Shopper]) -> SimulationResult:
        started = time.monotonic()
        self._deadline = started + self.max_seconds
        try:
            for shopper in shoppers:
                self._visit(shopper)
                self.result.shoppers += 1
        except Budget as stop:
            self.result.stopped_by = str(stop)
        finally:
            self.result.seconds = time.monotonic() - started
        return self.result

    def _visit(self, shopper: Shopper) -> None:
        login = self._request("POST", f"{self.site}/api/demo/login", json={"customer_id": shopper.customer_id})
        login.raise_for_status()
        token = login.json()["token"]
        sender = f"{self.prefix}-{shopper.customer_id}"
        for turn in range(self.turns):
            ask = ASKS[turn % len(ASKS)] if turn else ASKS[0]
            reply = self._request("POST", f"{self.rasa}/webhooks/rest/webhook",
                                  json={"sender": sender, "message": ask, "metadata": {"customer_token": token}})
            reply.raise_for_status()
            for message in reply.json():
                custom = message.get("custom") or {}
                if custom.get("type") == "product_cards":
                    self._look_at(shopper, token, custom)

    def _look_at(self, shopper: Shopper, token: str, custom: dict) -> None:
        cards = custom.get("products") or []
        exposures = custom.get("exposure_ids") or []
        ids = [int(c["id"]) for c in cards]
        missing = [i for i in ids if i not in self._categories]
        if missing:
            self._categories.update(product_categories(self.engine, missing))
        auth = {"Authorization": f"Bearer {token}"}
        b = self.behaviour
        for pid in ids:
            match = self._categories.get(pid) in shopper.tastes
            self.result.cards += 1
            self.result.matching_cards += match
            if self.rng.random() >= (b.click_if_match if match else b.click_otherwise):
                continue
            self._request("POST", f"{self.site}/api/recommendation-clicks", headers=auth,
                          json={"product_id": pid, "exposure_ids": exposures}).raise_for_status()
            self.result.clicks += 1
            if self.rng.random() >= (b.buy_after_click_if_match if match else b.buy_after_click_otherwise):
                continue
            placed = self._request("POST", f"{self.site}/api/orders", headers=auth, json={"items": [
                {"product_id": pid, "quantity": 1, "exposure_ids": exposures}]})
            if placed.status_code == 409:       # sold out meanwhile: a real shopper gives up too
                continue
            placed.raise_for_status()
            self._request("POST", f"{self.site}/api/orders/{placed.json()['order_no']}/pay",
                          headers=auth).raise_for_status()
            self.result.orders += 1


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Simulated shoppers talking to a running assistant.")
    parser.add_argument("--rasa", default="http://127.0.0.1:5005")
    parser.add_argument("--site", default="http://127.0.0.1:8000")
    parser.add_argument("--shoppers", type=int, default=100)
    parser.add_argument("--offset", type=int, default=0, help="skip this many customers (by id)")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--max-requests", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    engine = make_engine()
    try:
        sim = Simulator(args.rasa, args.site, engine, seed=args.seed, max_seconds=args.seconds,
                        max_requests=args.max_requests)
        result = sim.run(load_shoppers(engine, args.shoppers, args.offset))
    finally:
        engine.dispose()
    print(json.dumps(result.__dict__, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
