"""Settings of Stellenplan, read from the environment.

DATABASE_URL   database (default: SQLite file db.sqlite3 in the project)
DJANGO_DEBUG   "1" turns debug on (off by default)
SECRET_KEY     required when debug is off
ALLOWED_HOSTS  comma-separated host names
CSRF_TRUSTED_ORIGINS comma-separated origins (https://stellenplan.example)

Security switches (defaults: secure when debug is off, relaxed when debug is on):
SECURE_SSL_REDIRECT      "1": redirect http to https (default on without debug)
SECURE_PROXY_SSL_HEADER  "1": trust X-Forwarded-Proto: https from the reverse proxy that
                         terminates TLS (only when the proxy sets or strips that header)
SECURE_HSTS_SECONDS      HSTS max-age (default one year without debug, 0 with debug)
SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD  "0" switches them off (default on)
SECURE_COOKIES           "0": session and CSRF cookies also over plain http (default on)
SESSION_HOURS            session lifetime in hours (default 8; ends with the browser anyway)
AXES_FAILURE_LIMIT, AXES_COOLOFF_MINUTES  login lockout (default 5 failures, 15 minutes)
AXES_PROXY_COUNT         number of reverse proxies in front that append to X-Forwarded-For (nginx:
                         $proxy_add_x_forwarded_for); the client is that many entries from the right
CACHE_BACKEND            "db": Django's database cache, shared by all workers and servers (default:
                         local memory per process)
OPARL_RATE_LIMIT_PER_MINUTE, OPARL_FILE_RATE_LIMIT_PER_MINUTE  anonymous OParl requests per minute
                         and client (default 120 and 20; 0: no limit)
OPARL_FILE_MAX_AGE, OPARL_RECORD_FILE_MAX_AGE  Cache-Control max-age of OParl files (300 s, 1 day)
OPARL_MEETING_LOCATION   1 (default) publishes the place of public meetings in OParl, 0 does not
BUERGERINFO_RATE_LIMIT_PER_MINUTE, BUERGERINFO_MAX_AGE  anonymous Bürgerinfo requests per minute
                         and client (default 120; 0: no limit); Cache-Control max-age (60 s)
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY fehlt: ohne DJANGO_DEBUG=1 muss SECRET_KEY gesetzt sein."
        )
    SECRET_KEY = "django-insecure-nur-fuer-entwicklung-und-tests"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "core",
    "departments",
    "stellenplan",
    "costing",
    "decisions",
    "front",
]

# Development tools (generate_city, benchmarks): with debug or STELLENPLAN_DEVTOOLS=1 only,
# never in plain production.
if DEBUG or env_bool("STELLENPLAN_DEVTOOLS"):
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store on every response to a signed-in user (pages and downloads).
    "core.middleware.NoStoreForSignedInUsersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # A frozen record newer than this release: a German page (409), not a server error.
    "core.middleware.RecordFormatErrorMiddleware",
    # SQLite busy with another write ("database is locked"): a German "bitte erneut versuchen".
    "core.middleware.DatabaseBusyMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "stellenplan.urls"
WSGI_APPLICATION = "stellenplan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        # with persistent connections (make serve): check a reused one before each request
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes checks every login (form and admin) for lockouts first.
AUTHENTICATION_BACKENDS = [
    "stellenplan.auth_backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# German locale, Berlin time, thousand separators ("1.128.560").
LANGUAGE_CODE = "de-de"
LANGUAGES = [("de", "Deutsch")]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Uploads (Excel imports): reject anything larger than 10 MB.
# OParl 1.1 interface (front/oparl, /oparl/v1.1/): the city as the one Body.
OPARL = {
    "system_name": "Stellenplan – Beschlussvorlagen",
    "body_name": os.environ.get("OPARL_BODY_NAME", "Landeshauptstadt Stuttgart"),
    "body_short_name": os.environ.get("OPARL_BODY_SHORT_NAME", "Stuttgart"),
    "website": os.environ.get("OPARL_WEBSITE", "https://www.stuttgart.de/"),
    "ags": os.environ.get("OPARL_AGS", "08111000"),
    "classification": "Stadt",
    "license": "https://www.govdata.de/dl-de/by-2-0",
    # created/modified of System and Body: when the interface went public
    "since": "2026-11-30T00:00:00+01:00",
    # whether a public meeting's place (Meeting.location) is published
    "meeting_location": env_bool("OPARL_MEETING_LOCATION", True),
}

# OParl files (decisions/public_pdf.py): rendered once per version of a paper and stored;
# answered with ETag, Last-Modified and Cache-Control public for this many seconds (a paper that
# is not adopted may still change; an adopted paper's files are its record's).
OPARL_FILE_MAX_AGE = env_int("OPARL_FILE_MAX_AGE", 300)
OPARL_RECORD_FILE_MAX_AGE = env_int("OPARL_RECORD_FILE_MAX_AGE", 24 * 3600)
# Anonymous OParl requests per minute and client address (core/ratelimit.py; 0: no limit): the
# JSON objects and lists, and, lower, the files. Signed-in users are not limited.
OPARL_RATE_LIMIT_PER_MINUTE = env_int("OPARL_RATE_LIMIT_PER_MINUTE", 120)
OPARL_FILE_RATE_LIMIT_PER_MINUTE = env_int("OPARL_FILE_RATE_LIMIT_PER_MINUTE", 20)
# The Bürgerinfo (/buergerinfo/, front/views/buergerinfo.py): the public HTML pages of what OParl
# publishes. Anonymous requests per minute and client address (0: no limit), and how long a
# browser or proxy may keep a page (seconds; its ETag answers a repeated visit with 304).
BUERGERINFO_RATE_LIMIT_PER_MINUTE = env_int("BUERGERINFO_RATE_LIMIT_PER_MINUTE", 120)
BUERGERINFO_MAX_AGE = env_int("BUERGERINFO_MAX_AGE", 60)

# Django's cache: the rate limits above and the texts and checksums of frozen PDFs. Local
# memory by default (per process: the rate limits count per gunicorn worker). CACHE_BACKEND=db
# shares it through the database among all workers and app servers, with no server of its own
# (the table comes from `manage.py createcachetable`, which make deploy and make serve run).
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "stellenplan_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
        if os.environ.get("CACHE_BACKEND", "").strip().lower() == "db"
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Erklärung zur Barrierefreiheit (/barrierefreiheit/, BITV 2.0 / L-BGG BW § 10): where people
# report barriers, and the date of the statement (the city's last review; its text is the
# template accessibility/statement_text.html, which a city overrides with its own).
ACCESSIBILITY_CONTACT_EMAIL = os.environ.get(
    "ACCESSIBILITY_CONTACT_EMAIL", "barrierefreiheit@stadt.example"
)
ACCESSIBILITY_STATEMENT_DATE = os.environ.get("ACCESSIBILITY_STATEMENT_DATE", "01.12.2026")

# Personalbedarfsberechnung: requested and calculated positions may differ by this many
# Stellen before the decision's consistency check reports it (the city's choice).
NEED_TOLERANCE_FTE = os.environ.get("NEED_TOLERANCE_FTE", "0.10")
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Excel imports: at most this many data rows per file (counted while reading; issue 11).
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 50_000)

# Background tasks (issue 21): Django's Tasks framework (the django-tasks backport for 5.2).
# Long work (large imports, exports) runs as a task in a worker process (`manage.py db_worker`,
# started by `make run`/`make serve`, deploy/stellenplan-worker.service in production), tracked
# by core.Job. The database backend keeps the queue in the application's database: no server
# of its own on SQLite or PostgreSQL, and a task is enqueued in the same transaction as its
# job. Another backend (an RQ or Celery bridge) is a matter of TASKS_BACKEND and its options;
# the tests use django_tasks.backends.immediate.ImmediateBackend (tests/conftest.py).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A running job whose worker has not reported for this long may be started again by its owner
# (the worker was killed or restarted; what it wrote was rolled back with its transaction).
JOB_STALE_MINUTES = env_int("JOB_STALE_MINUTES", 10)
# PostgreSQL: a running job's worker touches its "letzte Meldung" this often (seconds, 0: off),
# so a live job never looks stale (core.jobs.heartbeat). SQLite: no heartbeat; one machine,
# set JOB_STALE_MINUTES large there (a long save reports nothing while it writes).
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 30)
# Files of at least this many data rows are checked and saved by a task, not in the request.
IMPORT_TASK_MIN_ROWS = env_int("IMPORT_TASK_MIN_ROWS", 2_000)
# Cost workbooks listing at least this many positions are written by a task (the whole plan at
# 100,000 positions takes about a minute).
EXPORT_TASK_MIN_POSITIONS = env_int("EXPORT_TASK_MIN_POSITIONS", 5_000)
# The Stellenplan document's PDF and Excel of a plan with at least this many positions in its
# years are written by a task (the PDF at 20,000 positions takes one and a half minutes).
PLAN_TASK_MIN_POSITIONS = env_int("PLAN_TASK_MIN_POSITIONS", 2_000)
# manage.py prune_jobs deletes finished jobs (and their files) older than this many days.
JOB_KEEP_DAYS = env_int("JOB_KEEP_DAYS", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# `manage.py loaddata seed` loads the reference data (the 2011 Jobcenter decision).
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# --- Security (issue 7). Production defaults; DJANGO_DEBUG=1 relaxes what needs https. ---
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# Sessions in the database: no local state, so several app servers can share one PostgreSQL.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 8) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Content-Security-Policy (django-csp 4): scripts, styles, images and fonts only from this
# server, no inline scripts, no framing. Inline style attributes (SVG bar widths) are allowed;
# <style> and <script> elements in templates are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login throttling (django-axes): 5 failed logins for the same user name from the same client
# address lock that pair out for 15 minutes (HTTP 429, German page). Behind reverse proxies set
# AXES_PROXY_COUNT to their number: the client address is then the entry the first proxy appended
# to X-Forwarded-For (core.client_ip), never one the client sent itself.
REVERSE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_USERNAME_CALLABLE = "stellenplan.auth_backends.axes_username"
AXES_COOLOFF_MESSAGE = "Zu viele fehlgeschlagene Anmeldeversuche. Bitte später erneut versuchen."
AXES_PERMALOCK_MESSAGE = (
    "Zu viele fehlgeschlagene Anmeldeversuche. Bitte wenden Sie sich an die Administration."
)
