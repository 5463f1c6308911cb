#!/usr/bin/env bash
# Production mode: PostgreSQL, migrate, collectstatic, gunicorn with whitenoise.
#
# Environment (see README, "Betrieb in Produktion"):
#   SECRET_KEY        required (long random value, the same on every app server)
#   ALLOWED_HOSTS     required, e.g. stellenplan.intranet.example
#   DATABASE_URL      default postgres://postgres@127.0.0.1:5432/stellenplan (created if missing)
#   BIND              gunicorn address, default 127.0.0.1:8000 (put a TLS reverse proxy in front)
#   WEB_CONCURRENCY   gunicorn worker processes, default 2 × CPUs + 1
#   GUNICORN_THREADS  threads per worker, default 1
#   DB_CONN_MAX_AGE   seconds a worker keeps its database connection, default 60
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
export DJANGO_SETTINGS_MODULE=stellenplan.settings
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/stellenplan}
# Keep each worker's database connection for a minute instead of opening one per request.
export DB_CONN_MAX_AGE=${DB_CONN_MAX_AGE:-60}
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
"$PY" manage.py collectstatic --noinput --verbosity 0
"$PY" manage.py check --deploy   # prints what is insecure; stops only on errors

workers=${WEB_CONCURRENCY:-$(( 2 * $(nproc) + 1 ))}
exec "$(dirname "$PY")/gunicorn" stellenplan.wsgi:application \
  --bind "${BIND:-127.0.0.1:8000}" \
  --workers "$workers" \
  --threads "${GUNICORN_THREADS:-1}" \
  --timeout "${GUNICORN_TIMEOUT:-120}" \
  --access-logfile - \
  --error-logfile -
