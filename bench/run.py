"""Benchmark of the main paths at city size (issue 6): `make bench`.

For each size (2,000 and 20,000 position lines) a child process builds a fresh SQLite database
bench/city_<N>.sqlite3 (migrate + `generate_city --positions N --seed 1`) and measures the
process's CPU time (everything runs in it, so other load on the machine barely matters), as
the median of several repetitions, each path in turns with its floor:

- positions list, first page and a filtered page; start page of a year (Django test client,
  logged in as a Personalamt user): ms and SQL queries;
- costing of a year (costing.engine.cost_year) against one raw SQL aggregate query that
  computes the same totals per department in the database (the floor);
- the Excel workbook of all lines (costing.excel.write_workbook) against writing the same
  cells with bare openpyxl in write-only mode (the floor), with peak memory (tracemalloc);
- the PDF of a decision with 200 positions (decisions.pdf) against WeasyPrint rendering the
  same HTML (the floor);
- the JSON export of a year (manage.py export_costs).

The parent process prints a table and writes it into bench/results.md (section
"Hauptpfade"; other sections, e.g. the load test's, are kept; bench/notes.md is appended) and
the raw figures into bench/results.json. A path that does not exist (yet) is reported as
"nicht verfügbar"; timings are reported, never asserted.

    .venv/bin/python bench/run.py                    # both sizes, about 8 minutes on 2 cores
    .venv/bin/python bench/run.py --sizes 2000 --no-results
    .venv/bin/python bench/run.py --from-json bench/results.json   # table only, no measuring
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results.md"
RAW = BENCH / "results.json"
SECTION = "## Hauptpfade"
NOTES = BENCH / "notes.md"
SIZES = (2000, 20000)
SEED = 1
YEAR = 2014
PDF_POSITIONS = 200
UNAVAILABLE = "nicht verfügbar"


# --- child: one database, all measurements -------------------------------------------------


def timed(functions: dict[str, Callable[[], object]], repeat: int, warmup: int = 1) -> dict:
    """Median CPU and wall-clock seconds of each function over `repeat` runs.

    The functions take turns (A B A B …), so a change in the machine's load hits a path and
    its floor alike; the garbage of one run is collected before the next is timed.
    """
    for _ in range(warmup):
        for function in functions.values():
            function()
    samples: dict[str, dict[str, list[float]]] = {
        name: {"cpu": [], "wall": []} for name in functions
    }
    for _ in range(repeat):
        for name, function in functions.items():
            gc.collect()
            cpu, wall = time.process_time(), time.perf_counter()
            function()
            samples[name]["wall"].append(time.perf_counter() - wall)
            samples[name]["cpu"].append(time.process_time() - cpu)
    return {
        name: {clock: statistics.median(values) for clock, values in clocks.items()}
        for name, clocks in samples.items()
    }


def peak_bytes(function: Callable[[], object]) -> int:
    """Peak of Python allocations while `function` runs, above what was allocated before."""
    import tracemalloc

    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def guarded(results: dict, key: str, function: Callable[[], dict]) -> None:
    """Run one measurement; a missing path or a failure is recorded, never fatal."""
    try:
        results[key] = function()
    except ModuleNotFoundError as error:
        results[key] = {"error": f"{UNAVAILABLE} ({error.name} fehlt)"}
    except Exception as error:  # noqa: BLE001 - the benchmark reports, it does not crash
        traceback.print_exc(file=sys.stderr)
        results[key] = {"error": f"{UNAVAILABLE} ({type(error).__name__}: {error})"[:200]}


def child(size: int, repeat: int, out: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    load_before = os.getloadavg()[0]
    database = Path(os.environ["BENCH_DATABASE"])
    database.unlink(missing_ok=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    call_command("generate_city", positions=size, seed=SEED, stdout=open(os.devnull, "w"))  # noqa: SIM115
    generated = time.perf_counter()
    results: dict = {
        "size": size,
        "migrate_s": migrated - started,
        "generate_s": generated - migrated,
    }
    guarded(results, "pages", lambda: measure_pages(repeat))
    guarded(results, "costing", lambda: measure_costing(repeat))
    guarded(results, "excel", lambda: measure_excel(max(3, repeat // 2)))
    guarded(results, "pdf", lambda: measure_pdf(3))
    guarded(results, "json", lambda: measure_json(max(3, repeat // 2)))
    results["load"] = [load_before, os.getloadavg()[0]]
    results["cpu_s"] = time.process_time()
    results["wall_s"] = time.perf_counter() - started
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")


def bench_client():
    """A test client logged in as a Personalamt user (the HR pages' audience)."""
    from django.contrib.auth.models import Group, User
    from django.test import Client

    user = User.objects.create_user("bench")
    group = Group.objects.filter(name="Personalamt").first()
    if group is not None:
        user.groups.add(group)
    else:
        user.is_superuser = True
        user.save()
    client = Client()
    client.force_login(user)
    return client


def measure_pages(repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from departments.models import OrgUnit

    client = bench_client()
    amt = OrgUnit.objects.get(code="51")  # the largest Amt (Jugendamt)
    pages = {
        "list_first": ("costing:position_list", ""),
        "list_filtered": (
            "costing:position_list",
            f"?org_unit={amt.pk}&status_group=tarif&year={YEAR}",
        ),
        "start": ("costing:overview", f"?year={YEAR}"),
    }
    result: dict = {}
    for key, (name, query) in pages.items():
        try:
            url = reverse(name) + query
        except NoReverseMatch:
            result[key] = {"error": f"{UNAVAILABLE} (keine URL {name})"}
            continue

        def get(url=url):
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"HTTP {response.status_code} für {url}")
            return response

        try:
            seconds = timed({"page": get}, repeat)["page"]
            with CaptureQueriesContext(connection) as queries:
                get()
        except RuntimeError as error:
            result[key] = {"error": f"{UNAVAILABLE} ({error})"}
            continue
        result[key] = {
            "url": url,
            "ms": seconds["cpu"] * 1000,
            "wall_ms": seconds["wall"] * 1000,
            "queries": len(queries),
        }
    return result


# The floor of the costing: the same totals per department in one SELECT. The department is
# the topmost Amt above a unit, else its top unit (departments.selectors.OrgTree.department_of),
# spelled out for the generated tree's depth (position unit + up to four ancestors).
FLOOR_SQL = """
SELECT department, COUNT(*), SUM(fte), SUM(fte * rate), SUM(ROUND(fte * rate * months / 12.0, 2))
FROM (
  SELECT p.fte AS fte, r.annual_cost AS rate,
    CASE WHEN u4.kind = 'amt' THEN u4.id WHEN u3.kind = 'amt' THEN u3.id
         WHEN u2.kind = 'amt' THEN u2.id WHEN u1.kind = 'amt' THEN u1.id
         WHEN u0.kind = 'amt' THEN u0.id
         ELSE COALESCE(u4.id, u3.id, u2.id, u1.id, u0.id) END AS department,
    {greatest}(0,
      (CASE WHEN p.end_date IS NULL OR p.end_date >= %(dec1)s THEN 12
            ELSE {month_end} END)
      - (CASE WHEN p.start_date <= %(jan1)s THEN 1
              ELSE {month_start} + (CASE WHEN {day_start} = 1 THEN 0 ELSE 1 END) END)
      + 1) AS months
  FROM stellenplan_position p
  JOIN costing_costrate r ON r.pay_grade_id = p.pay_grade_id AND r.table_id = (
    SELECT t.id FROM costing_costtable t WHERE t.valid_from <= %(jan1)s
    ORDER BY t.valid_from DESC LIMIT 1)
  JOIN departments_orgunit u0 ON u0.id = p.org_unit_id
  LEFT JOIN departments_orgunit u1 ON u1.id = u0.parent_id
  LEFT JOIN departments_orgunit u2 ON u2.id = u1.parent_id
  LEFT JOIN departments_orgunit u3 ON u3.id = u2.parent_id
  LEFT JOIN departments_orgunit u4 ON u4.id = u3.parent_id
  WHERE p.start_date <= %(dec1)s AND (p.end_date IS NULL OR p.end_date >= %(jan1)s)
) lines
GROUP BY department
"""


def floor_sql(vendor: str) -> str:
    if vendor == "sqlite":
        part = "CAST(strftime('%%{}', p.{}) AS INTEGER)"
        return FLOOR_SQL.format(
            greatest="MAX",
            month_end=part.format("m", "end_date"),
            month_start=part.format("m", "start_date"),
            day_start=part.format("d", "start_date"),
        )
    return FLOOR_SQL.format(
        greatest="GREATEST",
        month_end="EXTRACT(MONTH FROM p.end_date)::int",
        month_start="EXTRACT(MONTH FROM p.start_date)::int",
        day_start="EXTRACT(DAY FROM p.start_date)::int",
    )


def measure_costing(repeat: int) -> dict:
    from decimal import Decimal

    from django.db import connection

    from costing.engine import cost_year

    sql = floor_sql(connection.vendor)
    params = {"jan1": f"{YEAR}-01-01", "dec1": f"{YEAR}-12-01"}

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    times = timed({"engine": lambda: cost_year(YEAR), "floor": floor}, repeat)
    costing = cost_year(YEAR)
    rows = floor()
    floor_total = sum(Decimal(str(row[4])) for row in rows)
    return {
        "lines": costing.total.positions,
        "departments": len(costing.by_department),
        "engine_ms": times["engine"]["cpu"] * 1000,
        "floor_ms": times["floor"]["cpu"] * 1000,
        "ratio": times["engine"]["cpu"] / times["floor"]["cpu"],
        "engine_wall_ms": times["engine"]["wall"] * 1000,
        "floor_wall_ms": times["floor"]["wall"] * 1000,
        "engine_total": str(costing.total.cost_in_year),
        "floor_total": str(floor_total.quantize(Decimal("0.01"))),
        "floor_departments": len(rows),
        "floor_lines": sum(row[1] for row in rows),
    }


def ratios(times: dict) -> dict:
    return {
        "app_s": times["app"]["cpu"],
        "floor_s": times["floor"]["cpu"],
        "ratio": times["app"]["cpu"] / times["floor"]["cpu"],
        "app_wall_s": times["app"]["wall"],
        "floor_wall_s": times["floor"]["wall"],
    }


def measure_excel(repeat: int) -> dict:
    from openpyxl import Workbook, load_workbook
    from openpyxl.cell import WriteOnlyCell

    from costing.excel import selected_years, write_workbook

    years = selected_years(YEAR)  # what /kosten/excel/?year=2014 exports: 2014 to 2016

    def export():
        with tempfile.TemporaryFile() as handle:
            write_workbook(handle, years)
            return handle.tell()

    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        write_workbook(handle.name, years)
        size = Path(handle.name).stat().st_size
        source = load_workbook(handle.name, read_only=True)
        sheets = [
            (
                sheet.title,
                [
                    [(c.value, c.number_format) if c.value is not None else (None, "") for c in row]
                    for row in sheet.iter_rows()
                ],
            )
            for sheet in source
        ]
        source.close()
    plain = [(title, [tuple(v for v, _ in row) for row in rows]) for title, rows in sheets]
    cells = sum(len(row) for _, rows in plain for row in rows)

    def bare():
        """The same values, no formats: the floor."""
        workbook = Workbook(write_only=True)
        for title, rows in plain:
            sheet = workbook.create_sheet(title)
            for row in rows:
                sheet.append(row)
        with tempfile.TemporaryFile() as handle:
            workbook.save(handle)

    def formatted():
        """The same values with the same number formats (one reused cell per format, as
        costing.excel does): what openpyxl needs for the formats alone."""
        workbook = Workbook(write_only=True)
        for title, rows in sheets:
            sheet = workbook.create_sheet(title)
            templates: dict[str, WriteOnlyCell] = {}
            for row in rows:
                out = []
                for value, number_format in row:
                    if value is None or number_format in ("", "General"):
                        out.append(value)
                        continue
                    template = templates.get(number_format)
                    if template is None:
                        template = templates[number_format] = WriteOnlyCell(sheet)
                        template.number_format = number_format
                    template.value = value
                    out.append(template)
                sheet.append(out)
        with tempfile.TemporaryFile() as handle:
            workbook.save(handle)

    times = timed({"app": export, "floor": bare, "formatted": formatted}, repeat, warmup=0)
    return {
        "years": years,
        "sheets": len(sheets),
        "rows": sum(len(rows) for _, rows in sheets),
        "cells": cells,
        "bytes": size,
        **ratios(times),
        "formatted_s": times["formatted"]["cpu"],
        "formatted_ratio": times["app"]["cpu"] / times["formatted"]["cpu"],
        "app_peak_mb": peak_bytes(export) / 2**20,
        "floor_peak_mb": peak_bytes(bare) / 2**20,
    }


def measure_pdf(repeat: int) -> dict:
    from django.db.models import Count

    from decisions import pdf
    from decisions.models import Decision

    decision = (
        Decision.objects.annotate(lines=Count("position_links"))
        .filter(lines=PDF_POSITIONS)
        .order_by("id")
        .first()
    )
    if decision is None:
        return {"error": f"{UNAVAILABLE} (keine Beschlussvorlage mit {PDF_POSITIONS} Stellen)"}
    html = pdf.decision_html(decision)
    document = pdf.render_decision_pdf(decision)  # warm-up of both (fonts, caches)
    weasyprint_floor(html)
    times = timed(
        {
            "app": lambda: pdf.render_decision_pdf(decision),
            "floor": lambda: weasyprint_floor(html),
        },
        repeat,
        warmup=0,
    )
    try:
        from io import BytesIO

        from pypdf import PdfReader

        pages = len(PdfReader(BytesIO(document)).pages)
    except ImportError:
        pages = 0
    return {
        "decision": decision.number,
        "positions": PDF_POSITIONS,
        "pages": pages,
        "html_chars": len(html),
        "pdf_bytes": len(document),
        **ratios(times),
    }


def weasyprint_floor(html: str) -> bytes:
    """WeasyPrint alone on the app's HTML (which inlines its stylesheet and fonts), with the
    same base URL as decisions.pdf but WeasyPrint's own URL fetcher."""
    from weasyprint import HTML

    return HTML(string=html, base_url=(ROOT / "static").as_uri() + "/").write_pdf()


def measure_json(repeat: int) -> dict:
    from django.core.management import call_command

    with tempfile.NamedTemporaryFile(suffix=".json") as handle:

        def export():
            call_command("export_costs", "--year", str(YEAR), "-o", handle.name)

        seconds = timed({"export": export}, repeat)["export"]
        size = Path(handle.name).stat().st_size
    return {"s": seconds["cpu"], "wall_s": seconds["wall"], "bytes": size}


# --- parent: run the children, write the table ---------------------------------------------


def machine() -> dict:
    import sqlite3

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem_kb / 2**20:.1f} GiB"
    except (OSError, StopIteration):
        ram = "?"
    versions = {}
    for package in ("django", "openpyxl", "weasyprint"):
        try:
            versions[package] = __import__(package).__version__
        except (ImportError, AttributeError):
            versions[package] = "?"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        **versions,
    }


