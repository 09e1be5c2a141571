#!/usr/bin/env bash
# Everything between "installed" and "ready to serve": the shop database (migrate and seed
# when empty) and the Rasa model (trained only when data, domain or config changed —
# Rasa's own fingerprinting decides). Safe to run repeatedly.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PROJECT_ROOT"

python -m shop.db.bootstrap
bash scripts/train.sh
# The recommender artifact: trained from the shop database when there is none yet
# (retrain after catalogue or order changes with `make train-recommender`).
if [ ! -e "${RECOMMENDER_MODEL_DIR:-$PROJECT_ROOT/models/recommender}/latest" ]; then
  echo "==> Training the recommender"
  python -m assistant.recommender_training -q
fi
