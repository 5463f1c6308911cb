"""Headless Chromium (Debian package `chromium`) driven by Playwright against the live server.

A missing browser is an error, not a skip: `make test` installs it (scripts/system-deps.sh).
"""

import os
from pathlib import Path

import pytest
from django.db import connections

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the
# test itself (fixtures, assertions) are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), (
        f"{CHROMIUM} fehlt: bitte die Debian-Pakete chromium und chromium-driver installieren "
        "(make system-deps)."
    )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # Playwright runs the test in a greenlet with its own context, so the ORM calls made
            # meanwhile opened their own database connection: close it, or PostgreSQL cannot
            # drop the test database at the end.
            connections.close_all()
