# Defaults shared by the run scripts; every value can be overridden from the environment.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-3}"
export RASA_TELEMETRY_ENABLED="${RASA_TELEMETRY_ENABLED:-false}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
export LBP_STATE_DIR="${LBP_STATE_DIR:-var}"
export LBP_TRACKER_DB="${LBP_TRACKER_DB:-$LBP_STATE_DIR/tracker.db}"
export LBP_HOST="${LBP_HOST:-127.0.0.1}"
export LBP_PORT="${LBP_PORT:-5005}"
export LBP_ACTION_PORT="${LBP_ACTION_PORT:-5055}"
# The action server listens on loopback only unless told otherwise (rasa_sdk reads SANIC_HOST).
export SANIC_HOST="${LBP_ACTION_HOST:-127.0.0.1}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:$LBP_ACTION_PORT/webhook}"
export LBP_ENDPOINTS="${LBP_ENDPOINTS:-endpoints.yml}"
mkdir -p "$LBP_STATE_DIR" "$(dirname "$LBP_TRACKER_DB")"
