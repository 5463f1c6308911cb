#!/usr/bin/env bash
# Production mode in one command, for trying it on one machine (`make serve`, the smoke test and
# the load test): creates the PostgreSQL database if missing, migrate, collectstatic, deploy
# check, then gunicorn with whitenoise and one task worker (scripts/with-worker.sh). A
# production server runs `make deploy` once per release instead and starts gunicorn and the
# worker as two services (deploy/stellenplan.service, deploy/stellenplan-worker.service).
#
# Environment (see README, "Betrieb in Produktion"):
#   SECRET_KEY        required (long random value, the same on every app server)
#   ALLOWED_HOSTS     required, e.g. stellenplan.intranet.example
#   DATABASE_URL      default postgres://postgres@127.0.0.1:5432/stellenplan (created if missing)
#   BIND              gunicorn address, default 127.0.0.1:8000 (put a TLS reverse proxy in front)
#   WEB_CONCURRENCY   gunicorn worker processes, default 2 × CPUs + 1
#   GUNICORN_THREADS  threads per worker, default 1
#   GUNICORN_TIMEOUT  seconds before a silent worker is restarted, default 120
#   DB_CONN_MAX_AGE   seconds a worker keeps its database connection, default 60
#   CACHE_BACKEND     default db here: Django's database cache, so the OParl rate limits count
#                     for all gunicorn workers together (locmem: per worker)
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
export DJANGO_SETTINGS_MODULE=stellenplan.settings
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/stellenplan}
export CACHE_BACKEND=${CACHE_BACKEND:-db}
unset DJANGO_DEBUG

if [[ -z "${SECRET_KEY:-}" ]]; then
  echo "SECRET_KEY fehlt: bitte einen langen Zufallswert setzen, z. B." >&2
  echo "  export SECRET_KEY=\$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')" >&2
  exit 2
fi
if [[ -z "${ALLOWED_HOSTS:-}" ]]; then
  echo "ALLOWED_HOSTS fehlt: Hostname(n) des Servers, durch Komma getrennt." >&2
  exit 2
fi

# Create the PostgreSQL database if it does not exist yet (needs CREATEDB rights).
"$PY" - <<'PYEOF'
import os
import dj_database_url

cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
if "postgresql" in cfg["ENGINE"]:
    import psycopg
    from psycopg import sql

    params = {"dbname": "postgres", "user": cfg.get("USER") or None,
              "password": cfg.get("PASSWORD") or None, "host": cfg.get("HOST") or None,
              "port": cfg.get("PORT") or None}
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg["NAME"])))
            print(f"Datenbank {cfg['NAME']} angelegt.")
PYEOF

"$PY" manage.py migrate --noinput
"$PY" manage.py createcachetable   # the table of CACHE_BACKEND=db (nothing to do otherwise)
"$PY" manage.py collectstatic --noinput --verbosity 0
"$PY" manage.py check --deploy   # prints what is insecure; stops only on errors

# BIND, WEB_CONCURRENCY, GUNICORN_THREADS, GUNICORN_TIMEOUT, DB_CONN_MAX_AGE: see the config.
# One task worker beside gunicorn (long imports and exports); it stops with the server.
WORKER_ARGS="--no-reload" exec bash scripts/with-worker.sh "$PY" \
  "$(dirname "$PY")/gunicorn" --config deploy/gunicorn.conf.py
