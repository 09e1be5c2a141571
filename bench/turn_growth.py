"""What a turn costs at each position of its Rasa session, per server (issue 18, round 2).

    python bench/turn_growth.py [--turns 160] [--session-turns 40 20 60] [--py-spy PATH]

For each ``--session-turns`` value (SESSION_MAX_USER_TURNS, 0 = never roll over) starts the
assistant (tests/support/stack.py: action server + Rasa, seeded SQLite shop) and sends one
shopper's conversation of ``--turns`` messages (the length texts of
bench/conversation_bench.py), one at a time. Each turn's CPU is read per server from
``/proc/<pid>/task/*/schedstat`` (nanoseconds, all threads; ``/proc/<pid>/stat`` ticks in
10 ms steps, too coarse for one turn). Afterwards the conversation store says which session
each message fell in, and the script prints the mean CPU ms per turn of the Rasa server and
of the action server by position in the session (1-10, 11-20, ...), by session, and over the
whole conversation. ``--py-spy`` records both servers during the whole conversation
(bench/out/profile-growth-<N>-<server>.txt; bench/profile_summary.py). ``--rasa-code DIR``
runs the Rasa server of an older commit (an export, as conversation_bench.py --before-code;
the action server keeps the current code).
"""
from __future__ import annotations

import argparse
import asyncio
import sqlite3
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

from bench.conversation_bench import LENGTH_TEXTS, load_average, shop_fixture_values  # noqa: E402
from tests.support.stack import TEST_TOKEN_SECRET, latest_model, start_stack  # noqa: E402