def run_child(size: int, repeat: int) -> dict:
    database = BENCH / f"city_{size}.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        "DATABASE_URL": f"sqlite:///{database}",
        "BENCH_DATABASE": str(database),
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, __file__, "--child", str(size), "--repeat", str(repeat)]
        subprocess.run([*command, "--out", out.name], cwd=ROOT, env=env, check=True)
        return json.loads(Path(out.name).read_text(encoding="utf-8"))


def de(value: float, places: int = 0) -> str:
    text = f"{value:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def value(result: dict, group: str, key: str) -> float | None:
    data = result.get(group, {})
    if "." in key:
        first, key = key.split(".")
        data = data.get(first, {}) if isinstance(data, dict) else {}
    if not isinstance(data, dict) or "error" in data:
        return None
    return data.get(key)


ROWS = [
    # label, group, key, unit, places
    ("Stadt erzeugen (generate_city, Wandzeit)", None, "generate_s", " s", 1),
    ("Stellenliste, erste Seite", "pages", "list_first.ms", " ms", 0),
    ("… SQL-Abfragen", "pages", "list_first.queries", "", 0),
    ("Stellenliste, gefiltert (Amt 51, Tarif, 2014)", "pages", "list_filtered.ms", " ms", 0),
    ("… SQL-Abfragen", "pages", "list_filtered.queries", "", 0),
    ("Startseite 2014 (Summen je Amt)", "pages", "start.ms", " ms", 0),
    ("… SQL-Abfragen", "pages", "start.queries", "", 0),
    ("Kostenrechnung 2014 (cost_year)", "costing", "engine_ms", " ms", 1),
    ("… Untergrenze: ein SQL-Aggregat", "costing", "floor_ms", " ms", 1),
    ("… Verhältnis", "costing", "ratio", " ×", 2),
    ("Excel-Export 2014–2016, alle Stellen", "excel", "app_s", " s", 2),
    ("… Untergrenze: openpyxl write-only, gleiche Zellen", "excel", "floor_s", " s", 2),
    ("… Verhältnis", "excel", "ratio", " ×", 2),
    ("… zum Vergleich: dieselben Zellen mit Zahlenformaten", "excel", "formatted_s", " s", 2),
    ("… Verhältnis Export zu diesem Vergleich", "excel", "formatted_ratio", " ×", 2),
    ("… Spitzenspeicher Export (tracemalloc)", "excel", "app_peak_mb", " MB", 1),
    ("… Spitzenspeicher Untergrenze", "excel", "floor_peak_mb", " MB", 1),
    ("PDF einer Vorlage mit 200 Stellen", "pdf", "app_s", " s", 2),
    ("… Untergrenze: WeasyPrint, gleiches HTML", "pdf", "floor_s", " s", 2),
    ("… Verhältnis", "pdf", "ratio", " ×", 2),
    ("JSON-Export 2014 (export_costs)", "json", "s", " s", 2),
]


