#!/usr/bin/env bash
# `make chat`: the action server in the background, rasa shell in the foreground; leaving stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
.venv/bin/python -m actions --actions actions --port "$LBP_ACTION_PORT" \
  >"$LBP_STATE_DIR/action-server.log" 2>&1 &
actions_pid=$!
trap 'kill "$actions_pid" 2>/dev/null; wait "$actions_pid" 2>/dev/null || true' EXIT
echo "Action server starting on port $LBP_ACTION_PORT (log: $LBP_STATE_DIR/action-server.log)."
echo "Type your message; /stop leaves."
.venv/bin/python -m server shell --quiet --interface 127.0.0.1 --model models/lbp.tar.gz --endpoints "$LBP_ENDPOINTS" --log-file "$LBP_STATE_DIR/rasa-shell.log"
