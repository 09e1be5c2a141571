"""`rasa run` with the HTTP API token taken from the environment, not the command line.

A process's command line (/proc/PID/cmdline, `ps`) is readable by every user of the machine,
its environment only by its owner. Rasa 3.6 reads the API token only from `--auth-token`, so
this wrapper adds it to Rasa's own argument list inside the process: the token never appears
on the command line that `ps` shows. Usage: the arguments of `rasa`, e.g.
``RASA_API_TOKEN=... python scripts/rasa_run.py run --enable-api --model models``.

Fails closed: with `--enable-api` and no RASA_API_TOKEN the server does not start (an API
without a token would expose every conversation).
"""
from __future__ import annotations

import os
import sys


def main() -> None:
    token = os.environ.pop("RASA_API_TOKEN", "").strip()
    args = sys.argv[1:]
    if any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in args):
        sys.exit("scripts/rasa_run.py: give the token in RASA_API_TOKEN, not on the command line")
    if "--enable-api" in args:
        if not token:
            sys.exit("scripts/rasa_run.py: --enable-api needs RASA_API_TOKEN (refusing an API open to anyone)")
        args += ["--auth-token", token]
    # Only Python's own copy of the arguments changes; the kernel's cmdline stays as started.
    sys.argv = ["rasa", *args]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