def fetch(result: dict, group: str | None, key: str) -> float | None:
    if group is None:
        return result.get(key)
    return value(result, group, key)


def render_cell(result: dict, group: str | None, key: str, unit: str, places: int) -> str:
    number = fetch(result, group, key)
    if number is None:
        data = result.get(group, {}) if group else {}
        if "." in key and isinstance(data, dict):
            data = data.get(key.split(".")[0], {})
        return data.get("error", UNAVAILABLE) if isinstance(data, dict) else UNAVAILABLE
    return f"{de(number, places)}{unit}"


def table(results: list[dict]) -> list[str]:
    sizes = [r["size"] for r in results]
    head = "| Pfad | " + " | ".join(f"N = {de(n)}" for n in sizes)
    if len(results) == 2:
        head += f" | Faktor bei ×{de(sizes[1] / sizes[0])} Daten"
    lines = [head + " |", "|---" * (len(results) + 1 + (len(results) == 2)) + "|"]
    for label, group, key, unit, places in ROWS:
        cells = [render_cell(r, group, key, unit, places) for r in results]
        row = f"| {label} | " + " | ".join(cells)
        if len(results) == 2:
            a, b = fetch(results[0], group, key), fetch(results[1], group, key)
            growth = a and b is not None and "ratio" not in key
            row += " | " + (f"{de(b / a, 2)}" if growth else "–")
        lines.append(row + " |")
    return lines


