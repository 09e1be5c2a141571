"""Latency of the data-layer queries on the conversation path, on SQLite and PostgreSQL.

    .venv/bin/python bench/db_latency.py [--profile large|medium|default] [--backends sqlite,postgresql]
                                         [--iterations 300] [--reseed] [--before bench/out/earlier.json]

Seeds the profile once per backend and keeps it: SQLite in ``var/bench/shop-<profile>.db``,
PostgreSQL in the database ``shop_bench`` (``shop_bench_<profile>`` for other profiles) on
``$SHOP_BENCH_POSTGRES_URL`` (default ``postgresql+psycopg2://postgres@127.0.0.1:5432``);
re-runs skip seeding unless ``--reseed``. Each measured call is a whole unit of work as an
action would run it (session, query, commit). Prints p50/p99 per query and backend, and
writes the figures to ``bench/out/db_latency.json``. ``--before`` takes such a file from an
earlier run (another commit, or before a change) and prints its p99 beside the new one.

Beside wall time each row shows this process's CPU time per call: on a shared machine wall
time includes waiting for a CPU, CPU time does not (for PostgreSQL it is the client's share).

Targets (large profile): p99 < 5 ms for point lookups, < 20 ms for searches.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine, make_url

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from shop.db.catalogue import find_products_by_name, get_product_detail, search_products  # noqa: E402
from shop.db.orders import get_order, get_order_for_guest, recent_orders  # noqa: E402
from shop.db.engine import make_engine, session_scope  # noqa: E402
from shop.db.migrate import upgrade_to_head  # noqa: E402
from shop.db.models import Order, Product, SeedRun  # noqa: E402
from shop.db.search_index import warm_up  # noqa: E402
from shop.seed.runner import seed_database  # noqa: E402

POSTGRES_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432"
POINT_TARGET_MS, SEARCH_TARGET_MS = 5.0, 20.0
KEYWORDS = ("华为手机", "iPhone 15 Pro", "苹果手机", "跑步鞋", "蓝牙耳机", "精华液", "空气炸锅", "纸尿裤", "猫粮",
            "笔记本电脑", "冰箱", "小米", "耐克 跑步鞋", "洗衣液", "牛奶", "充电器", "口红", "羽绒服", "帐篷", "机油")
CATEGORIES = ("手机数码", "手机", "家用电器", "服饰鞋包", "男装", "食品生鲜", "休闲零食", "母婴用品", "运动户外", "笔记本电脑")
PRICE_RANGES = (("手机", 2000, 4000), ("笔记本电脑", 5000, 8000), ("休闲零食", 0, 50), ("跑步鞋", 300, 800),
                ("电视", 2000, 5000), (None, 100, 200), ("面部护肤", 200, 600), ("手机数码", 500, 1500))
ATTRIBUTES = (("手机", {"颜色": "黑色"}), ("手机", {"存储容量": "12GB+256GB"}), ("跑步鞋", {"尺码": "42"}),
              ("男装", {"颜色": "白色", "尺码": "L"}), ("电视", {"屏幕尺寸": "65英寸"}), (None, {"颜色": "粉色"}),
              ("面部护肤", {"规格": "50ml"}), ("空调", {"匹数": "1.5匹"}))


def sqlite_url(profile: str) -> str:
    folder = REPO / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / f'shop-{profile}.db'}"


def postgres_url(profile: str) -> str:
    import os

    server = os.environ.get("SHOP_BENCH_POSTGRES_URL", POSTGRES_SERVER)
    name = "shop_bench" if profile == "large" else f"shop_bench_{profile}"
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def ensure_postgres_database(url: str, recreate: bool) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True)
    quote = admin.dialect.identifier_preparer.quote
    try:
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                        {"name": target.database}).scalar()
            if exists and recreate:
                connection.execute(text(f"DROP DATABASE {quote(target.database)} WITH (FORCE)"))
                exists = False
            if not exists:
                connection.execute(text(f"CREATE DATABASE {quote(target.database)}"))
    finally:
        admin.dispose()


def ready_engine(backend: str, profile: str, reseed: bool, seed: int) -> tuple[Engine, str]:
    """An engine on a database seeded with ``profile``; seeds only when needed."""
    if backend == "sqlite":
        url = sqlite_url(profile)
        path = Path(make_url(url).database)
        if reseed:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        url = postgres_url(profile)
        ensure_postgres_database(url, recreate=reseed)
    engine = make_engine(url)
    upgrade_to_head(engine)
    with engine.connect() as connection:
        done = connection.execute(select(SeedRun.profile, SeedRun.seconds).order_by(SeedRun.id.desc())).first()
    if done is not None and done.profile == profile:
        return engine, f"reused ({profile} seeded earlier in {done.seconds:.0f}s)"
    if done is not None:
        raise SystemExit(f"{url} holds profile {done.profile!r}; run with --reseed")
    print(f"[{backend}] seeding profile {profile} ...", flush=True)
    started = time.perf_counter()
    report = seed_database(engine, profile, seed, progress=sys.stderr.isatty())
    print(f"[{backend}] {report.summary()}", flush=True)
    return engine, f"seeded now in {time.perf_counter() - started:.0f}s"


def sample_inputs(engine: Engine, count: int, rng: random.Random) -> dict:
    with engine.connect() as connection:
        max_order = connection.execute(select(func.max(Order.id))).scalar_one()
        max_product = connection.execute(select(func.max(Product.id))).scalar_one()
        order_ids = [rng.randint(1, max_order) for _ in range(count)]
        orders = connection.execute(select(Order.customer_id, Order.order_no, Order.recipient_phone)
                                    .where(Order.id.in_(order_ids))).all()
    rng.shuffle(orders)
    return {"orders": orders, "products": [rng.randint(1, max_product) for _ in range(count)]}


def measure(engine: Engine, call: Callable, inputs: list, warmup: int) -> tuple[list[float], list[float]]:
    """Wall-clock and this process's CPU time (ms) of each call after the warm-up ones.

    CPU time is shown beside wall time because a shared machine's scheduler adds its own
    waits to wall time; for SQLite (in-process) CPU time is the whole work of the query, for
    PostgreSQL it is the client's share only.
    """
    timings, cpu = [], []
    for i, argument in enumerate(inputs):
        started, started_cpu = time.perf_counter(), time.process_time()
        with session_scope(engine) as session:
            call(session, argument)
        elapsed, elapsed_cpu = (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000
        if i >= warmup:
            timings.append(elapsed)
            cpu.append(elapsed_cpu)
    return timings, cpu


def machine_speed() -> str:
    """How busy the machine is: load average, and wall vs CPU time of a fixed Python loop."""
    import os

    started, started_cpu = time.perf_counter(), time.process_time()
    sum(range(3_000_000))
    wall, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"load average {load} on {os.cpu_count()} CPUs; calibration loop {wall:.0f} ms wall / {cpu:.0f} ms CPU"


def cases(inputs: dict, n: int):
    orders, products = inputs["orders"], inputs["products"]
    cycle = lambda seq: [seq[i % len(seq)] for i in range(n)]  # noqa: E731
    return [
        ("order by number (customer)", "point", lambda s, o: get_order(s, o[0], o[1]), cycle(orders)),
        ("order by number (guest, phone)", "point", lambda s, o: get_order_for_guest(s, o[1], o[2][-4:]),
         cycle(orders)),
        ("recent orders + items + shipment", "point", lambda s, o: recent_orders(s, o[0], 5), cycle(orders)),
        ("product detail + SKUs + stock", "point", lambda s, p: get_product_detail(s, p), cycle(products)),
        ("search: keyword", "search", lambda s, k: search_products(s, keyword=k), cycle(KEYWORDS)),
        ("search: category", "search", lambda s, c: search_products(s, category=c), cycle(CATEGORIES)),
        ("search: price range", "search",
         lambda s, r: search_products(s, category=r[0], min_price=r[1], max_price=r[2]), cycle(PRICE_RANGES)),
        ("search: attributes", "search", lambda s, a: search_products(s, category=a[0], attributes=a[1]),
         cycle(ATTRIBUTES)),
        ("search: keyword + price + stock", "search",
         lambda s, k: search_products(s, keyword=k, min_price=50, max_price=5000, in_stock_only=True),
         cycle(KEYWORDS)),
        ("find product by name", "search", lambda s, k: find_products_by_name(s, k), cycle(KEYWORDS)),
    ]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="large")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--before", type=Path, help="db_latency.json of an earlier run, to compare p99 with")
    args = parser.parse_args()
    earlier = {}
    if args.before is not None:
        earlier = {(r["backend"], r["query"]): r for r in json.loads(args.before.read_text(encoding="utf-8"))["results"]}

    warm_up()
    before = machine_speed()
    results = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        engine, how = ready_engine(backend, args.profile, args.reseed, args.seed)
        try:
            inputs = sample_inputs(engine, args.iterations, random.Random(1))
            for name, kind, call, values in cases(inputs, args.iterations + args.warmup):
                timings, cpu = measure(engine, call, values, args.warmup)
                target = POINT_TARGET_MS if kind == "point" else SEARCH_TARGET_MS
                p50, p99 = statistics.median(timings), percentile(timings, 0.99)
                results.append({"backend": backend, "query": name, "kind": kind, "n": len(timings),
                                "p50_ms": round(p50, 2), "p99_ms": round(p99, 2),
                                "cpu_p50_ms": round(statistics.median(cpu), 2), "cpu_p99_ms": round(percentile(cpu, 0.99), 2),
                                "target_ms": target, "meets_target": p99 < target, "database": how})
                print(f"[{backend}] {name}: p50 {p50:.2f} ms, p99 {p99:.2f} ms", flush=True)
        finally:
            engine.dispose()

    after = machine_speed()
    print(f"\nprofile {args.profile}; {args.iterations} measured calls per row, each a full unit of work")
    print(f"machine before: {before}\nmachine after:  {after}")
    header = (f"{'backend':<11} {'query':<34} {'p50 ms':>8} {'p99 ms':>8} {'cpu p50':>8} {'cpu p99':>8} "
              f"{'target':>7}  p99 ok" + ("   before: p50 / p99 (cpu p99)" if earlier else ""))
    print(header)
    print("-" * len(header))
    for r in results:
        line = (f"{r['backend']:<11} {r['query']:<34} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['cpu_p50_ms']:>8.2f} "
                f"{r['cpu_p99_ms']:>8.2f} {'<' + format(r['target_ms'], 'g'):>7}  {'yes' if r['meets_target'] else 'NO ':<3}")
        old = earlier.get((r["backend"], r["query"]))
        if old is not None:
            line += f"   {old['p50_ms']:.2f} / {old['p99_ms']:.2f} ({old.get('cpu_p99_ms', float('nan')):.2f})"
        print(line)
    out = REPO / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "db_latency.json").write_text(json.dumps({"profile": args.profile, "machine_before": before,
                                                     "machine_after": after, "results": results},
                                                    ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
