"""Production settings: `check --deploy` is clean, and the security headers are sent."""

import configparser
import json
import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # A clean environment as on a server: nothing from the test run (DJANGO_DEBUG, or
    # DJANGO_ALLOW_ASYNC_UNSAFE set by the browser tests) may leak into the check.
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    env.update(
        DJANGO_SETTINGS_MODULE="stellenplan.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="stellenplan.intranet.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_check_deploy_with_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_it_refuses_to_start_without_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY fehlt" in result.stderr


def test_it_reports_an_insecure_production_setting(tmp_path):
    # The deploy check is not blind: switching a protection off is reported.
    result = manage(
        production_env(tmp_path, SECURE_COOKIES="0"), "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stdout + result.stderr


def test_it_keeps_sessions_in_the_database_and_lets_them_expire():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE == 8 * 3600


@pytest.mark.django_db
def test_it_sends_csp_and_frame_headers(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"] + directives["style-src"]


def test_it_has_no_inline_scripts_in_templates():
    # The CSP forbids inline scripts: a template with one would silently stop working.
    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts or "pdf" in template.parts:
            continue  # templates under pdf/ are rendered by WeasyPrint, never by a browser
        text = template.read_text(encoding="utf-8").lower()
        for marker in (
            "<script>",
            '<script type="text/javascript">',
            "javascript:",
            " onclick=",
            " onload=",
            " onchange=",
            " onsubmit=",
            "<style",
        ):
            if marker in text:
                offenders.append(f"{template.relative_to(ROOT)}: {marker.strip()}")
    assert offenders == []


@pytest.mark.django_db
def test_it_logs_out_only_on_post(client, django_user_model):
    user = django_user_model.objects.create_user("abmelder", password="Ein-langes-Passwort-1")
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_validates_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("12345678")
    validate_password("Stellenplan-ist-sicher-2011")


def gunicorn_settings(env: dict[str, str]) -> dict:
    # Read deploy/gunicorn.conf.py the way gunicorn does (a Python file run for its names), in a
    # fresh process with exactly this environment.
    code = (
        "import json, os, runpy\n"
        "names = runpy.run_path('deploy/gunicorn.conf.py')\n"
        "keep = ('wsgi_app', 'bind', 'workers', 'threads', 'timeout', 'control_socket_disable')\n"
        "print(json.dumps({**{k: names[k] for k in keep}, 'DB_CONN_MAX_AGE': os.environ['DB_CONN_MAX_AGE']}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_gunicorn_takes_its_settings_from_the_environment():
    env = {
        "PATH": os.environ["PATH"],
        "BIND": "0.0.0.0:9000",
        "WEB_CONCURRENCY": "7",
        "GUNICORN_THREADS": "4",
        "GUNICORN_TIMEOUT": "30",
        "DB_CONN_MAX_AGE": "5",
    }
    assert gunicorn_settings(env) == {
        "wsgi_app": "stellenplan.wsgi:application",
        "bind": ["0.0.0.0:9000"],
        "workers": 7,
        "threads": 4,
        "timeout": 30,
        "control_socket_disable": True,
        "DB_CONN_MAX_AGE": "5",
    }


def test_gunicorn_defaults_to_localhost_and_persistent_connections():
    found = gunicorn_settings({"PATH": os.environ["PATH"]})
    assert found["bind"] == ["127.0.0.1:8000"]
    assert found["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert found["threads"] == 1
    assert found["DB_CONN_MAX_AGE"] == "60"


class UnitFile(configparser.ConfigParser):
    def optionxform(self, optionstr: str) -> str:
        return optionstr  # systemd keys are case-sensitive


def test_the_systemd_unit_only_starts_gunicorn():
    unit = UnitFile(strict=False, interpolation=None)
    unit.read(ROOT / "deploy" / "stellenplan.service", encoding="utf-8")
    service = unit["Service"]
    assert service["ExecStart"] == (
        "/srv/stellenplan/.venv/bin/gunicorn --config deploy/gunicorn.conf.py"
    )
    assert service["WorkingDirectory"] == "/srv/stellenplan"
    assert service["EnvironmentFile"] == "/etc/stellenplan/env"
    # No install, migrate or make on start: that is `make deploy`, once per release.
    assert not any(key.startswith("ExecStartPre") for key in service)
    assert service["User"] == "stellenplan"


PROXY_PASSWORD = "Richtiges-Passwort-2011"


def failed_logins_then_right_password(
    client, forwarded_for: dict[str, str], page: str = "login"
) -> dict[str, int]:
    """Five wrong passwords from the first client, then the right one from each client.

    forwarded_for maps a client to the X-Forwarded-For header the app receives from nginx
    (REMOTE_ADDR is nginx). Returns the status code of each client's right-password login.
    """
    url = reverse(page)

    def attempt(header: str, password: str) -> int:
        data = {"username": "hinterproxy", "password": password}
        return client.post(
            url, data, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=header
        ).status_code

    first = next(iter(forwarded_for.values()))
    for _ in range(5):
        attempt(first, "falsch")
    return {name: attempt(header, PROXY_PASSWORD) for name, header in forwarded_for.items()}


@pytest.fixture
def behind_one_proxy(db, django_user_model, settings, monkeypatch):
    # The settings module as loaded with AXES_PROXY_COUNT=1 (README, "Umgebung").
    monkeypatch.setenv("AXES_PROXY_COUNT", "1")
    configured = runpy.run_path(str(ROOT / "stellenplan" / "settings.py"))
    for name in ("REVERSE_PROXY_COUNT", "AXES_CLIENT_IP_CALLABLE"):
        setattr(settings, name, configured[name])
    assert settings.REVERSE_PROXY_COUNT == 1
    # Staff, so that the admin login lets the right password in as well.
    django_user_model.objects.create_user("hinterproxy", password=PROXY_PASSWORD, is_staff=True)


@pytest.mark.parametrize("page", ["login", "admin:login"])
def test_behind_nginx_as_documented_the_lockout_is_per_client(client, behind_one_proxy, page):
    # nginx with $proxy_add_x_forwarded_for (README) sends the client's address alone.
    codes = failed_logins_then_right_password(
        client, {"A": "198.51.100.7", "B": "198.51.100.8"}, page
    )
    assert codes == {"A": 429, "B": 302}


@pytest.mark.parametrize("page", ["login", "admin:login"])
def test_addresses_a_client_sends_itself_are_not_trusted(client, behind_one_proxy, page):
    # nginx appends the real address to whatever the client sent: the right-most entry counts.
    # A (198.51.100.7) pretends to be B; B is not locked out, A is, whatever A sends.
    codes = failed_logins_then_right_password(
        client,
        {
            "A": "198.51.100.8, 198.51.100.7",
            "A, other forged entries": '10.9.9.9, "x, garbage, 198.51.100.7',
            "B": "198.51.100.8",
        },
        page,
    )
    assert codes == {"A": 429, "A, other forged entries": 429, "B": 302}


def test_without_a_proxy_the_header_is_ignored(client, db, django_user_model):
    # AXES_PROXY_COUNT unset: the connection's address counts, X-Forwarded-For is the client's.
    django_user_model.objects.create_user("hinterproxy", password=PROXY_PASSWORD)
    url = reverse("login")
    for forged in range(5):
        client.post(
            url,
            {"username": "hinterproxy", "password": "falsch"},
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{forged}",
        )
    data = {"username": "hinterproxy", "password": PROXY_PASSWORD}
    assert client.post(url, data, REMOTE_ADDR="198.51.100.7").status_code == 429
    assert client.post(url, data, REMOTE_ADDR="198.51.100.8").status_code == 302


def test_every_response_to_a_signed_in_user_says_no_store(client, seed, role_users):
    # Pages, Excel and PDF downloads hold personnel and cost data: no browser or proxy copy.
    from decisions.models import Decision

    client.force_login(role_users["admin"])
    decision = Decision.objects.order_by("pk").first()
    assert decision is not None
    urls = [
        reverse("home"),
        reverse("positions:list"),
        reverse("excel:export"),
        reverse("decisions:pdf", args=[decision.pk]),
        reverse("admin:index"),
        "/gibt-es-nicht/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in {200, 302, 404}, url
        directives = {d.strip() for d in response.headers["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= directives, url
