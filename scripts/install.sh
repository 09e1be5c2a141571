#!/usr/bin/env bash
# Builds the project's virtual environment from the pinned requirement files.
# Idempotent: a stamp (hash of the requirement files and the interpreter version)
# makes a second run install nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

want_stamp() {
  { "$PYTHON" -c 'import sys; print(sys.version)'; cat requirements/rasa.txt requirements/lock.txt; } | sha256sum | cut -d' ' -f1
}

stamp_file="$VENV/.requirements.sha256"
want=$(want_stamp)
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$want" ]; then
  exit 0
fi

"$PYTHON" - <<'PY'
import sys
if sys.version_info[:2] != (3, 11):
    sys.exit(f"Python 3.11 is required (found {sys.version.split()[0]}); set PYTHON=/path/to/python3.11")
PY

echo "==> Building $VENV (first run takes a few minutes)"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
pip=("$VENV/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off)
# Rasa itself: its metadata says <3.11, the code runs on 3.11.
"${pip[@]}" --no-deps --ignore-requires-python -r requirements/rasa.txt
# Everything else from the complete lock; --no-deps keeps pip from re-resolving
# Rasa's python_version-marked pins into releases that need Python 3.12.
"${pip[@]}" --no-deps -r requirements/lock.txt

# Make the project's packages (assistant, shop, shop_nlu, recommender, actions, ...) importable
# from any working directory, for rasa's component loader and the action server.
site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
pwd > "$site/shop-assistant.pth"

echo "$want" > "$stamp_file"
echo "==> $VENV ready"
