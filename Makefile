# Stellenplan — set-up, run and test. Only Python 3.11 and pip are assumed.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export DJANGO_SETTINGS_MODULE := stellenplan.settings

.PHONY: install system-deps run demo-data test test-sqlite test-postgres lint format bench serve loadtest clean

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# Python packages of the project with its dev extras (idempotent: re-run only when pyproject changes).
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Debian packages the tests and PDF/Excel features need (browser, LibreOffice, poppler, fonts).
system-deps:
	bash scripts/system-deps.sh

run: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py load_reference_data
	DJANGO_DEBUG=1 $(PY) manage.py create_demo_accounts
	DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: install system-deps
	DJANGO_DEBUG=1 $(VENV)/bin/pytest

# Production mode: gunicorn + whitenoise on PostgreSQL after migrate and collectstatic.
# Needs SECRET_KEY and ALLOWED_HOSTS; DATABASE_URL defaults to the local PostgreSQL (README).
serve: install
	bash scripts/serve.sh

# Benchmark of the main paths (issues 6 and 10), not part of `make test`: builds three SQLite
# databases with generate_city (2,000, 20,000 and 100,000 positions; dev-tools app `bench`),
# prints medians and their ratios to the floors and writes them to bench/results.md (about
# 20 minutes on 2 cores; fewer repeats at 100,000). Shorter: BENCH_ARGS="--sizes 2000 20000".
bench: install system-deps
	$(PY) bench/run.py $(BENCH_ARGS)

# Load test: measures the machine's capacity for the request mix (each action alone, CPU of
# gunicorn and PostgreSQL), then 20 users for 60 s against `make serve` on a throw-away
# PostgreSQL database with city-size data; reports throughput ÷ capacity in bench/results.md.
# Shorter: LOADTEST_ARGS="--users 5 --seconds 10 --positions 2000 --no-results".
loadtest: install
	$(PY) bench/loadtest.py $(LOADTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-output
