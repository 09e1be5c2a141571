"""One seeding run: generate every table inside a single transaction, then record it.

All or nothing: a failure part-way rolls the whole run back and leaves the database empty.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Optional

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection, Engine

from shop.db import models as m
from shop.domain.clock import CHINA_TZ, require_aware
from shop.seed.behaviour import InteractionLog, browser
from shop.seed.catalogue import generate_catalogue
from shop.seed.orders import HISTORY_DAYS, generate_orders
from shop.seed.people import generate_customers, issue_coupons
from shop.seed.profiles import get_profile
from shop.seed.services import generate_services, services_missing
from shop.seed.writer import BulkWriter

# Tables big enough that building their indexes after loading pays off.
BULK_TABLES = ("interactions", "logistics_events", "order_status_history", "order_items", "orders",
               "product_search_terms", "product_facets", "skus", "products", "shipments", "after_sales_requests",
               "after_sales_history", "customer_addresses", "customer_coupons")


class SeedError(RuntimeError):
    pass


@dataclass(frozen=True)
class SeedReport:
    profile: str
    seed: int
    anchor: datetime
    seconds: float
    row_counts: dict

    def summary(self) -> str:
        rows = ", ".join(f"{name} {count:,}" for name, count in sorted(self.row_counts.items()))
        return (f"seeded profile {self.profile!r} with seed {self.seed} around {self.anchor.isoformat()} "
                f"in {self.seconds:.1f}s: {rows}")


def default_anchor(now: Optional[datetime] = None) -> datetime:
    """Midnight China time of today: seeds run on the same day are identical."""
    today = (now or datetime.now(timezone.utc)).astimezone(CHINA_TZ).date()
    return anchor_for_day(today)


def anchor_for_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA_TZ)


def database_is_empty(connection: Connection) -> bool:
    return not any(connection.execute(select(func.count()).select_from(table)).scalar_one()
                   for table in (m.Customer.__table__, m.Product.__table__, m.Category.__table__))


def _bulk_indexes():
    return [index for name in BULK_TABLES for index in m.Base.metadata.tables[name].indexes]


def _prepare_sqlite(connection: Connection, fast: bool) -> None:
    # Before BEGIN: these pragmas are no-ops inside a transaction.
    cursor = connection.connection.cursor()
    try:
        if fast:
            cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute("PRAGMA cache_size=-262144")   # 256 MiB page cache for the load
        cursor.execute("PRAGMA temp_store=MEMORY")
    finally:
        cursor.close()


def _fast_postgres(connection: Connection) -> None:
    """Skip per-row foreign-key triggers while loading generated (consistent) data — only
    possible for a superuser; otherwise loads run with the checks, just slower."""
    is_super = connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar()
    if is_super:
        connection.execute(text("SET LOCAL session_replication_role = replica"))


def _reset_sequences(connection: Connection) -> None:
    """Ids were given explicitly; move each serial sequence past the largest one."""
    preparer = connection.dialect.identifier_preparer
    for table in m.Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or pk[0].name != "id":
            continue
        # Identifiers come from the models, never from input.
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence(:table, 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {preparer.format_table(table)}), 0) + 1, false)"
        ), {"table": table.name})


def seed_database(engine: Engine, profile_name: str = "default", seed: int = 42,
                  anchor: Optional[datetime] = None, progress: bool = False) -> SeedReport:
    """Fill an empty, migrated database. Raises ``SeedError`` if it already has data."""
    profile = get_profile(profile_name)
    anchor_dt = require_aware(anchor, "anchor") if anchor is not None else default_anchor()
    anchor_ts = int(anchor_dt.timestamp())
    started = time.perf_counter()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(desc=f"seeding {profile.name}", unit=" rows", unit_scale=True, mininterval=1.0)

    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _prepare_sqlite(connection, profile.fast_load)
        try:
            with connection.begin():
                if not database_is_empty(connection):
                    raise SeedError("the database already has data; seed only an empty database "
                                    "(python -m shop.seed --reset empties it)")
                if not sqlite and profile.fast_load:
                    _fast_postgres(connection)
                writer = BulkWriter(connection, progress=(lambda _t, n: bar.update(n)) if bar is not None else None)
                indexes = _bulk_indexes()
                for index in indexes:
                    index.drop(connection)
                catalogue = generate_catalogue(seed, profile, writer, anchor_ts)
                generate_services(writer)
                shoppers = generate_customers(seed, profile.customers, catalogue, writer, anchor_ts)
                issue_coupons(seed, shoppers, writer, anchor_ts)
                log = InteractionLog()
                browse = browser(catalogue, log, anchor_ts, profile.browse_sessions_per_order, HISTORY_DAYS)
                generate_orders(seed, profile, catalogue, shoppers, writer, anchor_ts, log, browse)
                log.write(writer, anchor_ts)
                if bar is not None:
                    bar.set_description("building indexes")
                for index in indexes:
                    index.create(connection)
                if not sqlite:
                    _reset_sequences(connection)
                connection.execute(text("ANALYZE"))
                seconds = time.perf_counter() - started
                counts = dict(sorted(writer.counts.items()))
                connection.execute(m.SeedRun.__table__.insert().values(
                    profile=profile.name, seed=seed, anchor_at=anchor_dt,
                    finished_at=datetime.now(timezone.utc), seconds=round(seconds, 3), row_counts=counts,
                ))
        finally:
            if bar is not None:
                bar.close()
            if sqlite:
                # Hand the connection back as the engine configured it.
                cursor = connection.connection.cursor()
                try:
                    cursor.execute("PRAGMA foreign_keys=ON")
                finally:
                    cursor.close()
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    elif profile.fast_load:
        # Freshly loaded pages are not yet marked all-visible, so index-only scans would
        # still visit the heap; VACUUM sets the visibility map (it cannot run in a transaction).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE)")
    return SeedReport(profile.name, seed, anchor_dt, seconds, counts)


def top_up_services(engine: Engine) -> bool:
    """Seed the service points and installation fees into a database seeded before they
    existed (migration 0005); True when it wrote them. A database without a seed run (a real
    shop's) is never touched: its service data is its own."""
    with engine.begin() as connection:
        if latest_seed_run(connection) is None or not services_missing(connection):
            return False
        generate_services(BulkWriter(connection))
        if connection.dialect.name != "sqlite":
            _reset_sequences(connection)
    return True


def latest_seed_run(connection: Connection) -> Optional[m.SeedRun]:
    row = connection.execute(
        select(m.SeedRun.profile, m.SeedRun.seed, m.SeedRun.anchor_at, m.SeedRun.seconds)
        .order_by(m.SeedRun.id.desc()).limit(1)
    ).first()
    return row