def verdicts(results: list[dict]) -> list[str]:
    """The issue's targets, each met or missed, at the largest size."""
    big = results[-1]
    small = results[0] if len(results) > 1 else None
    out = []

    def line(ok: bool | None, text: str) -> None:
        mark = {True: "erreicht", False: "verfehlt", None: "nicht messbar"}[ok]
        out.append(f"- **{mark}**: {text}")

    for key, label in (
        ("list_first", "Stellenliste"),
        ("list_filtered", "Stellenliste gefiltert"),
        ("start", "Startseite"),
    ):
        ms = value(big, "pages", f"{key}.ms")
        queries = value(big, "pages", f"{key}.queries")
        if ms is None:
            line(None, f"{label}: {UNAVAILABLE}")
            continue
        same = small is None or value(small, "pages", f"{key}.queries") == queries
        growth = ms / value(small, "pages", f"{key}.ms") if small else None
        ok = same and ms < 150 and (growth is None or growth <= 2)
        line(
            ok,
            f"{label}: {de(queries)} Abfragen (gleich bei beiden Größen: "
            f"{'ja' if same else 'nein'}), {de(ms)} ms (Ziel < 150 ms), Zeitfaktor "
            f"{de(growth, 2) if growth else '–'} bei ×10 Daten (Ziel ≤ 2).",
        )
    ratio = value(big, "costing", "ratio")
    line(
        None if ratio is None else ratio <= 2,
        f"Kostenrechnung eines Jahres: {de(ratio, 2) if ratio else '–'} × die SQL-Untergrenze "
        "(Ziel ≤ 2).",
    )
    ratio = value(big, "excel", "ratio")
    line(
        None if ratio is None else ratio <= 1.5,
        f"Excel: {de(ratio, 2) if ratio else '–'} × die openpyxl-Untergrenze (Ziel ≤ 1,5).",
    )
    peak_big = value(big, "excel", "app_peak_mb")
    peak_small = value(small, "excel", "app_peak_mb") if small else None
    flat = peak_big / peak_small if peak_big and peak_small else None
    line(
        None if flat is None else flat <= 2,
        f"Excel-Speicher: Spitze {de(peak_big, 1) if peak_big else '–'} MB, wächst um "
        f"{de(flat, 1) if flat else '–'} × bei ×10 Daten (Ziel: flach, hier ≤ 2 ×).",
    )
    ratio = value(big, "pdf", "ratio")
    line(
        None if ratio is None else ratio <= 1.2,
        f"PDF: {de(ratio, 2) if ratio else '–'} × die WeasyPrint-Untergrenze (Ziel ≤ 1,2).",
    )
    return out


