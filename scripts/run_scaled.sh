#!/usr/bin/env bash
# Scale-out setup on one machine's real infrastructure: PostgreSQL (shop database and
# conversations), Redis (lock store), RASA_INSTANCES Rasa servers and ACTION_INSTANCES
# action servers behind nginx. Ctrl-C stops everything it started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PROJECT_ROOT"

RASA_INSTANCES="${RASA_INSTANCES:-2}"
ACTION_INSTANCES="${ACTION_INSTANCES:-2}"
LB_PORT="${LB_PORT:-8080}"
ACTION_LB_PORT="${ACTION_LB_PORT:-8081}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
export SHOP_DATABASE_URL="${SCALED_SHOP_DATABASE_URL:-postgresql+psycopg2://postgres@127.0.0.1:5432/shop}"
export TRACKER_DB_URL="${SCALED_TRACKER_DB_URL:-postgresql://postgres@127.0.0.1:5432/rasa_tracker}"
export TRACKER_DB_NAME="${TRACKER_DB_NAME:-rasa_tracker}"
export REDIS_HOST="${REDIS_HOST:-127.0.0.1}" REDIS_PORT="${REDIS_PORT:-6379}"
export REDIS_LOCK_DB="${REDIS_LOCK_DB:-1}" REDIS_TRACKER_DB="${REDIS_TRACKER_DB:-2}"
export RASA_ENDPOINTS="${SCALED_RASA_ENDPOINTS:-$PROJECT_ROOT/deploy/endpoints.scale.yml}"
export ACTION_ENDPOINT_URL="http://127.0.0.1:$ACTION_LB_PORT/webhook"
# Analytics: events through RabbitMQ (Rasa's Pika broker) to a consumer writing PostgreSQL.
export RABBITMQ_HOST="${RABBITMQ_HOST:-127.0.0.1}" RABBITMQ_PORT="${RABBITMQ_PORT:-5672}"
export RABBITMQ_USER="${RABBITMQ_USER:-guest}" RABBITMQ_PASSWORD="${RABBITMQ_PASSWORD:-guest}"
export ANALYTICS_QUEUE="${ANALYTICS_QUEUE:-shop_analytics}" ANALYTICS_SOURCE=rabbitmq
export ANALYTICS_DB_URL="${SCALED_ANALYTICS_DB_URL:-postgresql+psycopg2://postgres@127.0.0.1:5432/shop_analytics}"
export ANALYTICS_RABBITMQ_URL="amqp://$RABBITMQ_USER:$RABBITMQ_PASSWORD@$RABBITMQ_HOST:$RABBITMQ_PORT/"

# Debian installs nginx in /usr/sbin, which is not on every user's PATH.
command -v nginx >/dev/null || { [ -x /usr/sbin/nginx ] && export PATH="$PATH:/usr/sbin"; }
command -v nginx >/dev/null || { echo "nginx is required (apt-get install nginx)" >&2; exit 1; }
bash scripts/install.sh
python - <<PY
from sqlalchemy import create_engine, text
engine = create_engine("$PG_ADMIN_URL", isolation_level="AUTOCOMMIT", future=True)
with engine.connect() as c:
    for name in ("${SHOP_DATABASE_URL##*/}", "$TRACKER_DB_NAME", "${ANALYTICS_DB_URL##*/}"):
        if not c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            c.execute(text(f'CREATE DATABASE "{name}"'))
            print(f"created database {name}")
PY
bash scripts/prepare.sh

RUN_DIR="$VAR_DIR/scaled"
mkdir -p "$RUN_DIR/logs"
pids=()
stop_all() {
  trap - INT TERM HUP EXIT
  set +e
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  sleep 3
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

setsid python -m analytics consume-rabbitmq >>"$RUN_DIR/logs/analytics-consumer.log" 2>&1 &
pids+=("$!")

rasa_upstreams="" action_upstreams=""
for i in $(seq 1 "$ACTION_INSTANCES"); do
  port=$((ACTION_PORT + 100 + i))
  ACTION_PORT="$port" setsid python -m actions.server >>"$RUN_DIR/logs/action-$i.log" 2>&1 &
  pids+=("$!"); action_upstreams+="server 127.0.0.1:$port; "
done
for i in $(seq 1 "$RASA_INSTANCES"); do
  port=$((RASA_PORT + 100 + i))
  setsid rasa run --model "$RASA_MODELS_DIR" --endpoints "$RASA_ENDPOINTS" --credentials credentials.yml \
    --port "$port" --interface 127.0.0.1 >>"$RUN_DIR/logs/rasa-$i.log" 2>&1 &
  pids+=("$!"); rasa_upstreams+="server 127.0.0.1:$port; "
done

VAR="$RUN_DIR" RASA_UPSTREAMS="$rasa_upstreams" ACTION_UPSTREAMS="$action_upstreams" \
  LB_PORT="$LB_PORT" ACTION_LB_PORT="$ACTION_LB_PORT" \
  python -c 'import os,string,sys; sys.stdout.write(string.Template(open("deploy/nginx.conf.template").read()).safe_substitute(os.environ))' \
  > "$RUN_DIR/nginx.conf"
setsid nginx -c "$RUN_DIR/nginx.conf" -p "$RUN_DIR" -g 'daemon off;' >>"$RUN_DIR/logs/nginx.log" 2>&1 &
pids+=("$!")

echo "==> Waiting for $RASA_INSTANCES Rasa and $ACTION_INSTANCES action servers behind nginx"
for _ in $(seq 1 300); do
  ok=1
  for i in $(seq 1 "$RASA_INSTANCES"); do curl -fsS -o /dev/null "http://127.0.0.1:$((RASA_PORT + 100 + i))/" 2>/dev/null || ok=0; done
  [ "$ok" = 1 ] && break
  sleep 1
done
curl -fsS -o /dev/null "http://127.0.0.1:$LB_PORT/" || { echo "!! load balancer not answering" >&2; exit 1; }
echo "==> Up: REST http://localhost:$LB_PORT/webhooks/rest/webhook  (logs: $RUN_DIR/logs)"
echo "    Press Ctrl-C to stop everything."
while true; do sleep 3600; done
