#!/usr/bin/env bash
# Brings the assistant up on the embedded default: installs if needed, creates and seeds
# the SQLite shop database if it is missing, trains if data/domain/config changed, then
# starts the action server, the Rasa server (REST + socket.io), the demo shop page and the
# operator console.
# Ctrl-C stops every process this script started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PROJECT_ROOT"

bash scripts/install.sh
bash scripts/prepare.sh

LOG_DIR="$VAR_DIR/logs"
mkdir -p "$LOG_DIR"
pids=()
names=()

stop_all() {
  trap - INT TERM HUP EXIT
  # Keep going whatever happens (e.g. the terminal is gone and echo fails): the point is
  # that no process is left behind.
  set +e
  [ "${#pids[@]}" -eq 0 ] && return
  echo
  echo "==> Stopping ${names[*]}" 2>/dev/null
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  # Give each process group up to 15 s to finish in-flight requests, then force it.
  for _ in $(seq 1 30); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null
  echo "==> Stopped" 2>/dev/null
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Each process runs in its own session (setsid) so that stopping its process group
# also stops anything it spawned.
start() {
  local name=$1; shift
  setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 &
  pids+=("$!")
  names+=("$name")
  echo "==> Started $name (pid $!, log $LOG_DIR/$name.log)"
}

wait_for() {
  local name=$1 url=$2 timeout=${3:-240}
  for _ in $(seq 1 "$timeout"); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    for i in "${!pids[@]}"; do
      if ! kill -0 "${pids[$i]}" 2>/dev/null; then
        echo "!! ${names[$i]} exited during start-up; last lines of its log:" >&2
        tail -n 30 "$LOG_DIR/${names[$i]}.log" >&2
        exit 1
      fi
    done
    sleep 1
  done
  echo "!! $name did not answer at $url within ${timeout}s (log: $LOG_DIR/$name.log)" >&2
  exit 1
}

start action-server python -m actions.server
start rasa rasa run --model "$RASA_MODELS_DIR" \
  --endpoints "$RASA_ENDPOINTS" --credentials credentials.yml \
  --interface "$RASA_HOST" --port "$RASA_PORT" \
  --enable-api --auth-token "$RASA_API_TOKEN" --cors "*"
if [ -f shop_site/__main__.py ]; then
  start shop-site python -m shop_site
fi
start console python -m console

echo "==> Waiting for the servers (the Rasa server needs about a minute to load TensorFlow and the model)"
wait_for action-server "http://127.0.0.1:$ACTION_PORT/health"
wait_for rasa "http://127.0.0.1:$RASA_PORT/"
if [ -f shop_site/__main__.py ]; then
  wait_for shop-site "http://127.0.0.1:$WEB_PORT/healthz"
fi
wait_for console "http://127.0.0.1:$CONSOLE_PORT/healthz"

cat <<MSG

==> The assistant is up.
    REST:        curl -s -XPOST localhost:$RASA_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' -d '{"sender":"u1","message":"你好"}'
    socket.io:   http://localhost:$RASA_PORT/socket.io/
    Rasa API:    http://localhost:$RASA_PORT/  (token in $VAR_DIR/rasa_api_token)
    Actions:     http://localhost:$ACTION_PORT/health
MSG
if [ -f shop_site/__main__.py ]; then
  echo "    Web chat:    http://localhost:$WEB_PORT/"
fi
echo "    Console:     http://localhost:$CONSOLE_PORT/  (operators; first admin: python -m console.create_admin NAME)"
echo "    Logs:        $LOG_DIR/"
echo "    Press Ctrl-C to stop everything."

# Stay up until Ctrl-C or until one of the processes dies (then stop the rest).
while true; do
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "!! ${names[$i]} stopped; last lines of its log:" >&2
      tail -n 30 "$LOG_DIR/${names[$i]}.log" >&2
      exit 1
    fi
  done
  sleep 2
done