def load_note(results: list[dict]) -> str:
    loads = [load for r in results for load in r.get("load", [])]
    wall = sum(r.get("wall_s", 0) for r in results)
    cpu = sum(r.get("cpu_s", 0) for r in results)
    if not loads or not cpu:
        return ""
    return (
        f"Während der Messung: Last (1 min) {de(min(loads), 1)} bis {de(max(loads), 1)} bei "
        f"{os.cpu_count()} Kernen, Wandzeit {de(wall / cpu, 2)} × CPU-Zeit."
    )


def markdown(results: list[dict], info: dict, seconds: float) -> str:
    big = results[-1]
    costing = big.get("costing", {})
    lines = [
        SECTION,
        "",
        f"`make bench` am {info['date']} ({de(seconds / 60, 1)} min). Rechner: {info['cpu']}, "
        f"{info['cores']} Kerne, {info['ram']} RAM, {info['os']}; Python {info['python']}, "
        f"Django {info['django']}, SQLite {info['sqlite']}, openpyxl {info['openpyxl']}, "
        f"WeasyPrint {info['weasyprint']}.",
        "",
        f"Datenbanken: SQLite-Dateien `bench/city_<N>.sqlite3`, frisch erzeugt mit "
        f"`generate_city --positions N --seed {SEED}`; Einstellungen `bench/settings.py` "
        "(die Produktionseinstellungen mit DEBUG aus). Seiten über den Django-Testclient, "
        "angemeldet als Benutzer der Gruppe Personalamt. Jeder Wert ist der Median mehrerer "
        "Wiederholungen nach einem Aufwärmlauf (Pfad und Untergrenze abwechselnd gemessen); "
        "die Abfragen sind die eines Aufrufs. Gemessen wird die CPU-Zeit des Prozesses "
        "(SQLite, Testclient, openpyxl und WeasyPrint laufen alle in ihm): sie hängt viel "
        "weniger als die Wandzeit davon ab, was sonst auf dem Rechner läuft (ganz unabhängig "
        "ist sie nicht: Kerne und Caches sind geteilt); auf einem freien Rechner ist die "
        "Wandzeit gleich. " + load_note(results),
        "",
        *table(results),
        "",
    ]
    if "engine_total" in costing:
        same = costing["engine_total"] == costing["floor_total"]
        lines += [
            f"Kontrolle bei N = {de(big['size'])}: {de(costing['lines'])} Stellen aktiv {YEAR}, "
            f"{costing['departments']} Ämter/Referate; Kosten {YEAR} laut Engine "
            f"{costing['engine_total']} €, laut SQL-Aggregat {costing['floor_total']} € "
            f"({'gleich' if same else 'abweichend: Gleitkomma-Rundung in SQLite'}).",
            "",
        ]
    excel = big.get("excel", {})
    if "cells" in excel:
        lines += [
            f"Excel bei N = {de(big['size'])}: {excel['sheets']} Blätter, {de(excel['rows'])} "
            f"Zeilen, {de(excel['cells'])} Zellen, {de(excel['bytes'] / 2**20, 1)} MB.",
            "",
        ]
    pdf = big.get("pdf", {})
    if "pages" in pdf:
        lines += [
            f"PDF bei N = {de(big['size'])}: GRDrs {pdf['decision']}, {pdf['positions']} Stellen, "
            f"{pdf['pages']} Seiten, HTML {de(pdf['html_chars'] / 1000)} kB, PDF "
            f"{de(pdf['pdf_bytes'] / 1000)} kB.",
            "",
        ]
    lines += ["### Ziele", "", *verdicts(results), ""]
    if NOTES.exists():
        notes = NOTES.read_text(encoding="utf-8").strip()
        lines += [notes.replace("\n## ", "\n### "), ""]
    return "\n".join(lines)


