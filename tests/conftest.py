"""Fixtures every test may use, and how the suite shares its test worlds.

Speed (issue 20): CI has 15 minutes on 2 cores for the whole suite on SQLite and PostgreSQL.

- ``seed`` (the reference data) is loaded once per test module, not once per test: the first
  test of a module that asks for it opens a transaction, loads the data and keeps it open; every
  test then runs in its own savepoint inside it (pytest-django's ``db``), and the transaction is
  rolled back when the module is done: the semantics of Django's ``setUpTestData``. Modules
  with transactional tests (live server, concurrency) load it per test, as before.
- Transactional tests leave the database as migrated: Django empties it after each of them and
  the post_migrate handlers (core.apps: roles, data-version triggers; content types) fill in
  what the migrations made. No serialized rollback: it would skip those handlers and leave the
  database empty for the next file on the same worker (a file stays on one worker).
  Within each group of database tests, those that do not ask for ``seed`` run first, so they
  never see the reference data of their module.
- ``shared_world`` builds any other world once per module the same way (the permission matrix
  does so for its sample objects).
- PDFs: ``core.pdf`` renders with a fast stand-in (a plain PDF of the HTML's text) unless a
  test is marked ``pdf``: mark every test that is about a PDF's layout, tagging, PDF/A or
  pages. See ``tests/pdf_standin.py``.
- Tasks (core.Job, issue 21) run at once with Django's immediate backend (``immediate_tasks``).
- hypothesis: profile ``ci`` (fewer examples) when CI is set, ``dev`` otherwise
  (HYPOTHESIS_PROFILE chooses one explicitly).
- Rate limits of the anonymous OParl requests are off (every test client has one address);
  tests about them set them (``no_rate_limits``).
- A test slower than 30 s fails in CI (a warning elsewhere) unless it is marked ``slow``
  (``SLOW_TEST_SECONDS``).
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "test-output"
SLOW_TEST_SECONDS = 30.0

hypothesis_settings.register_profile(
    "dev",
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# CI: fewer examples per run, each run a new random draw (the examples found failing are
# printed with their seed and are kept as explicit examples in the tests).
hypothesis_settings.register_profile(
    "ci",
    parent=hypothesis_settings.get_profile("dev"),
    max_examples=12,
    database=None,
    print_blob=True,
)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


# --- shared test worlds -----------------------------------------------------------------------


def is_transactional(item: pytest.Item) -> bool:
    """Whether a test uses a committing database (live server, transactional_db)."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    ):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


def uses_db(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return "db" in names or item.get_closest_marker("django_db") is not None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """After pytest-django's order (database tests, transactional tests, others): within each
    group, the tests without the reference data first (a stable sort keeps everything else)."""

    def group(item: pytest.Item) -> int:
        if is_transactional(item):
            return 1
        return 0 if uses_db(item) else 2

    items.sort(key=lambda item: (group(item), "seed" in getattr(item, "fixturenames", ())))


@contextmanager
def shared_world(django_db_blocker) -> Iterator[None]:
    """A transaction around a module's tests: what is made inside is seen by each of them (each
    runs in a savepoint) and rolled back at the end, like Django's ``setUpTestData``."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def module_is_transactional(request: pytest.FixtureRequest) -> bool:
    module = request.node
    return any(
        is_transactional(item)
        for item in request.session.items
        if item.nodeid.split("::")[0] == module.nodeid
    )


@pytest.fixture(scope="module")
def seed_world(request, django_db_setup, django_db_blocker) -> Iterator[bool]:
    """The reference data once for the module (True), or nothing where the module has
    transactional tests (False: ``seed`` then loads it per test)."""
    if module_is_transactional(request):
        yield False
        return
    with shared_world(django_db_blocker):
        call_command("loaddata", "seed", verbosity=0)
        yield True


@pytest.fixture
def seed(seed_world, db):
    """The reference data: the Beschlussvorlage of 19.09.2011 (loaddata seed)."""
    if not seed_world:
        call_command("loaddata", "seed", verbosity=0)


# --- PDFs: the real renderer only where a test is about the PDF ------------------------------


#: Tasks in tests: run at once, inside the request or service that enqueues them (Django's
#: immediate backend). Tests of the worker itself use the database backend and run the worker
#: once (tests/core/test_jobs_worker.py).
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True, scope="session")
def immediate_tasks() -> Iterator[None]:
    with override_settings(TASKS=IMMEDIATE_TASKS):
        yield


@pytest.fixture(autouse=True)
def pdf_renderer(request, monkeypatch) -> None:
    if request.node.get_closest_marker("pdf") is None:
        from tests.pdf_standin import install

        install(monkeypatch)


# --- rate limits: off, except where a test is about them -----------------------------------


@pytest.fixture(autouse=True)
def no_rate_limits(settings) -> None:
    """The anonymous OParl limits (core/ratelimit.py) count per client address, and every test
    client is 127.0.0.1: off, so a crawl is not cut short; the tests about the limits set them."""
    settings.OPARL_RATE_LIMIT_PER_MINUTE = 0
    settings.OPARL_FILE_RATE_LIMIT_PER_MINUTE = 0
    settings.BUERGERINFO_RATE_LIMIT_PER_MINUTE = 0


# --- a guard against slow tests -------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    started = time.perf_counter()
    result = yield
    took = time.perf_counter() - started
    if took > SLOW_TEST_SECONDS and item.get_closest_marker("slow") is None:
        message = (
            f"{item.nodeid} took {took:.0f} s (> {SLOW_TEST_SECONDS:.0f} s): make it faster "
            "(share its world, no PDF unless it is about one) or mark it slow with a reason."
        )
        # Strict where the time means something (CI: a machine of its own); a developer's
        # machine may be busy with other work, so there it is a warning.
        if os.environ.get("CI"):
            raise AssertionError(message)
        warnings.warn(message, stacklevel=1)
    return result


# --- files and users ------------------------------------------------------------------------


@pytest.fixture
def output_dir() -> Path:
    """Folder for screenshots and rendered pages (not committed)."""
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR


# Role accounts as the demo command creates them: the groups come from the migrations.
ROLE_GROUPS = {
    "personalamt": "Personalamt",
    "kaemmerei": "Kämmerei",
    "sitzungsdienst": "Sitzungsdienst",
    "admin": None,  # superuser
}
TEST_PASSWORD = "Ein-langes-Test-Passwort-42"


def make_role_users(django_user_model) -> dict:
    """One user per role (personalamt, kaemmerei, sitzungsdienst, admin), password
    TEST_PASSWORD, hashed with the fast MD5 hasher (the production hasher costs seconds)."""
    from django.contrib.auth.hashers import MD5PasswordHasher, make_password
    from django.contrib.auth.models import Group

    password = make_password(TEST_PASSWORD, hasher=MD5PasswordHasher())
    users = {}
    for username, group_name in ROLE_GROUPS.items():
        user = django_user_model.objects.create(
            username=username,
            password=password,
            is_superuser=group_name is None,
            is_staff=group_name is None,
        )
        if group_name:
            user.groups.add(Group.objects.get(name=group_name))
        users[username] = user
    return users


@pytest.fixture
def role_users(db, django_user_model, settings) -> dict:
    """One user per role (personalamt, kaemmerei, sitzungsdienst, admin), password TEST_PASSWORD."""
    # Logging in checks the password with the configured hashers: MD5 is among them here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_role_users(django_user_model)
