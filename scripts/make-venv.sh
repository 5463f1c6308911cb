#!/usr/bin/env bash
# Creates the project's virtualenv with Python 3.11 or newer (make install calls it once).
# Usage: make-venv.sh PYTHON VENV. Falls back to python3 when PYTHON is not on the PATH.
set -euo pipefail
python=$1
venv=$2
command -v "$python" >/dev/null 2>&1 || python=python3
if ! command -v "$python" >/dev/null 2>&1; then
  echo "FEHLER: kein Python gefunden ($1 oder python3). Stellenplan braucht Python 3.11 oder neuer." >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "FEHLER: $python ist $("$python" --version 2>&1); Stellenplan braucht Python 3.11 oder neuer (make PYTHON=python3.12 …)." >&2
  exit 1
fi
if ! "$python" -m venv "$venv"; then
  echo "FEHLER: '$python -m venv' schlug fehl. Auf Debian/Ubuntu fehlt dann meist das Paket python3-venv (apt-get install python3-venv)." >&2
  exit 1
fi
