#!/usr/bin/env bash
# The test command: installs and trains if needed, lints (ruff check, configured in
# pyproject.toml), validates the training data, runs the Rasa test stories (with
# --fail-on-prediction-errors) and the pytest suite. Any failure
# makes it exit non-zero. pytest runs last so its summary line closes the output.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PROJECT_ROOT"

bash scripts/install.sh
bash scripts/prepare.sh

echo "==> ruff check"
ruff check

echo "==> rasa data validate"
rasa data validate --domain domain.yml --data data --config config.yml

echo "==> rasa test (conversation test stories)"
rm -rf results/stories
rasa test core --model "$RASA_MODELS_DIR" --stories tests/stories \
  --endpoints "$RASA_ENDPOINTS" --out results/stories --fail-on-prediction-errors \
  --no-plot

echo "==> pytest"
python -m pytest "$@"
