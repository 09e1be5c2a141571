#!/usr/bin/env bash
# Talk to the assistant in the terminal: starts the action server, then `rasa shell`.
# Set SHOP_DEV_CUSTOMER_ID (and SHOP_ALLOW_DEV_IDENTITY=1) to chat as a seeded customer.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PROJECT_ROOT"

bash scripts/install.sh
bash scripts/prepare.sh

# The shell gets its own action server: the development identity below is read by the
# action server's environment, so one started by `make run` would chat as a guest. When
# `make run` holds ACTION_PORT, this one takes a free port and the shell's Rasa calls it.
port_in_use() {
  python -c 'import socket, sys; s = socket.socket(); s.settimeout(0.5); sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"
}
if port_in_use "$ACTION_PORT"; then
  free_port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  echo "==> Port $ACTION_PORT is in use (is \`make run\` up?); this shell's action server uses port $free_port"
  export ACTION_PORT="$free_port" ACTION_ENDPOINT_URL="http://127.0.0.1:$free_port/webhook"
fi
if port_in_use "${SHELL_PORT:-5006}"; then
  echo "error: port ${SHELL_PORT:-5006} (rasa shell) is in use; set SHELL_PORT to a free port" >&2
  exit 1
fi

mkdir -p "$VAR_DIR/logs"
action_log="$VAR_DIR/logs/action-server-shell.log"
setsid python -m actions.server >>"$action_log" 2>&1 &
action_pid=$!
trap 'kill -TERM -- "-$action_pid" 2>/dev/null; wait 2>/dev/null || true' EXIT
healthy=0
for _ in $(seq 1 60); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$ACTION_PORT/health" 2>/dev/null; then healthy=1; break; fi
  kill -0 "$action_pid" 2>/dev/null || break
  sleep 1
done
if [ "$healthy" != 1 ]; then
  echo "error: the action server did not start on port $ACTION_PORT; last lines of $action_log:" >&2
  tail -n 15 "$action_log" >&2
  exit 1
fi
if [ -n "${SHOP_DEV_CUSTOMER_ID:-}" ] && [ "${SHOP_ALLOW_DEV_IDENTITY:-}" = 1 ]; then
  echo "==> Chatting as development customer $SHOP_DEV_CUSTOMER_ID"
else
  echo "==> Chatting as a guest (SHOP_ALLOW_DEV_IDENTITY=1 SHOP_DEV_CUSTOMER_ID=1 make shell to sign in)"
fi
rasa shell --model "$RASA_MODELS_DIR" --endpoints "$RASA_ENDPOINTS" --port "${SHELL_PORT:-5006}"