def write_results(text: str) -> None:
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark\n"
    start = old.find(f"\n{SECTION}")
    if start == -1:
        title_end = old.find("\n", old.find("# Benchmark")) + 1 if "# Benchmark" in old else 0
        rest = old[title_end:].lstrip("\n")
        head = old[:title_end] if title_end else "# Benchmark\n"
        new = head + "\n" + text + ("\n" + rest if rest else "")
    else:
        following = old.find("\n## ", start + len(SECTION) + 1)
        rest = old[following:] if following != -1 else ""
        new = old[: start + 1] + text + rest
    RESULTS.write_text(new.rstrip("\n") + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeat", type=int, default=7, help="Wiederholungen je Messung")
    parser.add_argument("--no-results", action="store_true", help="bench/results.md nicht ändern")
    parser.add_argument(
        "--from-json", type=Path, help="keine Messung: die Tabelle aus bench/results.json neu bauen"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        child(args.child, args.repeat, args.out)
        return 0

    if args.from_json:
        saved = json.loads(args.from_json.read_text(encoding="utf-8"))
        results, info, seconds = saved["results"], saved["machine"], saved["seconds"]
        info["date"] = saved.get("date")
    else:
        started = time.perf_counter()
        results = []
        for size in args.sizes:
            print(f"N = {size}: Datenbank erzeugen und messen …", flush=True)
            results.append(run_child(size, args.repeat))
        info, seconds = machine(), time.perf_counter() - started
        info["date"] = datetime.now(UTC).astimezone().strftime("%d.%m.%Y %H:%M")
        if not args.no_results:
            RAW.write_text(
                json.dumps(
                    {"date": info["date"], "machine": info, "seconds": seconds, "results": results},
                    indent=2,
                )
                + "\n",
                encoding="utf-8",
            )
    text = markdown(results, info, seconds)
    print()
    print(text)
    if not args.no_results:
        write_results(text)
        print(
            f"Ergebnis in {RESULTS.relative_to(ROOT)} (Abschnitt „Hauptpfade“), "
            f"Rohdaten in {RAW.relative_to(ROOT)}."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
