"""Conversation benchmark: scripted multi-turn conversations over REST at several
concurrency levels, side by side with a bare Rasa floor on the same machine.

    python bench/conversation_bench.py [--levels 1 8 32] [--seconds 20]

Starts the full assistant (action server + Rasa, seeded temp SQLite shop database, the
newest model in models/) and the floor (a minimal model with fixed responses, trained on
first use into var/bench/floor-models/), each alone on the machine in turn. The floor's
intent classifier is Rasa's LogisticRegressionClassifier (bench/floor/config.yml), the same
family as the assistant's; the older DIET floor (config_diet.yml) is a second column
(--no-diet-floor leaves it out).

    python bench/conversation_bench.py --lengths 1 20 100 300

measures instead the cost of a turn against the length of the conversation: one shopper,
one conversation, turns in a row (the assistant rolls it over to a new Rasa session every 40
user turns, the floor never); the median of the five turns ending at each length.

    python bench/conversation_bench.py --full

runs both on each side (one server start per side): the load levels 1 8 32 and the lengths
1 20 40 100 300 (40: a full session before the roll-over, shop_channels/rasa_sessions.py),
printing the side-by-side table and the length table.

    git archive <commit> | tar -x -C /tmp/base
    python bench/conversation_bench.py --full --before-code /tmp/base

adds a "before" column: the assistant whose Rasa server runs the older commit's code (its
working directory; the action server keeps the current code).

    python bench/conversation_bench.py --py-spy /tmp/pyspy/bin/py-spy --profile-level 8

also records a py-spy profile (collapsed stacks, bench/out/profile-*.txt; bench/profile_summary.py
sums them up) of every server
while the given level runs. Both use the
repository's endpoints.yml (SQL tracker store in a SQLite file, in-memory lock store, the
analytics event broker) and the assistant runs an A/A experiment (tests/support/experiments_live.yml:
every recommendation turn is assigned and logs an exposure). Every virtual
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
FLOOR_CONFIGS = {"floor": "config.yml", "floor_wal": "config.yml", "floor_diet": "config_diet.yml"}
# Extra environment of a floor's Rasa server: "floor_wal" is the floor with the assistant's
# SQLite engine for its tracker store (bench/floor/wal/sitecustomize.py).
FLOOR_ENV = {"floor_wal": {"PYTHONPATH": f"{FLOOR_DIR / 'wal'}:{REPO}"}}


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of the server processes (all their threads) so far. CPU time per
    turn hardly moves with what else runs on the machine, unlike latency."""
    import os

    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


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
        # A recommendation turn: experiment assignment and exposure logging (issue 17) run on it.
        "recommend": ["推荐一款手机", "两千左右的"],
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


async def run_level(url: str, flows, values, level: int, seconds: float, token_for, pids: Sequence[int] = ()) -> dict:
    samples: Dict[str, List[float]] = defaultdict(list)
    errors: List[str] = []
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=level * 2)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        # Warm-up: one conversation per flow, not measured.
        await shopper(session, url, flows, dict(values, seed=10_000), time.monotonic() + 3, defaultdict(list), [], token_for)
        started = time.monotonic()
        cpu_before = cpu_seconds(pids)
        deadline = started + seconds
        await asyncio.gather(*[
            shopper(session, url, flows, dict(values, seed=i), deadline, samples, errors, token_for)
            for i in range(level)
        ])
        elapsed = time.monotonic() - started
        cpu = cpu_seconds(pids) - cpu_before
    every = [v for values_ in samples.values() for v in values_]
    return {
        "level": level,
        "turns": len(every),
        "tps": len(every) / elapsed,
        "p50": percentile(every, 50), "p95": percentile(every, 95), "p99": percentile(every, 99),
        "flows": {name: (percentile(v, 50), percentile(v, 95), percentile(v, 99), len(v)) for name, v in samples.items()},
        "errors": len(errors),
        "cpu_ms_per_turn": cpu * 1000 / max(1, len(every)),
    }


