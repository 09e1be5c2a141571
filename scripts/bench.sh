#!/usr/bin/env bash
# The benchmarks (not tests): each prints its figures and writes them under bench/out/.
#   bash scripts/bench.sh                 # all of them (an hour or more the first time:
#                                         # the large data profile is seeded once and kept)
#   bash scripts/bench.sh nlu conversation   # only some: db, recommender, nlu, conversation, growth
# Run them on an otherwise idle machine; tail latencies measure the machine's load too.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PROJECT_ROOT"

bash scripts/install.sh
bash scripts/prepare.sh

which=("$@")
[ ${#which[@]} -eq 0 ] && which=(db recommender nlu conversation growth)
for name in "${which[@]}"; do
  echo "==> bench: $name (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  case "$name" in
    db)           python bench/db_latency.py --profile large --iterations 300 ;;
    recommender)  python bench/recommender_eval.py --perf ;;
    nlu)          python bench/nlu_eval.py --full-train
                  # the blind development set (intents only): a second never-trained-on file
                  python bench/nlu_eval.py --skip-cv --heldout bench/data/nlu_dev.yml --report-name nlu_dev ;;
    conversation) python bench/conversation_bench.py --full --wal-floor --no-diet-floor --seconds 20 ;;
    growth)       mkdir -p bench/out
                  for part in stats segments "large --backend both" live; do
                    # shellcheck disable=SC2086  # the part's words are its arguments
                    python bench/growth_bench.py $part | tee "bench/out/growth_${part%% *}.txt"
                  done ;;
    *) echo "unknown benchmark '$name' (db, recommender, nlu, conversation, growth)" >&2; exit 2 ;;
  esac
done
