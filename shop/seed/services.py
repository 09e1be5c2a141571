"""Service points in every city the seeded customers live in, and installation fees by
category (``shop.seed.vocabulary``: INSTALLATION_TERMS, SERVICE_POINT_KINDS, CITIES).

Reference data, the same for every seed and profile: street numbers and phone numbers come
from a random stream keyed by the city, so a re-seed gives the same points. Categories are
looked up by name in the database, so this also tops up a database seeded before the
service tables existed (``shop.db.bootstrap``).
"""
from __future__ import annotations

import random

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from shop.db import models as m
from shop.seed.vocabulary import (
    AREA_CODES, CITIES, INSTALLATION_TERMS, SERVICE_BUILDINGS, SERVICE_POINT_BRAND, SERVICE_POINT_KINDS,
    SPLIT_SERVICE_CITIES, STREETS,
)
from shop.seed.writer import BulkWriter

SERVICE_TABLES = ("service_points", "service_point_categories", "installation_fees")


def services_missing(connection: Connection) -> bool:
    """True when the service tables are empty (a database seeded before they existed)."""
    return not any(connection.execute(select(func.count()).select_from(m.Base.metadata.tables[name])).scalar_one()
                   for name in SERVICE_TABLES)


def _short_district(district: str) -> str:
    """浦东新区 -> 浦东, 海淀区 -> 海淀, 工业园区 -> 工业园 (how the points are called)."""
    for suffix in ("新区", "区"):
        if district.endswith(suffix) and len(district) - len(suffix) >= 2:
            return district[: -len(suffix)]
    return district


def _point_rows(category_ids: dict[str, int]) -> tuple[list[tuple], list[tuple]]:
    points, skills = [], []
    for province, city, districts in CITIES:
        rng = random.Random(f"service-points:{city}")
        short = city.removesuffix("市")
        kinds = ("数码维修中心", "家电服务站") if city in SPLIT_SERVICE_CITIES else ("综合售后服务中心",)
        for index, kind in enumerate(kinds):
            categories, hours = SERVICE_POINT_KINDS[kind]
            district = districts[index % len(districts)]
            street = rng.choice(STREETS)
            address = f"{street}{rng.randint(1, 399)}号{rng.choice(SERVICE_BUILDINGS)}{rng.randint(1, 3)}楼"
            phone = f"{AREA_CODES[city]}-{rng.randint(50_000_000, 89_999_999)}"
            point_id = len(points) + 1
            points.append((point_id, f"{SERVICE_POINT_BRAND}{kind}（{short}{_short_district(district)}）",
                           province, city, district, address, phone, hours))
            skills.extend((point_id, category_ids[name]) for name in categories)
    return points, skills


def generate_services(writer: BulkWriter) -> None:
    """Write the service points and installation fees (the catalogue must be written first)."""
    category_ids = dict(writer.connection.execute(select(m.Category.name, m.Category.id)).all())
    points, skills = _point_rows(category_ids)
    writer.insert(m.ServicePoint.__table__, ("id", "name", "province", "city", "district", "address", "phone",
                                             "opening_hours"), points)
    writer.insert(m.ServicePointCategory.__table__, ("service_point_id", "category_id"), skills)
    fees = [(index, category_ids[name], yuan * 100, included, extra)
            for index, (name, yuan, included, extra) in enumerate(INSTALLATION_TERMS, start=1)]
    writer.insert(m.InstallationFee.__table__, ("id", "category_id", "fee_cents", "included", "extra_charges"), fees)
