"""scripts/env.sh, the defaults every run, test and shell script sources: a value it derived
from another setting follows that setting when the script is sourced again (the README has
operators source it in their shell, then start `make run` on other ports), and a value given
is kept."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _bash(script: str, var_dir: Path) -> str:
    """Run ``script`` in a bash whose environment has none of the action server's settings,
    with env.sh's generated secrets kept under ``var_dir``; its last line of output."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("ACTION_", "_ACTION_"))}
    env["VAR_DIR"] = str(var_dir)
    done = subprocess.run(["bash", "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                          check=True, timeout=60)
    return done.stdout.strip().splitlines()[-1]


def test_the_action_endpoint_follows_a_port_given_after_env_sh_was_sourced(tmp_path):
    # An operator's shell that sourced env.sh, then `ACTION_PORT=6601 make run`: the Rasa
    # server must call the action server that run starts, on 6601, not the default's 5055.
    url = _bash('source scripts/env.sh; ACTION_PORT=6601 bash -c "source scripts/env.sh; echo \\$ACTION_ENDPOINT_URL"',
                tmp_path)
    assert url == "http://127.0.0.1:6601/webhook"


def test_an_action_endpoint_given_is_kept_whatever_the_port(tmp_path):
    given = "http://10.0.0.5:5055/webhook"
    assert _bash(f"export ACTION_ENDPOINT_URL={given} ACTION_PORT=6601; source scripts/env.sh; echo $ACTION_ENDPOINT_URL",
                 tmp_path) == given
    # Given after an earlier sourcing derived one: still the one given.
    assert _bash(f'source scripts/env.sh; ACTION_ENDPOINT_URL={given} ACTION_PORT=6601 '
                 f'bash -c "source scripts/env.sh; echo \\$ACTION_ENDPOINT_URL"', tmp_path) == given


def test_the_action_endpoint_defaults_to_the_action_port(tmp_path):
    assert _bash("source scripts/env.sh; echo $ACTION_ENDPOINT_URL", tmp_path) == "http://127.0.0.1:5055/webhook"
