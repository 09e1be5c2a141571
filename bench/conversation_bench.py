"""Conversation benchmark: scripted multi-turn conversations over REST at several
concurrency levels, side by side with a bare Rasa floor on the same machine.

    python bench/conversation_bench.py [--levels 1 8 32] [--seconds 20]

Starts the full assistant (action server + Rasa, seeded temp SQLite shop database, the
newest model in models/) and the floor (a minimal model with fixed responses, trained on
first use into var/bench/floor-models/), each alone on the machine in turn. Both use the
repository's endpoints.yml (SQL tracker store in a SQLite file, in-memory lock store). Every virtual
shopper runs the scripted conversations in a loop; the load generator runs on the same
machine (2 cores), so absolute figures include its cost for both sides alike.

Prints turns per second and p50/p95/p99 latency per flow and per level, and the ratios to
the floor (targets: throughput >= 0.8x floor, p50 <= 1.5x floor).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import aiohttp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.stack import (  # noqa: E402
    TEST_TOKEN_SECRET, VENV_BIN, _spawn, _wait_ready, free_port, latest_model, start_stack,
)

FLOOR_DIR = REPO / "bench" / "floor"
FLOOR_MODELS = REPO / "var" / "bench" / "floor-models"


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, int(round(q / 100 * (len(ordered) - 1)))))
    return ordered[index]


def shop_flows(orders: List[Tuple[int, str]], products: List[str]) -> Dict[str, List[str]]:
    """Scripted conversations; {customer}/{order}/{product} are filled per shopper."""
    return {
        "order_status": ["你好", "我的快递到哪了", "订单{order}到哪了", "谢谢"],
        "product": ["{product}多少钱", "有什么颜色", "好的谢谢"],
        "purchase": ["能开发票吗", "可以分期吗", "运费怎么算"],
        "after_sales": ["我要退货", "{order}", "算了"],
        "handoff_smalltalk": ["你是机器人吗", "今天天气怎么样", "再见"],
    }


FLOOR_FLOWS = {"floor": ["你好", "我的快递到哪了", "这个多少钱", "能开发票吗"]}


def shop_fixture_values(database_url: str) -> Tuple[List[Tuple[int, str]], List[str]]:
    from sqlalchemy import select

    from shop.db.engine import make_engine, session_scope
    from shop.db.models import Order, Product

    engine = make_engine(database_url)
    with session_scope(engine) as session:
        orders = session.execute(
            select(Order.customer_id, Order.order_no).order_by(Order.id).limit(200)
        ).all()
        products = session.execute(
            select(Product.model).where(Product.is_on_sale.is_(True)).order_by(Product.sales_count.desc()).limit(50)
        ).scalars().all()
    engine.dispose()
    return [(int(c), str(o)) for c, o in orders], list(products)


async def shopper(session: aiohttp.ClientSession, url: str, flows: Dict[str, List[str]], values: dict,
                  deadline: float, samples: Dict[str, List[float]], errors: List[str], token_for) -> None:
    rng = random.Random(values["seed"])
    conversation = 0
    while time.monotonic() < deadline:
        name = rng.choice(sorted(flows))
        customer, order = rng.choice(values["orders"]) if values["orders"] else (None, "")
        metadata = {"customer_token": token_for(customer)} if customer else {}
        sender = f"bench-{values['seed']}-{conversation}"
        conversation += 1
        for template in flows[name]:
            text = template.format(order=order, product=rng.choice(values["products"]) if values["products"] else "手机")
            started = time.perf_counter()
            try:
                async with session.post(url, json={"sender": sender, "message": text, "metadata": metadata}) as reply:
                    await reply.read()
                    if reply.status != 200:
                        errors.append(f"{reply.status}")
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                errors.append(type(error).__name__)
                continue
            samples[name].append((time.perf_counter() - started) * 1000)
            if time.monotonic() >= deadline:
                return


async def run_level(url: str, flows, values, level: int, seconds: float, token_for) -> dict:
    samples: Dict[str, List[float]] = defaultdict(list)
    errors: List[str] = []
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=level * 2)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        # Warm-up: one conversation per flow, not measured.
        await shopper(session, url, flows, dict(values, seed=10_000), time.monotonic() + 3, defaultdict(list), [], token_for)
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*[
            shopper(session, url, flows, dict(values, seed=i), deadline, samples, errors, token_for)
            for i in range(level)
        ])
        elapsed = time.monotonic() - started
    every = [v for values_ in samples.values() for v in values_]
    return {
        "level": level,
        "turns": len(every),
        "tps": len(every) / elapsed,
        "p50": percentile(every, 50), "p95": percentile(every, 95), "p99": percentile(every, 99),
        "flows": {name: (percentile(v, 50), percentile(v, 95), percentile(v, 99), len(v)) for name, v in samples.items()},
        "errors": len(errors),
    }


def ensure_floor_model() -> Path:
    FLOOR_MODELS.mkdir(parents=True, exist_ok=True)
    existing = sorted(FLOOR_MODELS.glob("*.tar.gz"))
    if existing:
        return existing[-1]
    subprocess.run(
        [str(VENV_BIN / "rasa"), "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
         "--out", str(FLOOR_MODELS)],
        cwd=FLOOR_DIR, check=True,
    )
    return sorted(FLOOR_MODELS.glob("*.tar.gz"))[-1]


def start_floor(workdir: Path, model: Path):
    import os

    port = free_port()
    # Same endpoints as the assistant (SQL tracker store in a SQLite file, in-memory lock
    # store), so the two differ only in the model and the action server. The floor's model
    # has no custom action, so the action endpoint is never called.
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", RASA_TELEMETRY_ENABLED="false",
               ACTION_ENDPOINT_URL="http://127.0.0.1:9/unused", TRACKER_DB_URL="",
               TRACKER_DB_PATH=str(workdir / "tracker.db"))
    process = _spawn("floor-rasa", [str(VENV_BIN / "rasa"), "run", "--model", str(model), "--port", str(port),
                                    "--interface", "127.0.0.1", "--endpoints", "endpoints.yml"], env, workdir)
    _wait_ready(f"http://127.0.0.1:{port}/", process, 300)
    return process, f"http://127.0.0.1:{port}/webhooks/rest/webhook"


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--model", type=Path, help="the assistant model to serve (default: newest in models/)")
    args = parser.parse_args(argv)

    from shop.identity import issue_customer_token

    load_at_start = load_average()
    print(f"Load average at the start: {load_at_start}", flush=True)
    model = args.model or latest_model()
    if model is None:
        sys.exit("no trained model in models/: run `make train` first")
    floor_model = ensure_floor_model()
    results: Dict[str, List[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="conv-bench-") as tmp:
        tmp_path = Path(tmp)
        print(f"floor model: {floor_model.name}; assistant model: {model.name}", flush=True)
        (tmp_path / "floor").mkdir()
        process, url = start_floor(tmp_path / "floor", floor_model)
        try:
            results["floor"] = [
                asyncio.run(run_level(url, FLOOR_FLOWS, {"orders": [], "products": []}, level, args.seconds, lambda c: ""))
                for level in args.levels
            ]
        finally:
            process.stop()

        stack = start_stack(tmp_path / "assistant", model, with_site=False)
        try:
            orders, products = shop_fixture_values(stack.database_url)
            token_cache: Dict[int, str] = {}

            def token_for(customer: int) -> str:
                if customer not in token_cache:
                    token_cache[customer] = issue_customer_token(customer, secret=TEST_TOKEN_SECRET)
                return token_cache[customer]

            values = {"orders": orders, "products": products}
            results["assistant"] = [
                asyncio.run(run_level(stack.webhook, shop_flows(orders, products), values, level, args.seconds, token_for))
                for level in args.levels
            ]
        finally:
            stack.stop()

    print()
    print(f"Conversation benchmark, {args.seconds:.0f} s per level, load generator on the same machine")
    print(f"{'level':>5} | {'floor t/s':>9} {'p50':>7} {'p95':>7} {'p99':>7} | {'shop t/s':>9} {'p50':>7} {'p95':>7} {'p99':>7} | {'t/s ratio':>9} {'p50 ratio':>9} | errors")
    for floor, shop in zip(results["floor"], results["assistant"]):
        print(f"{floor['level']:>5} | {floor['tps']:>9.1f} {floor['p50']:>7.0f} {floor['p95']:>7.0f} {floor['p99']:>7.0f} | "
              f"{shop['tps']:>9.1f} {shop['p50']:>7.0f} {shop['p95']:>7.0f} {shop['p99']:>7.0f} | "
              f"{shop['tps'] / floor['tps']:>9.2f} {shop['p50'] / floor['p50']:>9.2f} | {floor['errors']}/{shop['errors']}")
    print("\nPer flow (assistant), latency ms p50 / p95 / p99 (turns):")
    for shop in results["assistant"]:
        for name, (p50, p95, p99, count) in sorted(shop["flows"].items()):
            print(f"  level {shop['level']:>2}  {name:<18} {p50:>6.0f} {p95:>6.0f} {p99:>6.0f}  ({count})")
    print("\nTargets: throughput >= 0.8x floor, p50 <= 1.5x floor.")
    print(f"Load average at the end: {load_average()}")
    out = REPO / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "conversation_bench.json").write_text(json.dumps(
        {"seconds_per_level": args.seconds, "load_average_at_start": load_at_start,
         "load_average_at_end": load_average(), "results": results}, ensure_ascii=False, indent=1))
    print(f"Figures written to {out / 'conversation_bench.json'}")


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
