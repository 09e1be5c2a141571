#!/usr/bin/env bash
# Scale-out setup on one machine's real infrastructure: PostgreSQL (shop database and
# conversations), Redis (lock store), RASA_INSTANCES Rasa servers and ACTION_INSTANCES
# action servers behind nginx. Ctrl-C, SIGTERM or SIGHUP stops everything it started, at
# once, also during start-up.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PROJECT_ROOT"

RASA_INSTANCES="${RASA_INSTANCES:-2}"
ACTION_INSTANCES="${ACTION_INSTANCES:-2}"
LB_PORT="${LB_PORT:-8080}"
ACTION_LB_PORT="${ACTION_LB_PORT:-8081}"
# The Rasa servers listen on 127.0.0.1 behind nginx only: they take the client's address from
# the one X-Forwarded-For entry nginx adds (shop_channels.identity.client_address).
export SANIC_PROXIES_COUNT=1
# nginx's limits per client address (deploy/nginx.conf.template).
LB_REQUESTS_PER_S="${LB_REQUESTS_PER_S:-20}"
LB_REQUEST_BURST="${LB_REQUEST_BURST:-100}"
LB_CONNECTIONS_PER_ADDRESS="${LB_CONNECTIONS_PER_ADDRESS:-200}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
export SHOP_DATABASE_URL="${SCALED_SHOP_DATABASE_URL:-postgresql+psycopg2://postgres@127.0.0.1:5432/shop}"
export TRACKER_DB_URL="${SCALED_TRACKER_DB_URL:-postgresql://postgres@127.0.0.1:5432/rasa_tracker}"
export TRACKER_DB_NAME="${TRACKER_DB_NAME:-rasa_tracker}"
export REDIS_HOST="${REDIS_HOST:-127.0.0.1}" REDIS_PORT="${REDIS_PORT:-6379}"
export REDIS_LOCK_DB="${REDIS_LOCK_DB:-1}" REDIS_TRACKER_DB="${REDIS_TRACKER_DB:-2}"
export RASA_ENDPOINTS="${SCALED_RASA_ENDPOINTS:-$PROJECT_ROOT/deploy/endpoints.scale.yml}"
export ACTION_ENDPOINT_URL="http://127.0.0.1:$ACTION_LB_PORT/webhook"
# Lifetime (s) of a Rasa server's hold on a conversation in the Redis lock store (Rasa reads
# TICKET_LOCK_LIFETIME; its default is 60 s). A server that dies mid-turn never releases its
# hold, so the conversation's next turn waits until it expires: short here, so that a shopper
# whose server died goes on within seconds. Live servers renew their holds
# (shop_channels/lock_store.py), so a turn may take longer than this.
export TICKET_LOCK_LIFETIME="${TICKET_LOCK_LIFETIME:-10}"

# A pause that a signal interrupts at once (bash runs a trap only after the foreground
# command ends: the old `sleep 3600` held SIGTERM back for up to an hour).
pause() { sleep "$1" & wait $! 2>/dev/null || true; }
# A start-up step in its own process group, waited for so that a signal stops it at once.
step() { setsid "$@" & wait $!; }

