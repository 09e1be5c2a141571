"""Renders deploy/nginx.conf.template from the environment to stdout (scripts/run_scaled.sh).

The per-address limits must be whole numbers above 0: nginx would refuse a bad value only when
it starts, with a message about its own configuration file rather than about the variable.
"""

from __future__ import annotations

import os
import string
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf.template"
LIMITS = ("LB_REQUESTS_PER_S", "LB_REQUEST_BURST", "LB_CONNECTIONS_PER_ADDRESS")


def render(env: dict) -> str:
    for name in LIMITS:
        value = env.get(name, "")
        if not (value.isascii() and value.isdigit() and 0 < int(value) <= 1_000_000):
            raise SystemExit(f"{name} must be a whole number from 1 to 1000000, got {value!r}")
    return string.Template(TEMPLATE.read_text(encoding="utf-8")).safe_substitute(env)


if __name__ == "__main__":
    sys.stdout.write(render(dict(os.environ)))