def cpu_ns(pid: int, main_thread: Optional[bool] = None) -> int:
    """CPU time (ns) so far of every live thread of ``pid``; with ``main_thread`` True only its
    main thread (the event loop), with False only the other threads (executors, writers, BLAS)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").glob("*"):
        if main_thread is not None and (task.name == str(pid)) != main_thread:
            continue
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return total


def cpu_readings(pids: Dict[str, int], split_threads: bool) -> Dict[str, int]:
    readings = {name: cpu_ns(pid) for name, pid in pids.items()}
    if split_threads:
        for name, pid in pids.items():
            readings[f"{name}:loop"] = cpu_ns(pid, main_thread=True)
    return readings


async def converse(url: str, texts: List[str], turns: int, metadata: dict, sender: str,
                   pids: Dict[str, int], on_turn=lambda turn: None, split_threads: bool = False,
                   ) -> List[Dict[str, float]]:
    rows = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for text in texts:   # warm the servers with another conversation
            async with session.post(url, json={"sender": "warm-" + sender, "message": text, "metadata": metadata}) as r:
                await r.read()
        for turn in range(turns):
            on_turn(turn + 1)
            before = cpu_readings(pids, split_threads)
            started = time.perf_counter()
            async with session.post(url, json={"sender": sender, "message": texts[turn % len(texts)],
                                               "metadata": metadata}) as reply:
                await reply.read()
                if reply.status != 200:
                    raise RuntimeError(f"turn {turn + 1}: HTTP {reply.status}")
            row = {"ms": (time.perf_counter() - started) * 1000}
            # The event broker's writer commits up to 50 ms after the turn (analytics/broker.py):
            # wait for it, so its CPU counts for this turn and not the next.
            await asyncio.sleep(0.08)
            after = cpu_readings(pids, split_threads)
            row.update({name: (after[name] - before[name]) / 1e6 for name in before})
            rows.append(row)
    return rows


def session_positions(tracker_db: Path, sender: str) -> List[tuple]:
    """(session index, position in session) of each user message of ``sender``'s conversation,
    in order, read from the conversation store."""
    connection = sqlite3.connect(tracker_db)
    try:
        kinds = [k for (k,) in connection.execute(
            "SELECT type_name FROM events WHERE sender_id LIKE ? ORDER BY id", (sender + "%",))]
    finally:
        connection.close()
    session, position, out = 0, 0, []
    for kind in kinds:
        if kind == "session_started":
            session, position = session + 1, 0
        elif kind == "user":
            position += 1
            out.append((session, position))
    return out


def summarise(rows: List[Dict[str, float]], positions: List[tuple], servers: Sequence[str], bucket: int,
              at: Sequence[int] = (20, 100, 300)) -> str:
    by_position: Dict[int, List[Dict[str, float]]] = {}
    by_session: Dict[int, List[Dict[str, float]]] = {}
    for row, (session, position) in zip(rows, positions):
        by_position.setdefault((position - 1) // bucket, []).append(row)
        by_session.setdefault(session, []).append(row)
    lines = [f"{'turns of the session':<22}" + "".join(f"{s:>14}" for s in servers) + f"{'all':>10}{'p50 ms':>10}{'n':>6}"]

    def line(label: str, group: List[Dict[str, float]]) -> str:
        means = [statistics.fmean(r[s] for r in group) for s in servers]
        whole = sum(m for s, m in zip(servers, means) if ":" not in s)   # ":loop" is a part of its server
        return (f"{label:<22}" + "".join(f"{m:>14.1f}" for m in means) + f"{whole:>10.1f}"
                + f"{statistics.median(r['ms'] for r in group):>10.1f}{len(group):>6}")

    for key in sorted(by_position):
        lines.append(line(f"{key * bucket + 1}-{key * bucket + bucket}", by_position[key]))
    lines.append("by session (all its turns):")
    for key in sorted(by_session):
        group = by_session[key]
        lines.append(line(f"session {key} ({len(group)} t)", group))
    lines.append(line("whole conversation", rows))
    lines.append("at turn N of the conversation (its turns N-9..N):")
    for turn in at:
        if 10 <= turn <= len(rows):
            lines.append(line(f"turn {turn}", rows[turn - 10:turn]))
    return "\n".join(lines)


def run_one(workdir: Path, model: Path, session_turns: int, turns: int, py_spy: Optional[Path],
            rasa_code: Optional[Path], windows: Sequence[int] = (), split_threads: bool = False) -> str:
    from shop.identity import issue_customer_token

    stack = start_stack(workdir, model, with_site=False, rasa_code=rasa_code,
                        # Turns back to back in one conversation: no per-minute limit.
                        extra_env={"SESSION_MAX_USER_TURNS": str(session_turns),
                                   "SENDER_MAX_MESSAGES_PER_MINUTE": "0"})
    try:
        orders, products = shop_fixture_values(stack.database_url)
        customer, order = orders[0]
        texts = [t.format(order=order, product=products[0]) for t in LENGTH_TEXTS["assistant"]]
        metadata = {"customer_token": issue_customer_token(customer, secret=TEST_TOKEN_SECRET)}
        pids = {p.name: p.popen.pid for p in stack.processes}
        spies: list = []
        out = REPO / "bench" / "out"
        out.mkdir(parents=True, exist_ok=True)

        def start(label: str) -> None:
            for name, pid in pids.items():
                spies.append(subprocess.Popen(
                    [str(py_spy), "record", "--pid", str(pid), "--rate", "200", "--format", "raw", "--nonblocking",
                     "--output", str(out / f"profile-growth-{session_turns}{label}-{name}.txt")],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

        def stop() -> None:
            while spies:
                spy = spies.pop()
                spy.send_signal(2)   # SIGINT: py-spy writes what it has
                spy.wait(timeout=60)

        def on_turn(turn: int) -> None:
            # --profile-turns A B C D: profiles of turns A..B-1 and C..D-1 only.
            if turn in windows[0::2]:
                start(f"-from{turn}")
            elif turn in windows[1::2]:
                stop()

        if py_spy and not windows:
            start("")
        sender = f"growth-{time.time_ns()}"
        try:
            rows = asyncio.run(converse(stack.webhook, texts, turns, metadata, sender, pids,
                                        on_turn if py_spy and windows else (lambda turn: None),
                                        split_threads))
        finally:
            stop()
        positions = session_positions(workdir / "tracker.db", sender)
        if len(positions) != len(rows):
            raise RuntimeError(f"{len(rows)} turns sent, {len(positions)} user messages stored")
        columns = list(rows[0]) if rows else []
        return summarise(rows, positions, [c for c in columns if c != "ms"], 10)
    finally:
        stack.stop()


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=160)
    parser.add_argument("--session-turns", type=int, nargs="+", default=[40])
    parser.add_argument("--py-spy", type=Path)
    parser.add_argument("--profile-turns", type=int, nargs="*", default=[],
                        help="with --py-spy: profile only turns A..B-1 (and C..D-1 ...), e.g. 41 121 281 361")
    parser.add_argument("--rasa-code", type=Path, help="run the Rasa server in this checkout (an older commit)")
    parser.add_argument("--model", type=Path)
    parser.add_argument("--split-threads", action="store_true",
                        help="also show each server's main thread (the event loop) apart, as NAME:loop")
    args = parser.parse_args(argv)
    model = args.model or latest_model()
    print(f"Load average at the start: {load_average()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="turn-growth-") as tmp:
        for limit in args.session_turns:
            report = run_one(Path(tmp) / f"s{limit}", model, limit, args.turns, args.py_spy,
                             args.rasa_code and args.rasa_code.resolve(), args.profile_turns, args.split_threads)
            print(f"\nSESSION_MAX_USER_TURNS={limit}, {args.turns} turns in one conversation; CPU ms per turn:")
            print(report, flush=True)
    print(f"Load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
