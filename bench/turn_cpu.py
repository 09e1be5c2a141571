"""CPU per turn of the conversation benchmark's scripted flows, before and after a change,
measured side by side in one run (issue 18; helper perf1).

    python bench/turn_cpu.py [--rounds 8] [--before-code DIR] [--wait-ms 80]

Starts the assistant (tests/support/stack.py: action server + Rasa over a freshly seeded
SQLite shop) and, with ``--before-code DIR`` (an export of an older commit: ``git archive
<commit> | tar -x -C DIR``), a second one whose Rasa server *and* action server run DIR's code
(unlike conversation_bench.py's "before" column, whose action server runs the current code).
Both stay up for the whole run. Each round sends every scripted flow of
bench/conversation_bench.py (``shop_flows``: order status, product, purchase, after-sales form,
small talk, a recommendation) once to each side, one turn at a time, each flow a new
conversation of the same customer and the same texts on both sides; the side that goes first
alternates between rounds, so load from the rest of the machine falls on both alike.

Each turn's CPU is read per server from ``/proc/<pid>/task/*/schedstat`` (nanoseconds, all
threads), after a pause of ``--wait-ms`` so the event broker's writer (it commits up to 50 ms
after the turn) counts for its turn. CPU per turn, unlike latency and throughput, hardly
moves with what else runs on a shared machine. Prints, per side, the mean CPU ms per turn of
each server per round and the median over rounds, and per flow; writes them to
bench/out/<report-name>.json. ``--py-spy PATH`` also profiles the "after" side's servers
(bench/out/profile-turncpu-<server>.txt; bench/profile_summary.py). py-spy samples a thread
that waits for a CPU as busy, so on a loaded machine read its shares beside the CPU figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import aiohttp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.conversation_bench import load_average, shop_fixture_values, shop_flows  # noqa: E402
from bench.turn_growth import cpu_ns  # noqa: E402
from tests.support.stack import TEST_TOKEN_SECRET, latest_model, start_stack  # noqa: E402


async def run_flows(
    session: aiohttp.ClientSession,
    url: str,
    pids: Dict[str, int],
    flows: Dict[str, List[str]],
    values: dict,
    sender_prefix: str,
    wait_s: float,
) -> List[dict]:
    """Every flow once, in a fixed order; one row per turn: flow, latency, CPU ms per server."""
    rows = []
    for index, name in enumerate(sorted(flows)):
        customer, order, token = values["orders"][(values["round"] * len(flows) + index) % len(values["orders"])]
        product = values["products"][(values["round"] + index) % len(values["products"])]
        sender = f"{sender_prefix}-{values['round']}-{name}"
        for template in flows[name]:
            text = template.format(order=order, product=product)
            before = {server: cpu_ns(pid) for server, pid in pids.items()}
            started = time.perf_counter()
            async with session.post(
                url, json={"sender": sender, "message": text, "metadata": {"customer_token": token}}
            ) as reply:
                await reply.read()
                if reply.status != 200:
                    raise RuntimeError(f"{name}: HTTP {reply.status} for {text!r}")
            latency = (time.perf_counter() - started) * 1000
            await asyncio.sleep(wait_s)
            row = {"flow": name, "ms": latency}
            row.update({server: (cpu_ns(pid) - before[server]) / 1e6 for server, pid in pids.items()})
            rows.append(row)
    return rows


async def measure(sides: Dict[str, tuple], flows, values, rounds: int, wait_s: float) -> Dict[str, List[List[dict]]]:
    results: Dict[str, List[List[dict]]] = {name: [] for name in sides}
    names = list(sides)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for name in names:  # warm-up round, not measured
            url, pids = sides[name]
            await run_flows(session, url, pids, flows, dict(values, round=rounds), f"warm-{name}", wait_s)
        for round_ in range(rounds):
            order = names if round_ % 2 == 0 else names[::-1]
            for name in order:
                url, pids = sides[name]
                results[name].append(
                    await run_flows(session, url, pids, flows, dict(values, round=round_), f"cpu-{name}", wait_s)
                )
            print(
                f"round {round_ + 1}/{rounds}: "
                + ", ".join(
                    f"{name} {statistics.fmean(sum(r[s] for s in sides[name][1]) for r in results[name][-1]):.1f} ms"
                    for name in names
                ),
                flush=True,
            )
    return results


def report(results: Dict[str, List[List[dict]]], servers: Sequence[str]) -> dict:
    summary = {}
    for side, rounds in results.items():
        per_round = [{s: statistics.fmean(r[s] for r in rows) for s in servers} for rows in rounds]
        for entry in per_round:
            entry["all"] = sum(entry[s] for s in servers)
        rows = [r for rows in rounds for r in rows]
        flows = sorted({r["flow"] for r in rows})
        summary[side] = {
            "rounds": per_round,
            "median": {k: statistics.median(e[k] for e in per_round) for k in [*servers, "all"]},
            "p50_ms": statistics.median(r["ms"] for r in rows),
            "turns": len(rows),
            "flows": {f: {s: statistics.fmean(r[s] for r in rows if r["flow"] == f) for s in servers} for f in flows},
        }
    return summary


def print_report(summary: dict, servers: Sequence[str]) -> None:
    print("\nCPU ms per turn (schedstat, all threads), median of the rounds' means:")
    print(f"{'side':<10}" + "".join(f"{s:>15}" for s in [*servers, "all"]) + f"{'p50 ms':>9}{'turns':>7}")
    for side, s in summary.items():
        print(
            f"{side:<10}"
            + "".join(f"{s['median'][k]:>15.2f}" for k in [*servers, "all"])
            + f"{s['p50_ms']:>9.1f}{s['turns']:>7}"
        )
    print(
        "per round (all servers): "
        + "; ".join(f"{side} " + " ".join(f"{e['all']:.1f}" for e in s["rounds"]) for side, s in summary.items())
    )
    print("per flow (all servers):")
    flows = sorted(next(iter(summary.values()))["flows"])
    for flow in flows:
        print(
            f"  {flow:<20}" + "".join(f"{side} {sum(s['flows'][flow].values()):6.2f}   " for side, s in summary.items())
        )


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument(
        "--before-code",
        type=Path,
        metavar="DIR",
        help="also run a side whose Rasa server and action server run this checkout",
    )
    parser.add_argument("--wait-ms", type=float, default=80.0)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--report-name", default="turn_cpu")
    parser.add_argument(
        "--py-spy",
        type=Path,
        help="py-spy executable: profile the 'after' side's servers "
        "during the measured rounds (bench/out/profile-turncpu-<server>.txt)",
    )
    parser.add_argument("--py-spy-rate", type=int, default=200, help="py-spy's samples per second")
    args = parser.parse_args(argv)
    from shop.identity import issue_customer_token

    model = args.model or latest_model()
    print(f"Load average at the start: {load_average()}", flush=True)
    # One customer message per minute would be refused otherwise: turns come back to back.
    settings = {"SENDER_MAX_MESSAGES_PER_MINUTE": "0"}
    with tempfile.TemporaryDirectory(prefix="turn-cpu-") as tmp:
        codes = {"after": None}
        if args.before_code:
            codes = {"before": args.before_code.resolve(), **codes}
        stacks = {}
        try:
            for name, code in codes.items():
                stacks[name] = start_stack(
                    Path(tmp) / name, model, with_site=False, rasa_code=code, action_code=code, extra_env=settings
                )
            orders, products = shop_fixture_values(stacks["after"].database_url)
            values = {
                "orders": [(c, o, issue_customer_token(c, secret=TEST_TOKEN_SECRET)) for c, o in orders[:40]],
                "products": products[:20],
            }
            sides = {
                name: (stack.webhook, {p.name: p.popen.pid for p in stack.processes}) for name, stack in stacks.items()
            }
            servers = list(next(iter(sides.values()))[1])
            spies = (
                [
                    subprocess.Popen(
                        [
                            str(args.py_spy),
                            "record",
                            "--pid",
                            str(pid),
                            "--rate",
                            str(args.py_spy_rate),
                            "--format",
                            "raw",
                            "--nonblocking",
                            "--output",
                            str(REPO / "bench" / "out" / f"profile-turncpu-{server}.txt"),
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                    for server, pid in sides["after"][1].items()
                ]
                if args.py_spy
                else []
            )
            results = asyncio.run(
                measure(sides, shop_flows(orders, products), values, args.rounds, args.wait_ms / 1000)
            )
            for spy in spies:
                spy.send_signal(signal.SIGINT)  # py-spy writes what it has
                spy.wait(timeout=60)
        finally:
            for stack in stacks.values():
                stack.stop()
    summary = report(results, servers)
    print_report(summary, servers)
    print(f"Load average at the end: {load_average()}")
    out = REPO / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{args.report_name}.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    print(f"Figures written to {out / (args.report_name + '.json')}")


if __name__ == "__main__":
    main()
