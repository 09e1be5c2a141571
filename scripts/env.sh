# Configuration defaults, sourced by the run, test and shell scripts.
# Every value can be overridden from the environment (see README, "Configuration").
# shellcheck shell=bash
PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PROJECT_ROOT

export VENV="${VENV:-$PROJECT_ROOT/.venv}"
export VAR_DIR="${VAR_DIR:-$PROJECT_ROOT/var}"
mkdir -p "$VAR_DIR"

# Network.
export RASA_HOST="${RASA_HOST:-0.0.0.0}"
export RASA_PORT="${RASA_PORT:-5005}"
# The action server answers only the Rasa server, on this machine by default.
export ACTION_HOST="${ACTION_HOST:-127.0.0.1}"
export ACTION_PORT="${ACTION_PORT:-5055}"
# Derived from ACTION_PORT unless given. One this file derived before (a shell that sourced it,
# then `ACTION_PORT=6601 make run`) follows the port: kept, it sent the Rasa server's action
# calls to the old port while the action server that run started waited on the new one.
if [ -z "${ACTION_ENDPOINT_URL:-}" ] || [ "$ACTION_ENDPOINT_URL" = "${_ACTION_ENDPOINT_URL_DERIVED:-}" ]; then
  ACTION_ENDPOINT_URL="http://127.0.0.1:${ACTION_PORT}/webhook"
  export _ACTION_ENDPOINT_URL_DERIVED="$ACTION_ENDPOINT_URL"
fi
export ACTION_ENDPOINT_URL
# The demo shop binds to this machine only: its demo sign-in (SHOP_DEMO_LOGIN, on in
# `make run`) hands a token for any seeded customer to whoever can reach it, and the site
# refuses to start with it on a non-loopback address (see shop_site/config.py).
export WEB_HOST="${WEB_HOST:-127.0.0.1}"
export WEB_PORT="${WEB_PORT:-8000}"
export CONSOLE_HOST="${CONSOLE_HOST:-127.0.0.1}"
export CONSOLE_PORT="${CONSOLE_PORT:-8001}"

# Paths.
export RASA_MODELS_DIR="${RASA_MODELS_DIR:-$PROJECT_ROOT/models}"
export SHOP_DATABASE_URL="${SHOP_DATABASE_URL:-sqlite:///$VAR_DIR/shop.db}"

# Conversation (tracker) store: a SQL database, a SQLite file by default. Set
# TRACKER_DB_URL to a SQLAlchemy URL (postgresql://user:pw@host:5432/rasa) to use a server.
export TRACKER_DB_URL="${TRACKER_DB_URL:-}"
export TRACKER_DB_PATH="${TRACKER_DB_PATH:-$VAR_DIR/tracker.db}"
# Analytics: ANALYTICS_EVENTS_DB_PATH (Rasa's SQL event broker file) and ANALYTICS_DB_URL
# (the dashboard's tables) default to events.db / analytics.db beside TRACKER_DB_PATH
# (analytics/settings.py), so a test or benchmark that moves the tracker moves them too.
# Which endpoints file to use (deploy/ holds the scale-out variant).
export RASA_ENDPOINTS="${RASA_ENDPOINTS:-$PROJECT_ROOT/endpoints.yml}"

# Rasa's HTTP API (/model/parse, /conversations/...) exposes every conversation, so it is
# only enabled with a token. One is generated and kept in var/ unless given.
if [ -z "${RASA_API_TOKEN:-}" ]; then
  [ -s "$VAR_DIR/rasa_api_token" ] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$VAR_DIR/rasa_api_token")
  RASA_API_TOKEN="$(cat "$VAR_DIR/rasa_api_token")"
fi
export RASA_API_TOKEN

# Secret shared by the shop site (which signs customer tokens) and the action server
# (which verifies them). Generated once per checkout unless given.
if [ -z "${SHOP_TOKEN_SECRET:-}" ]; then
  [ -s "$VAR_DIR/token_secret" ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$VAR_DIR/token_secret")
  SHOP_TOKEN_SECRET="$(cat "$VAR_DIR/token_secret")"
fi
export SHOP_TOKEN_SECRET

# Secret the Rasa server sends to the action server (header X-Action-Secret, from
# endpoints.yml); the action server refuses every call without it. Generated unless given.
if [ -z "${ACTION_SERVER_SECRET:-}" ]; then
  [ -s "$VAR_DIR/action_server_secret" ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$VAR_DIR/action_server_secret")
  ACTION_SERVER_SECRET="$(cat "$VAR_DIR/action_server_secret")"
fi
export ACTION_SERVER_SECRET

# Quieter TensorFlow; no telemetry.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export RASA_TELEMETRY_ENABLED="${RASA_TELEMETRY_ENABLED:-false}"
export PATH="$VENV/bin:$PATH"
