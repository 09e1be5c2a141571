#!/usr/bin/env bash
# Brings the assistant up on the embedded default: installs if needed, creates and seeds
# the SQLite shop database if it is missing, trains if data/domain/config changed, then
# starts the action server, the Rasa server (REST + socket.io), the demo shop page and the
# operator console.
#
# Supervision: a server that stops after start-up is restarted with back-off (1 s, 2 s,
# 4 s … at most RESTART_MAX_DELAY s; back to 1 s once it has stayed up RESTART_RESET_AFTER s),
# and every restart is logged with its count. Ctrl-C, SIGTERM or SIGHUP — at any moment,
# also during install, training or start-up — stops every process this script started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PROJECT_ROOT"

RESTART_MAX_DELAY="${RESTART_MAX_DELAY:-30}"
RESTART_RESET_AFTER="${RESTART_RESET_AFTER:-60}"
LOG_DIR="$VAR_DIR/logs"
mkdir -p "$LOG_DIR"

# Each server runs in its own session and process group (setsid), so that stopping the
# group also stops anything it spawned. A signal can arrive between the fork and the
# child's setsid(), when the group does not exist yet: stopping therefore signals the pid as
# well as the group (that race is what left servers orphaned on their ports before).

names=()                 # servers, in start order
declare -A cmd=()        # name -> command line (shell-quoted)
declare -A pid=()        # name -> pid (= process group) of the running instance
declare -A restarts=()   # name -> restarts so far
declare -A fast_crashes=()  # name -> consecutive crashes within RESTART_RESET_AFTER s
declare -A started_at=() # name -> $SECONDS at the last start
declare -A restart_at=() # name -> $SECONDS when a pending restart is due
stopping=0

say() { echo "==> [$(date '+%H:%M:%S')] $*" 2>/dev/null || true; }

# A pause that a signal interrupts at once (bash runs a trap only after the foreground
# command ends, so a foreground `sleep` would hold it back).
pause() { sleep "$1" & wait $! 2>/dev/null || true; }

# Runs a start-up step (installing, training) in its own group and waits for it, so that a
# signal during a long step is handled at once and the step is stopped with the rest.
step() { setsid "$@" & wait $!; }

stop_all() {
  # Ignore further signals while stopping: a second Ctrl-C, or SIGTERM to `make run`'s group
  # (make forwards its own copy), used to kill the script half-way through, its servers
  # (each in its own session) left running on their ports.
  trap - EXIT
  trap '' INT TERM HUP
  stopping=1
  # Keep going whatever happens (e.g. the terminal is gone and echo fails): the point is
  # that no process is left behind.
  set +e
  local groups=() p
  for p in "${pid[@]}"; do [ -n "$p" ] && groups+=("$p"); done
  # Background jobs not (yet) recorded above: a start-up step, a pause, a server whose
  # start the signal interrupted between `&` and the bookkeeping.
  for p in $(jobs -p 2>/dev/null); do groups+=("$p"); done
  [ "${#groups[@]}" -eq 0 ] && return
  say "Stopping ${names[*]:-start-up}"
  for p in "${groups[@]}"; do kill -TERM -- "-$p" "$p" 2>/dev/null; done
  # Give each process group up to 15 s to finish in-flight requests, then force it.
  for _ in $(seq 1 30); do
    local alive=0
    for p in "${groups[@]}"; do kill -0 -- "-$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    pause 0.5
  done
  for p in "${groups[@]}"; do kill -KILL -- "-$p" "$p" 2>/dev/null; done
  wait 2>/dev/null
  say "Stopped"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

step bash scripts/install.sh
step bash scripts/prepare.sh

launch() {
  local name=$1
  # `exec` so that the recorded pid is the server itself, not a subshell around it.
  eval "exec setsid ${cmd[$name]}" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  pid[$name]=$!
  started_at[$name]=$SECONDS
}

start() {
  local name=$1; shift
  names+=("$name")
  cmd[$name]="$(printf '%q ' "$@")"
  restarts[$name]=0
  fast_crashes[$name]=0
  launch "$name"
  say "Started $name (pid ${pid[$name]}, log $LOG_DIR/$name.log)"
}

wait_for() {
  local name=$1 url=$2 timeout=${3:-240}
  for _ in $(seq 1 "$timeout"); do
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null & wait $!; then return 0; fi
    for n in "${names[@]}"; do
      if ! kill -0 "${pid[$n]}" 2>/dev/null; then
        echo "!! $n exited during start-up; last lines of its log:" >&2
        tail -n 30 "$LOG_DIR/$n.log" >&2
        exit 1
      fi
    done
    pause 1
  done
  echo "!! $name did not answer at $url within ${timeout}s (log: $LOG_DIR/$name.log)" >&2
  exit 1
}

start action-server python -m actions.server
# The API token travels in the environment (RASA_API_TOKEN, from env.sh), readable only by
# its owner; scripts/rasa_run.py hands it to Rasa inside the process, so `ps` never shows it.
start rasa python scripts/rasa_run.py run --model "$RASA_MODELS_DIR" \
  --endpoints "$RASA_ENDPOINTS" --credentials credentials.yml \
  --interface "$RASA_HOST" --port "$RASA_PORT" \
  --enable-api --cors "*"
if [ -f shop_site/__main__.py ]; then
  # The demo sign-in is off unless asked for; the demo asks for it, on 127.0.0.1 (env.sh).
  # (In the command itself, so that a restart of the site keeps it.)
  start shop-site env SHOP_DEMO_LOGIN="${SHOP_DEMO_LOGIN:-1}" python -m shop_site
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

# A server that stopped: clear out what is left of its process group (a helper process
# would keep the port), log it with its last lines, and schedule the restart.
schedule_restart() {
  local name=$1 status=0 delay
  wait "${pid[$name]}" 2>/dev/null || status=$?
  kill -KILL -- "-${pid[$name]}" 2>/dev/null || true
  if (( SECONDS - started_at[$name] >= RESTART_RESET_AFTER )); then fast_crashes[$name]=0; fi
  delay=$(( 1 << (fast_crashes[$name] < 5 ? fast_crashes[$name] : 5) ))
  (( delay > RESTART_MAX_DELAY )) && delay=$RESTART_MAX_DELAY
  fast_crashes[$name]=$(( fast_crashes[$name] + 1 ))
  restarts[$name]=$(( restarts[$name] + 1 ))
  restart_at[$name]=$(( SECONDS + delay ))
  say "!! $name (pid ${pid[$name]}) stopped with status $status; restart $((restarts[$name])) in ${delay} s. Last lines of its log:" >&2
  tail -n 15 "$LOG_DIR/$name.log" >&2 || true
  pid[$name]=""
}

while [ "$stopping" = 0 ]; do
  for name in "${names[@]}"; do
    if [ -n "${pid[$name]}" ]; then
      kill -0 "${pid[$name]}" 2>/dev/null || schedule_restart "$name"
    elif (( SECONDS >= restart_at[$name] )); then
      launch "$name"
      say "Restarted $name (pid ${pid[$name]}; restart ${restarts[$name]})"
    fi
  done
  pause 1
done
