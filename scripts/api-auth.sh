# Sourced by serve.sh: the Rasa HTTP API's authentication, from the environment, into RASA_AUTH_ARGS.
#   LBP_API_TOKEN   a shared token (rasa run --auth-token): requests carry ?token=...
#   LBP_JWT_SECRET  a JWT secret (rasa run --jwt-secret, LBP_JWT_METHOD default HS256):
#                   requests carry "Authorization: Bearer <jwt>"
# Off loopback (LBP_HOST other than 127.0.0.1, ::1 or localhost) one of them is required: without
# it the API would let anyone on the network read and rewrite every conversation. The channels'
# webhooks (/webhooks/...) stay open either way: they are how people talk to the assistant.
# Exits 1 with the reason when the setting is unsafe; starts nothing.

RASA_AUTH_ARGS=()
if [ -n "${LBP_API_TOKEN:-}" ]; then
  if [ "${#LBP_API_TOKEN}" -lt 16 ]; then
    echo "Refusing to start: LBP_API_TOKEN is shorter than 16 characters (try: openssl rand -hex 24)" >&2
    exit 1
  fi
  RASA_AUTH_ARGS+=(--auth-token "$LBP_API_TOKEN")
fi
if [ -n "${LBP_JWT_SECRET:-}" ]; then
  if [ "${#LBP_JWT_SECRET}" -lt 16 ]; then
    echo "Refusing to start: LBP_JWT_SECRET is shorter than 16 characters" >&2
    exit 1
  fi
  RASA_AUTH_ARGS+=(--jwt-secret "$LBP_JWT_SECRET" --jwt-method "${LBP_JWT_METHOD:-HS256}")
fi
case "${LBP_HOST:-127.0.0.1}" in
  127.0.0.1 | ::1 | localhost) ;;
  *)
    if [ "${#RASA_AUTH_ARGS[@]}" -eq 0 ]; then
      echo "Refusing to start: LBP_HOST=$LBP_HOST is not 127.0.0.1, ::1 or localhost, so the" \
        "HTTP API needs LBP_API_TOKEN or LBP_JWT_SECRET (see docs/operations.md, \"Access\")." >&2
      exit 1
    fi
    ;;
esac
