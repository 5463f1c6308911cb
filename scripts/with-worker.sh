#!/usr/bin/env bash
# Runs a server command with one task worker beside it (`make run`, `make serve`; issue 21):
#   bash scripts/with-worker.sh PYTHON SERVER-COMMAND...
# The worker (`manage.py db_worker`, Django's Tasks framework with the database backend) runs
# the long jobs (large imports, exports) that the pages hand to it. It runs in a process group
# of its own and stops with the server: when the server ends, or when this script gets SIGTERM
# or SIGINT (both are passed on). WORKER_ARGS adds options, e.g. WORKER_ARGS=--no-reload.
# In production the worker is a service of its own (deploy/stellenplan-worker.service).
set -uo pipefail
cd "$(dirname "$0")/.."

PY=$1
shift
# shellcheck disable=SC2086
setsid "$PY" manage.py db_worker ${WORKER_ARGS:-} &
worker_pid=$!
"$@" &
server_pid=$!

stop() {
  kill -TERM "$server_pid" 2>/dev/null || true
  kill -TERM -- "-$worker_pid" 2>/dev/null || true
}
trap stop TERM INT

# `wait` returns early when a trapped signal arrives: wait again until the server has ended.
while kill -0 "$server_pid" 2>/dev/null; do
  wait "$server_pid"
  status=$?
done
kill -TERM -- "-$worker_pid" 2>/dev/null || true
wait "$worker_pid" 2>/dev/null || true
exit "${status:-0}"
