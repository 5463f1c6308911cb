"""gunicorn settings of Stellenplan, from the environment (README, "Betrieb in Produktion").

Used by the systemd unit (deploy/stellenplan.service) and by `make serve` (scripts/serve.sh):

    .venv/bin/gunicorn --config deploy/gunicorn.conf.py

    BIND              address, default 127.0.0.1:8000 (a TLS reverse proxy in front)
    WEB_CONCURRENCY   worker processes, default 2 × CPUs + 1
    GUNICORN_THREADS  threads per worker, default 1
    GUNICORN_TIMEOUT  seconds before a silent worker is restarted, default 120 (large exports)
    DB_CONN_MAX_AGE   seconds a worker keeps its database connection, default 60 here
"""

import os

wsgi_app = "stellenplan.wsgi:application"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stellenplan.settings")
# Keep each worker's database connection for a minute instead of opening one per request;
# set here (before the workers load the settings) so every way of starting gunicorn gets it.
os.environ.setdefault("DB_CONN_MAX_AGE", "60")

bind = [os.environ.get("BIND") or "127.0.0.1:8000"]
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * len(os.sched_getaffinity(0)) + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 120)
# Access and error log to stdout/stderr: the journal under systemd.
accesslog = "-"
errorlog = "-"
# No control socket (gunicorn 25.1+, default ~/.gunicorn/gunicorn.ctl): systemd manages the
# process, and several instances of one user (smoke test, load test) would share the path.
control_socket_disable = True
