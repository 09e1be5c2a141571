#!/usr/bin/env bash
# Trains the Rasa model only when its inputs changed.
#
# The newest model in $RASA_MODELS_DIR records a hash of what it was trained from
# (config, domain, data, custom NLU components and the domain rule they read, Rasa version)
# in <model>.inputs. When that
# matches, nothing happens. Otherwise `rasa train` runs, and Rasa's own fingerprinting and
# training cache (.rasa/, git-ignored) retrain only the components whose inputs changed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PROJECT_ROOT"

if [ -f shop_nlu/build_resources.py ]; then
  python -m shop_nlu.build_resources --if-changed
fi

inputs_hash() {
  {
    grep -E '^(rasa|rasa-sdk)==' requirements/rasa.txt
    find config.yml domain.yml data shop_nlu shop/domain/policies.py -type f \
      \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' -o -name '*.txt' -o -name '*.json' \) \
      -not -path '*/__pycache__/*' 2>/dev/null | LC_ALL=C sort | xargs sha256sum
  } | sha256sum | cut -d' ' -f1
}

want=$(inputs_hash)
latest=$(ls -t "$RASA_MODELS_DIR"/*.tar.gz 2>/dev/null | head -n 1 || true)
if [ -n "$latest" ] && [ -f "$latest.inputs" ] && [ "$(cat "$latest.inputs")" = "$want" ]; then
  echo "==> Model up to date: $latest"
  exit 0
fi

echo "==> Training (inputs changed or no model yet)"
mkdir -p "$RASA_MODELS_DIR"
rasa train --domain domain.yml --config config.yml --data data --out "$RASA_MODELS_DIR"
latest=$(ls -t "$RASA_MODELS_DIR"/*.tar.gz | head -n 1)
echo "$want" > "$latest.inputs"

# Keep the three newest models.
ls -t "$RASA_MODELS_DIR"/*.tar.gz | tail -n +4 | while read -r old; do rm -f "$old" "$old.inputs"; done
echo "==> Model: $latest"
