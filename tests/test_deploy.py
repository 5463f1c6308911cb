"""Production settings: `check --deploy` is clean, and the security headers are sent."""

import os
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
