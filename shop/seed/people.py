"""Customers with addresses and the latent tastes their behaviour is generated from."""
from __future__ import annotations

import random
from dataclasses import dataclass

from shop.db import models as m
from shop.seed.catalogue import PRICE_LEVELS, Catalogue
from shop.seed.fixtures import FIXTURE_ADDRESSES, FIXTURE_CUSTOMERS, FIXTURE_HOME_LABEL
from shop.seed.vocabulary import (
    CITIES, CITY_WEIGHTS, COMMUNITIES, EMAIL_DOMAINS, GIVEN_CHARS, MEMBER_LEVELS, PHONE_PREFIXES, STREETS,
    SURNAME_WEIGHTS, SURNAMES,
)
from shop.seed.writer import BulkWriter

DAY = 86_400


@dataclass
class Shopper:
    """What the order generator needs about a customer."""

    id: int
    name: str
    phone: str
    province: str
    city: str
    district: str
    address: str
    registered_at: int
    leaves: list[int]          # indexes of preferred leaf categories (strongest first)
    brands: list[int]
    price_level: str


def phone_number(customer_id: int, rng: random.Random) -> str:
    """Unique per id: the 8-digit tail is a bijection of the id, the prefix is random."""
    tail = (customer_id * 48_271 + 12_345_678) % 100_000_000
    return f"{rng.choice(PHONE_PREFIXES)}{tail:08d}"


def chinese_name(rng: random.Random) -> str:
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    return surname + "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))


def street_address(rng: random.Random) -> str:
    return (f"{rng.choice(STREETS)}{rng.randint(1, 999)}号{rng.choice(COMMUNITIES)}"
            f"{rng.randint(1, 30)}幢{rng.randint(1, 4)}单元{rng.randint(1, 33)}{rng.randint(1, 4):02d}室")


def generate_customers(seed: int, count: int, catalogue: Catalogue, writer: BulkWriter, anchor: int) -> list[Shopper]:
    rng = random.Random(f"{seed}:customers")
    levels, level_weights = zip(*MEMBER_LEVELS)
    shoppers, customer_rows, address_rows = [], [], []
    address_id = 0
    for customer_id in range(1, count + 1):
        name = chinese_name(rng)
        name = FIXTURE_CUSTOMERS.get(customer_id, name)
        phone = phone_number(customer_id, rng)
        province, city, districts = rng.choices(CITIES, weights=CITY_WEIGHTS)[0]
        district = rng.choice(districts)
        address = street_address(rng)
        registered = anchor - rng.randint(60, 2_500) * DAY - rng.randint(0, DAY)
        # Tastes: two or three favourite leaf categories and a brand or two within them.
        favourite_leaves = []
        while len(favourite_leaves) < rng.choice((2, 3, 3)):
            leaf = catalogue.sample_leaf(rng)
            index = catalogue.leaves.index(leaf)
            if index not in favourite_leaves:
                favourite_leaves.append(index)
        brands = []
        for index in favourite_leaves[:2]:
            brands.append(rng.choice(sorted(catalogue.leaves[index].by_brand)))
        price_level = rng.choices(PRICE_LEVELS, weights=(35, 45, 20))[0]
        preferences = {
            "categories": [catalogue.leaves[i].category_id for i in favourite_leaves],
            "brands": brands, "price_level": price_level,
        }
        email = f"{customer_id}{rng.randint(100, 999)}@{rng.choice(EMAIL_DOMAINS)}" if rng.random() < 0.4 else None
        customer_rows.append((customer_id, name, phone, email, rng.choice(("男", "女")),
                              rng.choices(levels, weights=level_weights)[0], city, registered, preferences))
        address_id += 1
        home_label = FIXTURE_HOME_LABEL if customer_id in FIXTURE_ADDRESSES else None
        address_rows.append((address_id, customer_id, name, phone, province, city, district, address, True,
                             home_label))
        if rng.random() < 0.3:
            other_province, other_city, other_districts = rng.choices(CITIES, weights=CITY_WEIGHTS)[0]
            address_id += 1
            address_rows.append((address_id, customer_id, chinese_name(rng), phone_number(count + address_id, rng),
                                 other_province, other_city, rng.choice(other_districts), street_address(rng), False,
                                 None))
        # Fixture addresses take no random draws, so every other generated row stays the same.
        for label, fixed_province, fixed_city, fixed_district, detail in FIXTURE_ADDRESSES.get(customer_id, ()):
            address_id += 1
            address_rows.append((address_id, customer_id, name, phone, fixed_province, fixed_city, fixed_district,
                                 detail, False, label))
        shoppers.append(Shopper(customer_id, name, phone, province, city, district, address, registered,
                                favourite_leaves, brands, price_level))
    writer.insert(m.Customer.__table__, ("id", "name", "phone", "email", "gender", "member_level", "city",
                                         "registered_at", "preferences"), customer_rows)
    writer.insert(m.CustomerAddress.__table__, ("id", "customer_id", "recipient", "phone", "province", "city",
                                                "district", "detail", "is_default", "label"), address_rows)
    return shoppers


def issue_coupons(seed: int, shoppers: list[Shopper], writer: BulkWriter, anchor: int) -> None:
    """Give each customer a few of the shop's coupons, some used, some expired."""
    from shop.seed.vocabulary import COUPON_TEMPLATES

    rng = random.Random(f"{seed}:coupons")
    rows = []
    for shopper in shoppers:
        for coupon_id in sorted(rng.sample(range(1, len(COUPON_TEMPLATES) + 1), rng.randint(0, 3))):
            received = anchor - rng.randint(1, 50) * DAY
            status = rng.choices(("unused", "used", "expired"), weights=(60, 30, 10))[0]
            used = received + rng.randint(1, 5) * DAY if status == "used" else None
            if used is not None and used > anchor:
                status, used = "unused", None
            rows.append((len(rows) + 1, shopper.id, coupon_id, status, received, used))
    writer.insert(m.CustomerCoupon.__table__, ("id", "customer_id", "coupon_id", "status", "received_at", "used_at"), rows)
