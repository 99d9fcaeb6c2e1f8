#!/usr/bin/env bash
# schemathesis against a live `prognoza serve` (gunicorn, 4 workers, production settings) on a fresh
# SQLite demo company, with an admin token, every check on, the rules of schemathesis.toml.
# Usage: scripts/fuzz-live-api.sh [EXAMPLES] [extra `schemathesis run` options]
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES="${1:-30}"
shift || true
PORT="${PORT:-5311}"
WORK="$(mktemp -d)"
export PROGNOZA_INSTANCE_DIR="$WORK" PROGNOZA_DATABASE_URL="sqlite:///$WORK/prognoza.sqlite3"
export PROGNOZA_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
export PROGNOZA_WORKERS=4 PROGNOZA_THREADS=4
# One token is enough; the run itself never signs in.
.venv/bin/prognoza db upgrade >/dev/null
PROGNOZA_ENV=development .venv/bin/prognoza demo ready --clients 300 --months 4 --seed 3 >/dev/null
PROGNOZA_ENV=production .venv/bin/prognoza serve --host 127.0.0.1 --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER; rm -rf "$WORK"' EXIT
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done
TOKEN="$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/tokens" -H 'Content-Type: application/json' \
    -d '{"email": "admin@example.com", "password": "prognoza-demo"}' | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
# Revoking the run's own token would turn every later case into a 401: those two operations have their own tests.
.venv/bin/schemathesis --config-file schemathesis.toml run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
    -H "Authorization: Bearer $TOKEN" --checks all --max-examples "$EXAMPLES" \
    --exclude-operation-id revokeCurrentToken --exclude-operation-id revokeToken "$@"
