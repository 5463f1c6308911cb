"""HTTP checks of the smoke test against a running production server (see smoke_serve.sh).

Runs with the server's environment (same DATABASE_URL) so it can look up URLs and ids, then
talks HTTP only: login with CSRF, a page, a static file, an Excel export and a decision PDF.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import django  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stellenplan.settings")
django.setup()

from django.urls import NoReverseMatch, reverse  # noqa: E402
from http_client import Client, links  # noqa: E402

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def first_url(candidates: list[tuple[str, tuple]]) -> str | None:
    for name, args in candidates:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def excel_url() -> str | None:
    return first_url([("excel:export", ())])


def pdf_url() -> str | None:
    from django.apps import apps

    model = apps.get_model("decisions", "Decision") if _has_model("decisions", "Decision") else None
    decision = model.objects.order_by("pk").first() if model else None
    if decision is None:
        return None
    return first_url([("decisions:pdf", (decision.pk,))])


def _has_model(app_label: str, name: str) -> bool:
    from django.apps import apps

    try:
        apps.get_model(app_label, name)
    except LookupError:
        return False
    return True


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"FEHLER: {message}")
    print(f"ok   {message}")


def main(base_url: str) -> None:
    client = Client(base_url)
    user, password = os.environ["SMOKE_USER"], os.environ["SMOKE_PASSWORD"]

    anonymous = client.get("/")
    check(anonymous.status in (302, 404), f"/ ohne Anmeldung: HTTP {anonymous.status}")
    plain = Client(base_url)
    plain_http = plain.request("GET", "/anmelden/")
    check("strict-transport-security" in plain_http.headers, "HSTS-Kopf über https")
    check(
        "script-src 'self'" in plain_http.headers.get("content-security-policy", ""),
        "Content-Security-Policy ohne Inline-Skripte",
    )
    check(plain_http.headers.get("x-frame-options") == "DENY", "X-Frame-Options: DENY")

    client.login(user, password)
    check("sessionid" in client.cookies, f"Anmeldung als {user} mit CSRF-Token")

    start = client.get("/")
    check(start.status in (200, 302), f"Startseite: HTTP {start.status}")
    if start.status == 302:
        location = start.headers["location"]
        start = client.get(location)
        check(start.status == 200, f"Startseite {location}: HTTP {start.status}")
    page_url = first_url([("positions:list", ())])
    if page_url:
        page = client.get(page_url)
        check(
            page.status == 200 and "Stellen" in page.text,
            f"Stellenliste {page_url}: HTTP {page.status}, {len(page.body)} Bytes",
        )

    css = links(start.text, r"\.css$")
    check(bool(css), f"Stylesheet verlinkt: {css[:1]}")
    static = client.get(css[0])
    check(
        static.status == 200 and "text/css" in static.headers.get("content-type", ""),
        f"statische Datei {css[0]} (whitenoise): HTTP {static.status}",
    )

    url = excel_url()
    check(url is not None, "Excel-Export hat eine URL")
    if url:
        response = client.get(url)
        check(
            response.status == 200 and response.headers.get("content-type", "").startswith(XLSX),
            f"Excel-Export {url}: HTTP {response.status}",
        )
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(response.body), read_only=True)
        check(len(workbook.sheetnames) > 0, f"Excel-Datei lesbar ({len(response.body)} Bytes)")

    url = pdf_url()
    check(url is not None, "PDF-URL einer Beschlussvorlage (Referenzdaten) vorhanden")
    if url:
        response = client.get(url)
        check(
            response.status == 200 and response.body.startswith(b"%PDF"),
            f"PDF {url}: HTTP {response.status}, {len(response.body)} Bytes",
        )

    logout = client.post("/abmelden/", {"csrfmiddlewaretoken": client.cookies.get("csrftoken")})
    check(logout.status == 302, f"Abmelden per POST: HTTP {logout.status}")


if __name__ == "__main__":
    main(sys.argv[1])
