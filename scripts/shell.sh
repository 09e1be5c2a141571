#!/usr/bin/env bash
# Talk to the assistant in the terminal: starts the action server, then `rasa shell`.
# Set SHOP_DEV_CUSTOMER_ID (and SHOP_ALLOW_DEV_IDENTITY=1) to chat as a seeded customer.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PROJECT_ROOT"

bash scripts/install.sh
bash scripts/prepare.sh

mkdir -p "$VAR_DIR/logs"
setsid python -m actions.server >>"$VAR_DIR/logs/action-server.log" 2>&1 &
action_pid=$!
trap 'kill -TERM -- "-$action_pid" 2>/dev/null; wait 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "http://127.0.0.1:$ACTION_PORT/health" 2>/dev/null && break
  sleep 1
done
if [ -n "${SHOP_DEV_CUSTOMER_ID:-}" ] && [ "${SHOP_ALLOW_DEV_IDENTITY:-}" = 1 ]; then
  echo "==> Chatting as development customer $SHOP_DEV_CUSTOMER_ID"
else
  echo "==> Chatting as a guest (SHOP_ALLOW_DEV_IDENTITY=1 SHOP_DEV_CUSTOMER_ID=1 make shell to sign in)"
fi
rasa shell --model "$RASA_MODELS_DIR" --endpoints "$RASA_ENDPOINTS" --port "${SHELL_PORT:-5006}"