def ensure_floor_model(name: str = "floor") -> Path:
    """The floor's model for FLOOR_CONFIGS[name], trained once (retrained when the config changes)."""
    import hashlib

    config = FLOOR_DIR / FLOOR_CONFIGS[name]
    digest = hashlib.sha1(config.read_bytes()).hexdigest()[:10]
    # floor_wal serves the floor's model (same config): one model, trained once.
    out = FLOOR_MODELS / f"{'floor' if name == 'floor_wal' else name}-{digest}"
    out.mkdir(parents=True, exist_ok=True)
    existing = sorted(out.glob("*.tar.gz"))
    if existing:
        return existing[-1]
    subprocess.run(
        [str(VENV_BIN / "rasa"), "train", "--config", config.name, "--domain", "domain.yml", "--data", "data",
         "--out", str(out)],
        cwd=FLOOR_DIR, check=True,
    )
    return sorted(out.glob("*.tar.gz"))[-1]


class Profiler:
    """py-spy record on running servers (pids) for as long as one benchmark level runs."""

    def __init__(self, py_spy: Optional[Path], label: str):
        self.py_spy, self.label, self.children = py_spy, label, []

    def start(self, pids: Dict[str, int], seconds: float) -> None:
        if not self.py_spy:
            return
        out = REPO / "bench" / "out"
        out.mkdir(parents=True, exist_ok=True)
        for name, pid in pids.items():
            self.children.append(subprocess.Popen(
                [str(self.py_spy), "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "200",
                 "--format", "raw", "--nonblocking", "--output", str(out / f"profile-{self.label}-{name}.txt")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def wait(self) -> None:
        for child in self.children:
            child.wait(timeout=120)
        self.children = []


async def length_costs(url: str, texts: List[str], lengths: Sequence[int], metadata: dict,
                       pids: Sequence[int] = ()) -> Dict[str, Dict[int, float]]:
    """One shopper, one session: max(lengths) turns in a row; the median latency (ms) of the
    five turns ending at each length (the first turn alone for length 1)."""
    latencies: List[float] = []
    cpu: List[float] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        # Warm the server with another sender, so turn 1 is not the first turn it serves.
        for text in texts:
            async with session.post(url, json={"sender": "bench-length-warm", "message": text, "metadata": metadata}) as r:
                await r.read()
        sender = f"bench-length-{time.time_ns()}"
        for turn in range(max(lengths)):
            cpu_before = cpu_seconds(pids)
            started = time.perf_counter()
            async with session.post(url, json={"sender": sender, "message": texts[turn % len(texts)],
                                               "metadata": metadata}) as reply:
                await reply.read()
                if reply.status != 200:
                    raise RuntimeError(f"turn {turn + 1}: HTTP {reply.status}")
            latencies.append((time.perf_counter() - started) * 1000)
            cpu.append((cpu_seconds(pids) - cpu_before) * 1000)
    # CPU: the servers' CPU ms per turn over the ten turns ending there (the clock ticks in
    # 10 ms steps, so one turn alone is too coarse); it includes the event broker's writer.
    return {"ms": {n: percentile(latencies[max(0, n - 5):n], 50) for n in lengths},
            "cpu_ms": {n: sum(cpu[max(0, n - 10):n]) / len(cpu[max(0, n - 10):n]) for n in lengths}}


def start_floor(workdir: Path, model: Path, extra_env: Optional[Dict[str, str]] = None):
    import os

    port = free_port()
    # Same endpoints as the assistant (SQL tracker store in a SQLite file, in-memory lock
    # store, the same background event broker), so the two differ only in the model and the
    # action server. Its own credentials: Rasa's stock REST channel (without them `rasa run`
    # reads the repository's credentials.yml, and the "floor" ran the shop's channel code).
    # The floor's model has no custom action, so the action endpoint is never called.
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", RASA_TELEMETRY_ENABLED="false",
               ACTION_ENDPOINT_URL="http://127.0.0.1:9/unused", TRACKER_DB_URL="",
               TRACKER_DB_PATH=str(workdir / "tracker.db"), ANALYTICS_EVENTS_DB_PATH=str(workdir / "events.db"))
    env.update(extra_env or {})
    process = _spawn("floor-rasa", [str(VENV_BIN / "rasa"), "run", "--model", str(model), "--port", str(port),
                                    "--interface", "127.0.0.1", "--endpoints", "endpoints.yml",
                                    "--credentials", str(FLOOR_DIR / "credentials.yml")], env, workdir)
    _wait_ready(f"http://127.0.0.1:{port}/", process, 300)
    return process, f"http://127.0.0.1:{port}/webhooks/rest/webhook"


LENGTH_TEXTS = {
    "floor": FLOOR_FLOWS["floor"],
    "assistant": ["你好", "我的快递到哪了", "订单{order}到哪了", "{product}多少钱", "有什么颜色", "能开发票吗",
                  "可以分期吗", "运费怎么算", "谢谢"],
}


def run_side(name: str, url: str, pids: Dict[str, int], flows, values, token_for, args) -> dict:
    """The load levels and/or the length measurement (--lengths) on one running side."""
    result = {}
    if args.lengths:
        customer, order = values["orders"][0] if values["orders"] else (None, "")
        product = values["products"][0] if values["products"] else "手机"
        texts = [t.format(order=order, product=product) for t in LENGTH_TEXTS["floor" if name.startswith("floor") else "assistant"]]
        metadata = {"customer_token": token_for(customer)} if customer else {}
        result["lengths"] = asyncio.run(length_costs(url, texts, args.lengths, metadata, list(pids.values())))
        if not args.full:
            return result
    levels = []
    for level in args.levels:
        profiler = Profiler(args.py_spy if level == args.profile_level else None, f"{name}-{level}")
        profiler.start(pids, args.seconds)
        levels.append(asyncio.run(run_level(url, flows, values, level, args.seconds, token_for, list(pids.values()))))
        profiler.wait()
    result["levels"] = levels
    return result


def run_assistant(side: str, workdir: Path, model: Path, extra_env: Dict[str, str], args,
                  rasa_code: Optional[Path] = None) -> dict:
    from shop.identity import issue_customer_token

    # Turns back to back in each conversation: no per-minute limit (shop_channels/sender_limits.py).
    stack = start_stack(workdir, model, with_site=False, extra_env={"SENDER_MAX_MESSAGES_PER_MINUTE": "0", **extra_env},
                        rasa_code=rasa_code)
    try:
        orders, products = shop_fixture_values(stack.database_url)
        token_cache: Dict[int, str] = {}

        def token_for(customer: int) -> str:
            if customer not in token_cache:
                token_cache[customer] = issue_customer_token(customer, secret=TEST_TOKEN_SECRET)
            return token_cache[customer]

        values = {"orders": orders, "products": products}
        pids = {p.name: p.popen.pid for p in stack.processes}
        return run_side(side, stack.webhook, pids, shop_flows(orders, products), values, token_for, args)
    finally:
        stack.stop()


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--model", type=Path, help="the assistant model to serve (default: newest in models/)")
    parser.add_argument("--no-diet-floor", action="store_true", help="leave out the old DIET floor column")
    parser.add_argument("--wal-floor", action="store_true",
                        help="add the floor with the assistant's SQLite engine for its tracker store (floor_wal)")
    parser.add_argument("--lengths", type=int, nargs="+", help="measure turn cost against conversation length instead")
    parser.add_argument("--full", action="store_true",
                        help="the load levels and the lengths (default 1 20 40 100 300) in one run, both tables printed")
    parser.add_argument("--py-spy", type=Path, help="py-spy executable: profile the servers during --profile-level")
    parser.add_argument("--profile-level", type=int, default=8)
    parser.add_argument("--report-name", default="conversation_bench")
    parser.add_argument("--before-code", type=Path, metavar="DIR",
                        help="also run the assistant whose Rasa server runs the project code in DIR (column 'before'): "
                             "an export of the commit before a change (git archive <commit> | tar -x -C DIR)")
    parser.add_argument("--before-env", nargs="+", metavar="KEY=VALUE",
                        help="environment of the 'before' column's servers (settings; NOT code: `rasa` puts its "
                             "working directory ahead of PYTHONPATH, so older code needs --before-code)")
    args = parser.parse_args(argv)
    if args.full and not args.lengths:
        args.lengths = [1, 20, 40, 100, 300]

    load_at_start = load_average()
    print(f"Load average at the start: {load_at_start}", flush=True)
    model = args.model or latest_model()
    if model is None:
        sys.exit("no trained model in models/: run `make train` first")
    floors = ["floor"] + (["floor_wal"] if args.wal_floor else []) + ([] if args.no_diet_floor else ["floor_diet"])
    results: Dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="conv-bench-") as tmp:
        tmp_path = Path(tmp)
        for floor in floors:
            floor_model = ensure_floor_model(floor)
            print(f"{floor} model: {floor_model.parent.name}/{floor_model.name}", flush=True)
            (tmp_path / floor).mkdir()
            process, url = start_floor(tmp_path / floor, floor_model, FLOOR_ENV.get(floor))
            try:
                results[floor] = run_side(floor, url, {"rasa": process.popen.pid}, FLOOR_FLOWS,
                                          {"orders": [], "products": []}, lambda c: "", args)
            finally:
                process.stop()

        print(f"assistant model: {model.name}", flush=True)
        variants = [("assistant", {}, None)]
        if args.before_env or args.before_code:
            variants.insert(0, ("before", dict(item.split("=", 1) for item in args.before_env or []),
                                args.before_code and args.before_code.resolve()))
        for side, extra_env, rasa_code in variants:
            results[side] = run_assistant(side, tmp_path / side, model, extra_env, args, rasa_code)

    print()
    if not args.lengths or args.full:
        for side in [name for name in results if not name.startswith("floor")]:
            print_levels(results, side, floors, args.seconds)
    if args.lengths:
        for key, what in (("ms", "median latency ms of the 5 turns ending there"),
                          ("cpu_ms", "servers' CPU ms per turn over the 10 turns ending there")):
            print(f"Turn cost against conversation length (one shopper, one conversation; {what})")
            print(f"{'side':<12} " + " ".join(f"{n:>7}" for n in args.lengths) + "   last / 20")
            for side, result in results.items():
                costs = result["lengths"][key]
                ratio = costs[args.lengths[-1]] / costs[20] if 20 in costs else float("nan")
                print(f"{side:<12} " + " ".join(f"{costs[n]:>7.1f}" for n in args.lengths) + f"   {ratio:>8.2f}")
            print()
        print("Target: the assistant's turn at 300 turns within 1.2x of its turn at 20.")
    print(f"Load average at the end: {load_average()}")
    out = REPO / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{args.report_name}.json").write_text(json.dumps(
        {"seconds_per_level": args.seconds, "load_average_at_start": load_at_start,
         "load_average_at_end": load_average(), "results": results}, ensure_ascii=False, indent=1))
    print(f"Figures written to {out / (args.report_name + '.json')}")


