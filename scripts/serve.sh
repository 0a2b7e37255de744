#!/usr/bin/env bash
# `make serve`: the Rasa server and the action server in the foreground; Ctrl-C or SIGTERM stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# Off loopback the HTTP API needs a token or JWT secret: refuse before starting anything.
source scripts/api-auth.sh
pids=()
stop() {
  trap - INT TERM EXIT
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop EXIT
trap 'stop; exit 0' INT TERM
.venv/bin/python -m actions --actions actions --port "$LBP_ACTION_PORT" &
pids+=($!)
# Telegram and Slack join the channels when their variables are set (channels/credentials.py).
.venv/bin/python -m channels.credentials credentials.yml "$LBP_STATE_DIR/credentials.yml"
.venv/bin/python -m server run --model models/lbp.tar.gz --enable-api --cors "http://$LBP_HOST:$LBP_PORT" \
  --interface "$LBP_HOST" --port "$LBP_PORT" "${RASA_AUTH_ARGS[@]}" \
  --credentials "$LBP_STATE_DIR/credentials.yml" --endpoints "$LBP_ENDPOINTS" &
pids+=($!)
echo "Rasa server: http://$LBP_HOST:$LBP_PORT  (REST: /webhooks/rest/webhook)"
echo "Web chat: http://$LBP_HOST:$LBP_PORT/webchat/  (open it once the Rasa server says it is up)"
echo "Action server: http://127.0.0.1:$LBP_ACTION_PORT/health"
# Whichever server stops first takes the other with it.
wait -n "${pids[@]}"
