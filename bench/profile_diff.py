"""What grew between two py-spy profiles (collapsed stacks, ``py-spy record --format raw``).

    python bench/profile_diff.py bench/out/profile-growth-10-rasa.txt bench/out/profile-growth-80-rasa.txt [N]

Prints, for every function (file, no line), its inclusive busy samples in each profile and
the difference, largest growth first (N rows, default 45). Idle samples (the loop waiting in
select/epoll, threads waiting) are left out, as in bench/profile_summary.py. Used with
bench/turn_growth.py: the same conversation with short and with long sessions.
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path
from typing import Tuple

IDLE = re.compile(r"select \(selectors|epoll|_run_once.*select|poll \(|wait \(threading")


def inclusive(path: Path) -> Tuple[Counter, int]:
    counts: Counter = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        frames = stack.split(";")
        if IDLE.search(frames[-1]):
            continue
        total += int(n)
        for key in {re.sub(r":\d+\)", ")", frame) for frame in frames}:
            counts[key] += int(n)
    return counts, total


def main(argv=None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    (a, total_a), (b, total_b) = inclusive(Path(args[0])), inclusive(Path(args[1]))
    rows = int(args[2]) if len(args) > 2 else 45
    print(f"busy samples: {total_a} vs {total_b}")
    for key in sorted(set(a) | set(b), key=lambda k: -(b[k] - a[k]))[:rows]:
        print(f"{a[key]:>7} {b[key]:>7} {b[key] - a[key]:>+7}  {key[:150]}")


if __name__ == "__main__":
    main()