def print_levels(results: Dict[str, dict], side: str, floors: List[str], seconds: float) -> None:
    print(f"Conversation benchmark, {side}, {seconds:.0f} s per level, load generator on the same machine")
    header = f"{'level':>5} | {'shop t/s':>8} {'p50':>5} {'p95':>5} {'p99':>5} {'cpu':>5}"
    for floor in floors:
        header += f" | {floor + ' t/s':>14} {'p50':>5} {'p99':>5} {'cpu':>5} {'t/s x':>6} {'p50 x':>6} {'p99 x':>6}"
    print(header + " | errors")
    for i, shop in enumerate(results[side]["levels"]):
        line = (f"{shop['level']:>5} | {shop['tps']:>8.1f} {shop['p50']:>5.0f} {shop['p95']:>5.0f} {shop['p99']:>5.0f}"
                f" {shop.get('cpu_ms_per_turn', float('nan')):>5.1f}")
        errors = [str(shop["errors"])]
        for floor in floors:
            f = results[floor]["levels"][i]
            line += (f" | {f['tps']:>14.1f} {f['p50']:>5.0f} {f['p99']:>5.0f} {f.get('cpu_ms_per_turn', float('nan')):>5.1f}"
                     f" {shop['tps'] / f['tps']:>6.2f}"
                     f" {shop['p50'] / f['p50']:>6.2f} {shop['p99'] / f['p99']:>6.2f}")
            errors.append(str(f["errors"]))
        print(line + " | " + "/".join(errors))
    print("(cpu: the servers' CPU ms per turn at that level — Rasa, and the action server for the assistant)")
    print(f"\nPer flow ({side}), latency ms p50 / p95 / p99 (turns):")
    for shop in results[side]["levels"]:
        for name, (p50, p95, p99, count) in sorted(shop["flows"].items()):
            print(f"  level {shop['level']:>2}  {name:<18} {p50:>6.0f} {p95:>6.0f} {p99:>6.0f}  ({count})")
    print("\nTargets against the floor (LogisticRegressionClassifier): throughput >= 0.8x, p50 <= 1.5x, p99 <= 2x at 32.\n")


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
