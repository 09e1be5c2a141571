"""Where a server's time goes, from a py-spy profile in collapsed-stack form
(``py-spy record --format raw``, as bench/conversation_bench.py --py-spy writes them).

    python bench/profile_summary.py bench/out/profile-assistant-8-rasa.txt [...]

For each file: the share of samples (inclusive: a sample counts for every bucket whose
pattern appears in its stack, so shares overlap) spent in the buckets below, and the
functions most often on top of the stack (exclusive time). Idle samples (the event loop
waiting in select/epoll) are counted apart.
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

# Bucket -> pattern on a frame "function (file:line)" of the collapsed stack.
BUCKETS = {
    "NLU pipeline (parse)": r"rasa/nlu/|shop_nlu/|parse_message",
    "  tokenizer (jieba)": r"jieba",
    "  featurizers": r"featurizer",
    "  classifier": r"classifier",
    "  entity extractor": r"extractor",
    "policies (predict next action)": r"rasa/core/policies/|predict_next_with_tracker|_predict_next_action",
    "action-server hop (RemoteAction.run)": r"RemoteAction\.run|rasa/core/actions/action\.py:\d+\)?;?.*run \(",
    "  tracker serialised for it (current_state)": r"current_state",
    "  response validated": r"_validate_action_result|jsonschema",
    "tracker store: retrieve (rebuild tracker)": r"tracker_store\.py.*retrieve|\bretrieve \(",
    "tracker store: save": r"\bsave \(.*tracker_store|save_sql_tracker",
    "  stream_events (stock: second retrieve)": r"stream_events",
    "event broker publish": r"brokers|analytics/broker",
    "SQLAlchemy (any)": r"sqlalchemy",
    "shop channel code (shop_channels/)": r"shop_channels/",
    "logging": r"logging/__init__",
    "action server: actions/ + assistant/ + shop/": r"/actions/|/assistant/|/shop/",
    "  database (shop/db)": r"/shop/db/",
    "  rasa_sdk (tracker parsing, dispatch)": r"rasa_sdk",
}
IDLE = re.compile(r"select \(selectors|epoll|_run_once.*select|base_events\.py.*select|poll \(|wait \(threading")


def summarise(path: Path) -> str:
    stacks = Counter()
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks[stack] += int(count)
    total = sum(stacks.values())
    idle = sum(n for s, n in stacks.items() if IDLE.search(s.split(";")[-1]))
    busy = total - idle or 1
    lines = [f"{path.name}: {total} samples, {idle} idle ({idle / (total or 1):.0%}); shares of busy samples:"]
    for name, pattern in BUCKETS.items():
        regex = re.compile(pattern)
        n = sum(c for s, c in stacks.items() if not IDLE.search(s.split(";")[-1]) and regex.search(s))
        lines.append(f"  {name:<46} {n / busy:>6.1%}")
    tops = Counter()
    for s, c in stacks.items():
        if not IDLE.search(s.split(";")[-1]):
            tops[s.split(";")[-1]] += c
    lines.append("  top of stack (exclusive):")
    for frame, c in tops.most_common(8):
        lines.append(f"    {c / busy:>6.1%}  {frame[:110]}")
    return "\n".join(lines)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(summarise(Path(name)))
        print()