pids=()
stop_all() {
  # Ignore further signals while stopping (a second Ctrl-C used to kill the script half-way,
  # its servers left running); the same rule as scripts/run.sh.
  trap - EXIT
  trap '' INT TERM HUP
  set +e
  local groups=("${pids[@]}") p
  # Also what is not recorded yet: a start-up step, a pause, a server that the signal
  # interrupted between `&` and the bookkeeping.
  for p in $(jobs -p 2>/dev/null); do groups+=("$p"); done
  [ "${#groups[@]}" -eq 0 ] && return
  echo "==> Stopping the scale-out setup" 2>/dev/null
  # The pid as well as the group: a signal right after a fork can come before the child's
  # setsid(), when its group does not exist yet.
  for p in "${groups[@]}"; do kill -TERM -- "-$p" "$p" 2>/dev/null; done
  for _ in $(seq 1 20); do
    local alive=0
    for p in "${groups[@]}"; do kill -0 -- "-$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    pause 0.5
  done
  for p in "${groups[@]}"; do kill -KILL -- "-$p" "$p" 2>/dev/null; done
  wait 2>/dev/null
  echo "==> Stopped" 2>/dev/null
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Analytics: events through RabbitMQ (Rasa's Pika broker) to a consumer writing PostgreSQL.
export RABBITMQ_HOST="${RABBITMQ_HOST:-127.0.0.1}" RABBITMQ_PORT="${RABBITMQ_PORT:-5672}"
export RABBITMQ_USER="${RABBITMQ_USER:-guest}" RABBITMQ_PASSWORD="${RABBITMQ_PASSWORD:-guest}"
export ANALYTICS_QUEUE="${ANALYTICS_QUEUE:-shop_analytics}" ANALYTICS_SOURCE=rabbitmq
export ANALYTICS_DB_URL="${SCALED_ANALYTICS_DB_URL:-postgresql+psycopg2://postgres@127.0.0.1:5432/shop_analytics}"
export ANALYTICS_RABBITMQ_URL="amqp://$RABBITMQ_USER:$RABBITMQ_PASSWORD@$RABBITMQ_HOST:$RABBITMQ_PORT/"

# Debian installs nginx in /usr/sbin, which is not on every user's PATH.
command -v nginx >/dev/null || { [ -x /usr/sbin/nginx ] && export PATH="$PATH:/usr/sbin"; }
command -v nginx >/dev/null || { echo "nginx is required (apt-get install nginx)" >&2; exit 1; }
step bash scripts/install.sh
python - <<PY
from sqlalchemy import create_engine, text
engine = create_engine("$PG_ADMIN_URL", isolation_level="AUTOCOMMIT", future=True)
with engine.connect() as c:
    for name in ("${SHOP_DATABASE_URL##*/}", "$TRACKER_DB_NAME", "${ANALYTICS_DB_URL##*/}"):
        if not c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            c.execute(text(f'CREATE DATABASE "{name}"'))
            print(f"created database {name}")
PY
step bash scripts/prepare.sh

RUN_DIR="$VAR_DIR/scaled"
mkdir -p "$RUN_DIR/logs"

setsid python -m analytics consume-rabbitmq >>"$RUN_DIR/logs/analytics-consumer.log" 2>&1 &
pids+=("$!")

rasa_upstreams="" action_upstreams=""
for i in $(seq 1 "$ACTION_INSTANCES"); do
  port=$((ACTION_PORT + 100 + i))
  ACTION_PORT="$port" setsid python -m actions.server >>"$RUN_DIR/logs/action-$i.log" 2>&1 &
  pids+=("$!"); action_upstreams+="server 127.0.0.1:$port max_fails=1 fail_timeout=5s; "
done
for i in $(seq 1 "$RASA_INSTANCES"); do
  port=$((RASA_PORT + 100 + i))
  setsid rasa run --model "$RASA_MODELS_DIR" --endpoints "$RASA_ENDPOINTS" --credentials credentials.yml \
    --port "$port" --interface 127.0.0.1 >>"$RUN_DIR/logs/rasa-$i.log" 2>&1 &
  # max_fails/fail_timeout: after one failed connection nginx leaves a dead server alone
  # for a few seconds instead of trying it first again.
  pids+=("$!"); rasa_upstreams+="server 127.0.0.1:$port max_fails=1 fail_timeout=5s; "
done

VAR="$RUN_DIR" RASA_UPSTREAMS="$rasa_upstreams" ACTION_UPSTREAMS="$action_upstreams" \
  LB_PORT="$LB_PORT" ACTION_LB_PORT="$ACTION_LB_PORT" LB_REQUESTS_PER_S="$LB_REQUESTS_PER_S" \
  LB_REQUEST_BURST="$LB_REQUEST_BURST" LB_CONNECTIONS_PER_ADDRESS="$LB_CONNECTIONS_PER_ADDRESS" \
  python scripts/nginx_conf.py > "$RUN_DIR/nginx.conf" || exit 1
setsid nginx -c "$RUN_DIR/nginx.conf" -p "$RUN_DIR" -g 'daemon off;' >>"$RUN_DIR/logs/nginx.log" 2>&1 &
pids+=("$!")

echo "==> Waiting for $RASA_INSTANCES Rasa and $ACTION_INSTANCES action servers behind nginx"
for _ in $(seq 1 300); do
  ok=1
  for i in $(seq 1 "$RASA_INSTANCES"); do
    curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$((RASA_PORT + 100 + i))/" 2>/dev/null & wait $! || ok=0
  done
  [ "$ok" = 1 ] && break
  for p in "${pids[@]}"; do
    kill -0 "$p" 2>/dev/null || { echo "!! a server exited during start-up (logs: $RUN_DIR/logs)" >&2; exit 1; }
  done
  pause 1
done
curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$LB_PORT/" & wait $! || { echo "!! load balancer not answering" >&2; exit 1; }
echo "==> Up: REST http://localhost:$LB_PORT/webhooks/rest/webhook  (logs: $RUN_DIR/logs)"
echo "    Press Ctrl-C to stop everything."
while true; do pause 3600; done
