#!/usr/bin/env bash
# CI smoke test of the production mode: `scripts/serve.sh` (gunicorn + whitenoise) on a
# throw-away PostgreSQL database with the reference data, on 127.0.0.1 and a free port.
# Logs in, fetches pages, a static file, an Excel export and a PDF, then stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
PGURL=${SMOKE_PG:-postgres://postgres@127.0.0.1:5432}
db="stellenplan_smoke_$$"
port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp -t stellenplan-serve.XXXXXX.log)
server_pid=""

cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -f "$log"
}
trap cleanup EXIT

# Throw-away secrets, generated for this run only.
export SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
export SMOKE_PASSWORD=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(18))')
export SMOKE_USER=smoke
export DATABASE_URL="$PGURL/$db"
export ALLOWED_HOSTS=127.0.0.1
export BIND="127.0.0.1:$port"
export SECURE_PROXY_SSL_HEADER=1   # the smoke client plays the TLS reverse proxy
export WEB_CONCURRENCY=2
unset DJANGO_DEBUG

psql "$PGURL/postgres" -qc "CREATE DATABASE $db"
"$PY" manage.py migrate --noinput --verbosity 0
"$PY" manage.py loaddata seed --verbosity 0
DJANGO_SUPERUSER_PASSWORD="$SMOKE_PASSWORD" "$PY" manage.py createsuperuser \
  --noinput --username "$SMOKE_USER" --email smoke@example.invalid >/dev/null

bash scripts/serve.sh >"$log" 2>&1 &
server_pid=$!

for _ in $(seq 1 120); do
  if "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "Server beendet sich beim Start:" >&2; cat "$log" >&2; exit 1
  fi
  sleep 0.5
done

if ! "$PY" scripts/smoke_check.py "http://127.0.0.1:$port"; then
  echo "--- Server-Log ---" >&2; tail -n 50 "$log" >&2
  exit 1
fi
kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=""
echo "Smoke-Test der Produktionsumgebung bestanden (gunicorn auf 127.0.0.1:$port, PostgreSQL $db)."
