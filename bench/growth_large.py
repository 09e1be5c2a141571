"""Segments on the large profile: 100k customers, 1M orders — is ``python -m growth.segments``
within 60 s, and what does the cheapest fair alternative cost?

    python bench/growth_bench.py large [--backend sqlite|postgresql|both] [--database-url URL]
                                       [--customers 100000] [--orders 1000000] [--reseeds 3]

Builds a synthetic shop of only what segments read (customers, orders; realistic column
widths, the models' indexes) with the seed's bulk writer (``executemany`` on SQLite, ``COPY``
on PostgreSQL) in a temporary SQLite file and/or a PostgreSQL database of its own
(``growth_large_<pid>`` on ``--postgres-admin-url``, dropped afterwards). Then, on each:

1. the command end to end, as an operator runs it: ``python -m growth.segments`` in a fresh
   process (interpreter start, imports, the RFM GROUP BY in the database, K-means, replacing
   the segment table, the sizes and a sampled silhouette) — wall-clock seconds;
2. the same stages in process, timed one by one (read / K-means / store);
3. the baseline: export the paid orders' rows (customer, paid at, payable) and compute the
   same RFM with a pandas groupby — the cheapest setup without aggregation in the database —
   checked to agree with the database's RFM;
4. stability: adjusted Rand index of K-means reseeds against seed 0.

Shopper behaviour: sign-ups spread over three years; 15 % never pay; order counts from a
gamma-Poisson mixture (a few very frequent buyers); 30 % stopped buying 3-24 months ago;
order values log-normal; 7 % of orders never paid. Only the sizes matter for the time, the
shape for the silhouette.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DAY = 86_400
PROVINCES = ("广东省", "浙江省", "江苏省", "北京市", "上海市", "四川省", "湖北省", "山东省")


def customer_rows(rng, n: int, now_ts: int):
    registered = (now_ts - rng.uniform(2, 3 * 365, n) * DAY).astype(np.int64)
    rows = [(i + 1, f"顾客{i + 1:06d}", f"1{39_000_000_000 + i + 1}", "普通会员", PROVINCES[i % 8][:2] + "市",
             int(registered[i])) for i in range(n)]
    return rows, registered


def order_rows(rng, registered: np.ndarray, n_orders: int, now_ts: int):
    n = len(registered)
    activity = rng.gamma(0.7, 1.0, n) * (rng.random(n) >= 0.15)
    counts = rng.multinomial(n_orders, activity / activity.sum())
    stopped = rng.random(n) < 0.30
    end = np.where(stopped, now_ts - rng.uniform(90, 730, n) * DAY, now_ts - DAY).astype(np.int64)
    end = np.maximum(end, registered + DAY)
    owner = np.repeat(np.arange(n), counts)
    created = registered[owner] + (rng.random(n_orders) * (end[owner] - registered[owner])).astype(np.int64)
    order = np.argsort(created, kind="stable")
    owner, created = owner[order], created[order]
    goods = np.round(rng.lognormal(np.log(12_000), 0.9, n_orders)).astype(np.int64) + 100
    paid = rng.random(n_orders) >= 0.07
    for i in range(n_orders):
        c, t, g = int(owner[i]) + 1, int(created[i]), int(goods[i])
        p = bool(paid[i])
        province = PROVINCES[c % 8]
        yield (i + 1, f"SO{i + 1:012d}", c, "completed" if p else "cancelled", "paid" if p else "unpaid",
               "支付宝" if p else None, g, 0, 0, g, 0, f"顾客{c:06d}", f"1{39_000_000_000 + c}", province,
               province[:2] + "市", "南山区", f"科技园路{c % 997}号 {c % 31}栋{c % 19}0{c % 7}室",
               t, t + 300 if p else None, t + 60_000 if p else None, t + 300_000 if p else t + 1_800)


ORDER_COLUMNS = ("id", "order_no", "customer_id", "status", "payment_status", "payment_method", "goods_cents",
                 "discount_cents", "shipping_fee_cents", "payable_cents", "refunded_cents", "recipient_name",
                 "recipient_phone", "province", "city", "district", "address_detail", "created_at", "paid_at",
                 "completed_at", "updated_at")
CUSTOMER_COLUMNS = ("id", "name", "phone", "member_level", "city", "registered_at")


def build(url: str, customers: int, orders: int, seed: int) -> float:
    from shop.db import models as m
    from shop.db.engine import make_engine
    from shop.db.migrate import upgrade_to_head
    from shop.seed.writer import BulkWriter

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    now_ts = int(time.time())
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
        with engine.connect() as connection:
            with connection.begin():
                writer = BulkWriter(connection)
                rows, registered = customer_rows(rng, customers, now_ts)
                writer.insert(m.Customer.__table__, CUSTOMER_COLUMNS, rows)
                writer.insert(m.Order.__table__, ORDER_COLUMNS, order_rows(rng, registered, orders, now_ts))
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SELECT setval(pg_get_serial_sequence('orders', 'id'), "
                                           f"{orders + 1}, false)")
                connection.commit()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
    finally:
        engine.dispose()
    return time.perf_counter() - started


def time_command(url: str) -> tuple[float, str]:
    env = dict(os.environ, SHOP_DATABASE_URL=url)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "growth.segments"], cwd=REPO, env=env, check=True,
                          capture_output=True, text=True)
    return time.perf_counter() - started, done.stdout.strip()


def pandas_baseline(url: str, now: datetime) -> tuple[float, float, object]:
    """(export s, groupby s, RFM frame indexed by customer) from the exported rows."""
    import pandas as pd

    from shop.db.engine import make_engine

    engine = make_engine(url)
    try:
        t0 = time.perf_counter()
        with engine.connect() as connection:
            cursor = connection.connection.cursor()
            cursor.execute("SELECT customer_id, paid_at, payable_cents FROM orders WHERE paid_at IS NOT NULL")
            frame = pd.DataFrame(cursor.fetchall(), columns=["customer_id", "paid_at", "payable_cents"])
            cursor.execute("SELECT id, registered_at FROM customers")
            people = pd.DataFrame(cursor.fetchall(), columns=["customer_id", "registered_at"])
            cursor.close()
        t1 = time.perf_counter()
        frame["paid_at"] = pd.to_datetime(frame["paid_at"])
        frame = frame[frame["paid_at"] <= pd.Timestamp(now.astimezone(timezone.utc).replace(tzinfo=None))]
        rfm = frame.groupby("customer_id").agg(last=("paid_at", "max"), n=("paid_at", "size"),
                                               total=("payable_cents", "sum"))
        rfm = people.set_index("customer_id").join(rfm, how="left")
        rfm["n"] = rfm["n"].fillna(0).astype(int)
        rfm["total"] = rfm["total"].fillna(0).astype(int)
        t2 = time.perf_counter()
    finally:
        engine.dispose()
    return t1 - t0, t2 - t1, rfm


def timed_segmentation(url: str, clusters: int):
    """Segment every customer of the database at ``url`` in this process, the steps of
    ``python -m growth.segments`` timed apart: (RFM rows, segmentation, its 'now', seconds to read
    the RFM in the database, to cluster, to replace the segment table)."""
    from growth.segments import segment
    from shop.db.engine import make_engine, session_scope
    from shop.db.segments import replace_segments, rfm_rows
    from shop.domain.clock import utc_now

    engine = make_engine(url)
    try:
        now = utc_now()
        t0 = time.perf_counter()
        with session_scope(engine) as session:
            rows = list(rfm_rows(session, now))
        t1 = time.perf_counter()
        result = segment(rows, now, clusters, 0)
        t2 = time.perf_counter()
        with session_scope(engine) as session:
            replace_segments(session, result.rows, now)
        t3 = time.perf_counter()
    finally:
        engine.dispose()
    return rows, result, now, t1 - t0, t2 - t1, t3 - t2


def measure(url: str, label: str, reseeds: int) -> None:
    from growth.segments import silhouette, stability

    seconds, output = time_command(url)
    print(f"[{label}] python -m growth.segments, end to end (fresh process): {seconds:.1f} s")
    print("    " + output.replace("\n", "\n    "))

    rows, result, now, read_s, kmeans_s, store_s = timed_segmentation(url, 4)
    print(f"[{label}] in process: RFM GROUP BY in the database {read_s:.1f} s + K-means {kmeans_s:.1f} s "
          f"+ replace segment table {store_s:.1f} s = {read_s + kmeans_s + store_s:.1f} s ({len(rows)} customers)")

    export_s, groupby_s, rfm = pandas_baseline(url, now)
    by_id = {r.customer_id: r for r in rows}
    agree = all(by_id[cid].frequency == n and by_id[cid].monetary_cents == total
                for cid, n, total in zip(rfm.index, rfm["n"], rfm["total"])) and len(rfm) == len(rows)
    print(f"[{label}] baseline, RFM by pandas over exported rows: export {export_s:.1f} s + groupby "
          f"{groupby_s:.1f} s = {export_s + groupby_s:.1f} s vs {read_s:.1f} s in the database "
          f"(same RFM: {'yes' if agree else 'NO'})")
    score = silhouette(result)
    print(f"[{label}] silhouette (10,000-customer sample): {score:.3f}; sizes: "
          + ", ".join(f"{c} {n}" for c, n in zip(*np.unique(result.codes, return_counts=True))))
    if reseeds > 1:
        t4 = time.perf_counter()
        ari = stability(rows, now, 4, list(range(reseeds)))
        print(f"[{label}] stability, adjusted Rand vs seed 0 over {reseeds - 1} reseeds: "
              + ", ".join(f"{a:.3f}" for a in ari) + f" ({time.perf_counter() - t4:.0f} s)")


def postgres_database(admin_url: str, name: str, create: bool) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    try:
        with engine.connect() as connection:
            # The name is built here from the pid, never from input.
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            if create:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()


def bench_large(args) -> None:
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    if args.database_url:
        measure(args.database_url, "given database", args.reseeds)
        return
    for backend in backends:
        if backend == "sqlite":
            workdir = Path(tempfile.mkdtemp(prefix="growth-large-"))
            url = f"sqlite:///{workdir / 'shop.db'}"
            try:
                built = build(url, args.customers, args.orders, args.seed)
                print(f"[sqlite] built {args.customers} customers, {args.orders} orders in {built:.0f} s")
                measure(url, "sqlite", args.reseeds)
            finally:
                for path in workdir.iterdir():
                    path.unlink()
                workdir.rmdir()
        else:
            name = f"growth_large_{os.getpid()}"
            url = args.postgres_admin_url.rsplit("/", 1)[0] + f"/{name}"
            postgres_database(args.postgres_admin_url, name, create=True)
            try:
                built = build(url, args.customers, args.orders, args.seed)
                print(f"[postgresql] built {args.customers} customers, {args.orders} orders in {built:.0f} s")
                measure(url, "postgresql", args.reseeds)
            finally:
                postgres_database(args.postgres_admin_url, name, create=False)


def add_arguments(parser) -> None:
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--database-url", help="measure an existing shop database instead of building one")
    parser.add_argument("--postgres-admin-url", default="postgresql://postgres@127.0.0.1:5432/test",
                        help="where to create (and drop) the bench's own database")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--reseeds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
