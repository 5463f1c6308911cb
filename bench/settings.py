"""Settings of the benchmark (bench/run.py): the production settings with debug off.

Differences, all irrelevant to the timings: the dev tools (app bench: generate_city) are
installed, the test client's host is allowed, plain http (no redirect to https, cookies
without the secure flag) and static files without the collectstatic manifest (the pages only
build their URLs).
"""

from stellenplan.settings import *  # noqa: F403
from stellenplan.settings import INSTALLED_APPS as BASE_APPS

DEBUG = False
INSTALLED_APPS = BASE_APPS if "bench" in BASE_APPS else [*BASE_APPS, "bench"]
ALLOWED_HOSTS = ["testserver"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
