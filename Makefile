# Stellenplan — set-up, run and test. Only Python 3.11 and pip are assumed.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export DJANGO_SETTINGS_MODULE := stellenplan.settings
# Lock files (pip-compile with hashes): what CI, developers and production install.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
# The project itself: editable, without dependencies (they come from the lock) and built with
# the setuptools pinned in the lock, so nothing unpinned is fetched.
INSTALL_PROJECT := $(PIP) install --quiet --no-deps --no-build-isolation -e .

.PHONY: install lock system-deps run demo-data test test-sqlite test-postgres lint typecheck format bench serve deploy loadtest importtest clean

$(PY):
	@bash scripts/make-venv.sh "$(PYTHON)" $(VENV)

# pip itself first, pinned and hashed (requirements-pip.lock): the pip a new venv brings can be
# too old for the lock files (pip 23.2 fails on their extras in --require-hashes mode).
$(VENV)/.pip: requirements-pip.lock | $(PY)
	@$(PIP) install --quiet --disable-pip-version-check --require-hashes -r requirements-pip.lock \
	  || { echo "FEHLER: pip konnte nicht auf die Version aus requirements-pip.lock gebracht werden (Netz zu PyPI?)." >&2; exit 1; }
	@touch $@

# Runtime + dev packages exactly as locked, then the project (idempotent: re-run only when the
# lock or pyproject changes).
$(VENV)/.installed: $(DEV_LOCK) pyproject.toml $(VENV)/.pip
	$(PIP) install --quiet --require-hashes -r $(DEV_LOCK)
	$(INSTALL_PROJECT)
	touch $@

install: $(VENV)/.installed

# Regenerate both lock files after a change of the dependencies in pyproject.toml; pins that
# still fit stay. All to the newest releases within the bounds: make lock LOCK_ARGS=--upgrade
# (one package: LOCK_ARGS="--upgrade-package django"). The dev lock is constrained by the
# runtime lock, so both pin the same versions. Commit both, then `make install`.
LOCK_ARGS ?=
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet $(LOCK_ARGS) \
	--generate-hashes --allow-unsafe --strip-extras --all-build-deps \
	--no-emit-index-url --no-emit-find-links
lock: install
	$(PIP_COMPILE) -o $(LOCK) pyproject.toml
	$(PIP_COMPILE) --extra dev -c $(LOCK) -o $(DEV_LOCK) pyproject.toml
	{ sed -n '/^#/p' requirements-pip.lock; awk '/^pip==/{p=1} p&&!/^    --hash|^pip==/{exit} p' $(DEV_LOCK); } > requirements-pip.lock.new
	mv requirements-pip.lock.new requirements-pip.lock

# Debian packages the tests and PDF/Excel features need (browser, LibreOffice, poppler, fonts).
system-deps:
	bash scripts/system-deps.sh

run: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py load_reference_data
	DJANGO_DEBUG=1 $(PY) manage.py create_demo_accounts
	DJANGO_DEBUG=1 bash scripts/with-worker.sh $(PY) $(PY) manage.py runserver 127.0.0.1:8000

# The suite on both cores (pytest-xdist; each worker its own test database; a test file stays
# on one worker, so the worlds a module shares are built once). The 25 slowest steps are
# printed. TEST_ARGS adds pytest options, e.g. TEST_ARGS="-m 'not browser'" or a path.
TEST_WORKERS ?= 2
TEST_ARGS ?=
test: install system-deps
	DJANGO_DEBUG=1 $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile --durations=25 $(TEST_ARGS)

# Production mode in one command, for trying it locally (smoke test, load test): creates the
# PostgreSQL database if missing, migrates, collects static files, starts gunicorn and one task
# worker beside it (scripts/with-worker.sh: it stops with the server).
# Needs SECRET_KEY and ALLOWED_HOSTS; DATABASE_URL defaults to the local PostgreSQL (README).
serve: install
	bash scripts/serve.sh

# One release on a production server (README, "Betrieb in Produktion"): runtime packages from
# the lock (no dev extras), migrate, the cache table (only with CACHE_BACKEND=db), freeze adopted decisions that have no record yet (once;
# later runs change nothing), collectstatic, deploy check. Run once per release with the
# server's environment (SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL), then restart the service,
# which only starts gunicorn (deploy/stellenplan.service).
deploy: $(VENV)/.pip
	$(PIP) install --quiet --require-hashes -r $(LOCK)
	$(INSTALL_PROJECT)
	env -u DJANGO_DEBUG $(PY) manage.py migrate --noinput
	env -u DJANGO_DEBUG $(PY) manage.py createcachetable
	env -u DJANGO_DEBUG $(PY) manage.py freeze_adopted_decisions
	env -u DJANGO_DEBUG $(PY) manage.py collectstatic --noinput --verbosity 0
	env -u DJANGO_DEBUG $(PY) manage.py check --deploy

# Benchmark of the main paths (issues 6 and 10), not part of `make test`: builds three SQLite
# databases with generate_city (2,000, 20,000 and 100,000 positions; dev-tools app `bench`),
# prints medians and their ratios to the floors and writes them to bench/results.md (about
# 20 minutes on 2 cores; fewer repeats at 100,000). Shorter: BENCH_ARGS="--sizes 2000 20000".
bench: install system-deps
	DJANGO_DEBUG=1 $(VENV)/bin/pytest -m bench -q
	$(PY) bench/run.py $(BENCH_ARGS)

# Load test: measures the machine's capacity for the request mix (each action alone, CPU of
# gunicorn and PostgreSQL), then 5 editing users and 20 anonymous OParl clients for 60 s against
# `make serve` on a throw-away PostgreSQL database with city-size data; reports errors, the
# login page's median under load, rate-limited requests and lost edits in bench/results.md.
# Shorter (CI): LOADTEST_ARGS="--users 5 --anonymous 20 --seconds 10 --positions 2000 --papers 5 --no-results".
LOADTEST_ARGS ?= --users 5 --anonymous 20
loadtest: install
	$(PY) bench/loadtest.py $(LOADTEST_ARGS)

# A 50,000-row position import through `make serve` and its task worker: upload, check,
# confirm, then again with the worker killed mid-way and the job restarted (not in CI: minutes).
# Smaller: IMPORTTEST_ARGS="--rows 20000 --no-results".
importtest: install
	$(PY) bench/import_load.py $(IMPORTTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_DEBUG=1 $(VENV)/bin/mypy

# mypy with the django-stubs plugin (configured in pyproject.toml; the product packages, not
# tests/ and scripts/), also run by `make lint`. The plugin imports the settings, which need
# DJANGO_DEBUG=1 (or SECRET_KEY).
typecheck: install
	DJANGO_DEBUG=1 $(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-output
