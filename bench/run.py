"""Benchmark of the main paths at city size (issues 6 and 10): `make bench`.

For each size (2,000, 20,000 and 100,000 position lines) a child process builds a fresh SQLite
database bench/city_<N>.sqlite3 (migrate + `generate_city --positions N --seed 1`, the dev-tools
app `bench` is installed by bench/settings.py) and measures the process's CPU time (everything
runs in it, so other load on the machine barely matters), as the median of several
repetitions, each path in turns with its floor:

- pages, addressed by path (URL names may change, paths stay): start page of a year, positions
  list (first page and filtered by Amt 51, Tarif, 2014), org tree and the org-unit page of
  Amt 51 (Django test client, logged in as a Personalamt user): CPU ms and SQL queries;
- costing of a year (`cost_year` of costing.engine) against one raw SQL aggregate query that computes the same totals per department in
  the database (the floor);
- the Excel workbook of all lines (costing.excel.write_workbook, XlsxWriter since issue 23)
  against bare openpyxl in write-only mode writing the same cells with the same number formats
  (the reference) and, for comparison, without formats and with bare XlsxWriter
  (constant_memory), with peak memory (tracemalloc);
- the PDF of a decision with 200 positions (decisions.pdf) against WeasyPrint rendering the
  same HTML (the floor);
- the JSON export of a year (manage.py export_costs).

Every ratio compares two figures of the same run. Above 20,000 positions each path is repeated
fewer times (LARGE_REPEAT), and the PDF (the same decision at every size) is timed three times
at the largest size only, once at the others, so that the whole run fits about 25 minutes on
2 cores.

The parent process prints a table and writes it into bench/results.md (section
"Hauptpfade"; other sections, e.g. the load test's, are kept; bench/notes.md is appended) and
the raw figures into bench/results.json. A path that does not exist (yet) is reported as
"nicht verfügbar"; timings are reported, never asserted.

    .venv/bin/python bench/run.py                    # three sizes, about 20 minutes on 2 cores
    .venv/bin/python bench/run.py --sizes 2000 --no-results
    .venv/bin/python bench/run.py --from-json bench/results.json   # table only, no measuring
    .venv/bin/python bench/run.py --reuse --only pages   # the pages again on the same databases

--reuse keeps a database file of an earlier run (migrated, not generated anew: 100,000 positions
take a while); --only measures some groups and takes the others, marked with their date, from
bench/results.json.
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results.md"
RAW = BENCH / "results.json"
SECTION = "## Hauptpfade"
NOTES = BENCH / "notes.md"
SIZES = (2000, 20000, 100000)
LARGE = 20000  # above this size, fewer repetitions
LARGE_REPEAT = {"pages": 5, "costing": 5, "excel": 2, "pdf": 3, "plan": 2, "json": 2}
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


def repeats(size: int, repeat: int, largest: bool) -> dict[str, int]:
    """How often each group is timed at this size. The PDF is that of the same 200-position
    decision at every size, so it is timed three times only at the largest size."""
    small = {
        "pages": repeat,
        "costing": repeat,
        "excel": max(3, repeat // 2),
        "pdf": 3 if largest else 1,
        "plan": 3,
        "json": max(3, repeat // 2),
    }
    if size <= LARGE:
        return small
    return {key: min(count, LARGE_REPEAT[key]) for key, count in small.items()}


def child(
    size: int, repeat: int, largest: bool, out: Path, *, reuse: bool, only: list[str] | None
) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    load_before = os.getloadavg()[0]
    database = Path(os.environ["BENCH_DATABASE"])
    reused = reuse and database.exists()
    if not reused:
        database.unlink(missing_ok=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    if not reused:
        call_command("generate_city", positions=size, seed=SEED, stdout=open(os.devnull, "w"))  # noqa: SIM115
    generated = time.perf_counter()
    counts = repeats(size, repeat, largest)
    results: dict = {
        "size": size,
        "repeats": counts,
        "migrate_s": migrated - started,
        "generate_s": generated - migrated,
        "phase_s": {},
    }
    if reused:
        results["reused"] = True
        del results["generate_s"]
    for key, measure in (
        ("pages", measure_pages),
        ("costing", measure_costing),
        ("excel", lambda count: measure_excel(count, comparisons=size <= LARGE)),
        ("pdf", measure_pdf),
        ("plan", measure_plan),
        ("json", measure_json),
    ):
        if only and key not in only:
            continue
        phase = time.perf_counter()

        def call(measure: Callable[[int], dict] = measure, key: str = key) -> dict:
            return measure(counts[key])

        guarded(results, key, call)
        results["phase_s"][key] = time.perf_counter() - phase
        print(f"  N = {size}: {key} {results['phase_s'][key]:.0f} s", file=sys.stderr, flush=True)
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


# The pages, by path (URL names are not stable across the layout change, paths are).
PAGES = {
    "start": "/kosten/?year={year}",
    "list_first": "/kosten/stellen/",
    "list_filtered": "/kosten/stellen/?org_unit={amt}&status_group=tarif&year={year}",
    "tree": "/kosten/organisation/?year={year}",
    "unit": "/kosten/organisation/{amt}/?year={year}",
}
PAGE_LABELS = {
    "start": "Startseite 2014 (Summen je Amt)",
    "list_first": "Stellenliste, erste Seite",
    "list_filtered": "Stellenliste, gefiltert (Amt 51, Tarif, 2014)",
    "tree": "Organisationsbaum 2014",
    "unit": "Seite einer Einheit (Amt 51, 2014)",
}


def measure_pages(repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from departments.models import OrgUnit

    client = bench_client()
    amt = OrgUnit.objects.get(code="51")  # the largest Amt (Jugendamt)
    result: dict = {}
    for key, pattern in PAGES.items():
        url = pattern.format(amt=amt.pk, year=YEAR)

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
    floor_total = sum((Decimal(str(row[4])) for row in rows), Decimal(0))
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


def read_cells(path: str) -> list[tuple[str, list[list[tuple[Any, str]]]]]:
    """Every sheet's cells as (value, number format), read back from a written workbook."""
    from openpyxl import load_workbook

    source = load_workbook(path, read_only=True)
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
    return sheets


def write_formatted(sheets: list[tuple[str, list[list[tuple[Any, str]]]]]) -> None:
    """The same values with the same number formats (one reused cell per format): the floor,
    what bare openpyxl needs to write this workbook."""
    from openpyxl import Workbook
    from openpyxl.cell import Cell, WriteOnlyCell

    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        templates: dict[str, Cell] = {}
        for row in rows:
            out: list[Any] = []
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


def write_formatted_xlsxwriter(sheets: list[tuple[str, list[list[tuple[Any, str]]]]]) -> None:
    """The same values with the same number formats written by bare XlsxWriter in
    constant-memory mode (the library the export writes with since issue 23): for comparison."""
    import xlsxwriter

    with tempfile.TemporaryFile() as handle:
        workbook = xlsxwriter.Workbook(handle, {"constant_memory": True})
        formats: dict[str, Any] = {}
        for title, rows in sheets:
            sheet = workbook.add_worksheet(title)
            for r, row in enumerate(rows):
                for c, (value, number_format) in enumerate(row):
                    if value is None:
                        continue
                    cell_format = None
                    if number_format not in ("", "General"):
                        cell_format = formats.get(number_format)
                        if cell_format is None:
                            cell_format = formats[number_format] = workbook.add_format(
                                {"num_format": number_format}
                            )
                    sheet.write(r, c, value, cell_format)
        workbook.close()


def measure_excel(repeat: int, *, comparisons: bool = True) -> dict:
    """Export against the formatted floor; with `comparisons` also the bare floor (no formats)
    and the floor's peak memory, which are for reading the figures only (left out above
    LARGE, where each costs minutes)."""
    from openpyxl import Workbook

    from costing.excel import selected_years, write_workbook

    years = selected_years(YEAR)  # what /kosten/excel/?year=2014 exports: 2014 to 2016

    def export():
        with tempfile.TemporaryFile() as handle:
            write_workbook(handle, years)
            return handle.tell()

    steps: dict[str, float] = {}  # CPU seconds of each step of this measurement
    step = time.process_time()
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        write_workbook(handle.name, years)
        size = Path(handle.name).stat().st_size
        sheets = read_cells(handle.name)
    plain = [(title, [tuple(v for v, _ in row) for row in rows]) for title, rows in sheets]
    cells = sum(len(row) for _, rows in plain for row in rows)

    def bare():
        """The same values, no formats: for comparison (what the formats cost)."""
        workbook = Workbook(write_only=True)
        for title, rows in plain:
            sheet = workbook.create_sheet(title)
            for row in rows:
                sheet.append(row)
        with tempfile.TemporaryFile() as handle:
            workbook.save(handle)

    def formatted():
        write_formatted(sheets)

    steps["read_back"], step = time.process_time() - step, time.process_time()
    functions = {"app": export, "floor": formatted}
    if comparisons:
        functions["bare"] = bare
        functions["xlsxwriter"] = lambda: write_formatted_xlsxwriter(sheets)
    times = timed(functions, repeat, warmup=0)
    steps["timed"], step = time.process_time() - step, time.process_time()
    app_peak = peak_bytes(export)
    steps["app_peak"], step = time.process_time() - step, time.process_time()
    floor_peak = peak_bytes(formatted) if comparisons else None
    steps["floor_peak"] = time.process_time() - step
    skipped = {"error": f"nicht gemessen über N = {de(LARGE)}"}
    return {
        "years": years,
        "sheets": len(sheets),
        "rows": sum(len(rows) for _, rows in sheets),
        "cells": cells,
        "bytes": size,
        **ratios(times),  # floor: the same cells with the same number formats
        "bare_s": times["bare"]["cpu"] if comparisons else skipped,
        "bare_ratio": times["app"]["cpu"] / times["bare"]["cpu"] if comparisons else skipped,
        "xlsxwriter_s": times["xlsxwriter"]["cpu"] if comparisons else skipped,
        "xlsxwriter_ratio": (
            times["app"]["cpu"] / times["xlsxwriter"]["cpu"] if comparisons else skipped
        ),
        "app_peak_mb": app_peak / 2**20,
        "floor_peak_mb": floor_peak / 2**20 if floor_peak is not None else skipped,
        "steps_cpu_s": steps,
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
    same base URL and PDF variant (tagged PDF/UA-1) as decisions.pdf but WeasyPrint's own URL
    fetcher."""
    from weasyprint import HTML

    from decisions.pdf import PDF_OPTIONS

    return HTML(string=html, base_url=(ROOT / "static").as_uri() + "/").write_pdf(**PDF_OPTIONS)


def measure_plan(repeat: int) -> dict:
    """The Stellenplan document of YEAR (issue 12): its PDF (built from the database and
    rendered) against WeasyPrint alone on the same HTML, and its Excel workbook (built from the
    database and written) against bare openpyxl writing the same cells with the same number
    formats. A plan containing YEAR is used, or a temporary draft (rolled back)."""
    from bench.pdf import bench_plan, pdf_page_count
    from stellenplan.plan_document import build_full_document, document_for_output
    from stellenplan.plan_excel import write_plan_workbook
    from stellenplan.plan_pdf import plan_html, render_plan_pdf

    with bench_plan(YEAR) as plan:

        def pdf_app() -> bytes:
            return render_plan_pdf(document_for_output(plan))

        def excel_app() -> None:
            with tempfile.TemporaryFile() as handle:
                write_plan_workbook(handle, document_for_output(plan))

        document = document_for_output(plan)
        html = plan_html(document)
        pdf = pdf_app()  # warm-up of both (fonts, caches)
        weasyprint_floor(html)
        pdf_times = timed(
            {"app": pdf_app, "floor": lambda: weasyprint_floor(html)}, repeat, warmup=0
        )
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            write_plan_workbook(handle.name, document)
            sheets = read_cells(handle.name)
        excel_times = timed(
            {"app": excel_app, "floor": lambda: write_formatted(sheets)},
            max(repeat, 3),
            warmup=1,
        )
        # what a change of the data costs once: the document built anew (not cached)
        build = timed({"build": lambda: build_full_document(plan)}, 1, warmup=0)["build"]
        return {
            "plan": plan.label,
            "years": plan.years,
            "units": len(document.years[0].units),
            "changes": sum(len(y.changes) for y in document.years),
            "pages": pdf_page_count(pdf),
            "html_chars": len(html),
            "build_s": build["cpu"],
            "pdf": ratios(pdf_times),
            "excel": {
                **ratios(excel_times),
                "cells": sum(len(row) for _, rows in sheets for row in rows),
            },
        }


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


def run_child(
    size: int, repeat: int, largest: bool, *, reuse: bool = False, only: list[str] | None = None
) -> dict:
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
        if largest:
            command.append("--largest")
        if reuse:
            command.append("--reuse")
        if only:
            command += ["--only", *only]
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
    number = data.get(key)
    return None if isinstance(number, dict) else number  # a dict: {"error": why not measured}


ROWS = [
    # label, group, key, unit, places
    ("Stadt erzeugen (generate_city, Wandzeit)", None, "generate_s", " s", 1),
    *(
        row
        for key, label in PAGE_LABELS.items()
        for row in (
            (label, "pages", f"{key}.ms", " ms", 0),
            ("… SQL-Abfragen", "pages", f"{key}.queries", "", 0),
        )
    ),
    ("Kostenrechnung 2014 (cost_year)", "costing", "engine_ms", " ms", 1),
    ("… Untergrenze: ein SQL-Aggregat", "costing", "floor_ms", " ms", 1),
    ("… Verhältnis", "costing", "ratio", " ×", 2),
    ("Excel-Export 2014–2016, alle Stellen", "excel", "app_s", " s", 2),
    (
        "… Untergrenze: openpyxl write-only, gleiche Zellen und Zahlenformate",
        "excel",
        "floor_s",
        " s",
        2,
    ),
    ("… Verhältnis", "excel", "ratio", " ×", 2),
    ("… zum Vergleich: dieselben Zellen ohne Formate", "excel", "bare_s", " s", 2),
    ("… Verhältnis Export zu diesem Vergleich", "excel", "bare_ratio", " ×", 2),
    (
        "… zum Vergleich: XlsxWriter (constant_memory), gleiche Zellen und Zahlenformate",
        "excel",
        "xlsxwriter_s",
        " s",
        2,
    ),
    ("… Verhältnis Export zu XlsxWriter", "excel", "xlsxwriter_ratio", " ×", 2),
    ("… Spitzenspeicher Export (tracemalloc)", "excel", "app_peak_mb", " MB", 1),
    ("… Spitzenspeicher Untergrenze", "excel", "floor_peak_mb", " MB", 1),
    ("PDF einer Vorlage mit 200 Stellen", "pdf", "app_s", " s", 2),
    ("… Untergrenze: WeasyPrint, gleiches HTML", "pdf", "floor_s", " s", 2),
    ("… Verhältnis", "pdf", "ratio", " ×", 2),
    ("Stellenplan 2014: Dokument neu aus der Datenbank", "plan", "build_s", " s", 2),
    ("Stellenplan 2014 als PDF", "plan", "pdf.app_s", " s", 2),
    ("… Untergrenze: WeasyPrint, gleiches HTML", "plan", "pdf.floor_s", " s", 2),
    ("… Verhältnis", "plan", "pdf.ratio", " ×", 2),
    ("Stellenplan 2014 als Excel", "plan", "excel.app_s", " s", 2),
    (
        "… Untergrenze: openpyxl write-only, gleiche Zellen und Zahlenformate",
        "plan",
        "excel.floor_s",
        " s",
        2,
    ),
    ("… Verhältnis", "plan", "excel.ratio", " ×", 2),
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
        if isinstance(data, dict) and isinstance(data.get(key.split(".")[-1]), dict):
            data = data[key.split(".")[-1]]  # this figure alone was not measured
        return data.get("error", UNAVAILABLE) if isinstance(data, dict) else UNAVAILABLE
    return f"{de(number, places)}{unit}"


def table(results: list[dict]) -> list[str]:
    """One column per size; with two sizes or more, the growth from the last but one to the
    last size (20,000 → 100,000 in `make bench`)."""
    sizes = [r["size"] for r in results]
    growth_column = len(results) >= 2
    head = "| Pfad | " + " | ".join(f"N = {de(n)}" for n in sizes)
    if growth_column:
        head += f" | Faktor {de(sizes[-2])} → {de(sizes[-1])}"
    lines = [head + " |", "|---" * (len(results) + 1 + growth_column) + "|"]
    for label, group, key, unit, places in ROWS:
        cells = [render_cell(r, group, key, unit, places) for r in results]
        row = f"| {label} | " + " | ".join(cells)
        if growth_column:
            a, b = fetch(results[-2], group, key), fetch(results[-1], group, key)
            if a and b is not None and "ratio" not in key:
                row += f" | {de(b / a, 2)}"
            else:
                row += " | –"
        lines.append(row + " |")
    return lines


# The targets (issue 10), checked at the largest size.
PAGE_MS = 150
PAGE_GROWTH = 1.5
COSTING_RATIO = 2.0
EXCEL_RATIO = 1.3
EXCEL_MEMORY_GROWTH = 1.5
PDF_RATIO = 1.1
PLAN_PDF_RATIO = 1.2  # issue 12: the Stellenplan document
PLAN_EXCEL_RATIO = 1.3


def verdicts(results: list[dict]) -> list[str]:
    """The issue's targets, each met or missed, with its figures: at the largest size; growth
    from the last but one size to the largest; queries equal at every size."""
    big = results[-1]
    before = results[-2] if len(results) > 1 else None
    n_big = de(big["size"])
    n_before = de(before["size"]) if before else "–"
    out = []

    def line(ok: bool | None, text: str) -> None:
        mark = {True: "erreicht", False: "verfehlt", None: "nicht messbar"}[ok]
        out.append(f"- **{mark}**: {text}")

    for key, label in PAGE_LABELS.items():
        ms = value(big, "pages", f"{key}.ms")
        if ms is None:
            line(None, f"{label}: {render_cell(big, 'pages', f'{key}.ms', '', 0)}")
            continue
        counts = [value(r, "pages", f"{key}.queries") for r in results]
        same = len(set(counts)) == 1
        small_ms = value(before, "pages", f"{key}.ms") if before else None
        growth = ms / small_ms if small_ms else None
        ok = same and ms <= PAGE_MS and (growth is None or growth <= PAGE_GROWTH)
        line(
            ok,
            f"{label}: {de(ms)} ms bei N = {n_big} (Ziel ≤ {PAGE_MS} ms); Zeitfaktor "
            f"{de(growth, 2) if growth else '–'} von N = {n_before} auf {n_big} (Ziel ≤ "
            f"{de(PAGE_GROWTH, 1)}); Abfragen {' / '.join(de(c) if c is not None else '–' for c in counts)}"
            f" (Ziel: bei jeder Größe gleich: {'ja' if same else 'nein'}).",
        )
    ratio = value(big, "costing", "ratio")
    line(
        None if ratio is None else ratio <= COSTING_RATIO,
        f"Kostenrechnung eines Jahres bei N = {n_big}: "
        f"{de(value(big, 'costing', 'engine_ms') or 0, 1)} ms, "
        f"{de(ratio, 2) if ratio else '–'} × die SQL-Untergrenze "
        f"({de(value(big, 'costing', 'floor_ms') or 0, 1)} ms; Ziel ≤ {de(COSTING_RATIO, 1)}).",
    )
    ratio = value(big, "excel", "ratio")
    line(
        None if ratio is None else ratio <= EXCEL_RATIO,
        f"Excel bei N = {n_big}: {de(value(big, 'excel', 'app_s') or 0, 1)} s, "
        f"{de(ratio, 2) if ratio else '–'} × openpyxl write-only mit denselben Zellen und "
        f"Zahlenformaten ({de(value(big, 'excel', 'floor_s') or 0, 1)} s; Ziel ≤ "
        f"{de(EXCEL_RATIO, 1)}).",
    )
    peak_big = value(big, "excel", "app_peak_mb")
    peak_before = value(before, "excel", "app_peak_mb") if before else None
    growth = peak_big / peak_before if peak_big and peak_before else None
    line(
        None if growth is None else growth <= EXCEL_MEMORY_GROWTH,
        f"Excel-Speicher: Spitze {de(peak_before, 1) if peak_before else '–'} MB bei "
        f"N = {n_before}, {de(peak_big, 1) if peak_big else '–'} MB bei N = {n_big}: Faktor "
        f"{de(growth, 2) if growth else '–'} (Ziel ≤ {de(EXCEL_MEMORY_GROWTH, 1)}).",
    )
    ratio = value(big, "pdf", "ratio")
    line(
        None if ratio is None else ratio <= PDF_RATIO,
        f"PDF bei N = {n_big}: {de(value(big, 'pdf', 'app_s') or 0, 2)} s, "
        f"{de(ratio, 2) if ratio else '–'} × WeasyPrint allein auf demselben HTML "
        f"({de(value(big, 'pdf', 'floor_s') or 0, 2)} s; Ziel ≤ {de(PDF_RATIO, 1)}).",
    )
    for kind, target, floor_name in (
        ("pdf", PLAN_PDF_RATIO, "WeasyPrint allein auf demselben HTML"),
        ("excel", PLAN_EXCEL_RATIO, "openpyxl write-only mit denselben Zellen und Zahlenformaten"),
    ):
        ratio = value(big, "plan", f"{kind}.ratio")
        line(
            None if ratio is None else ratio <= target,
            f"Stellenplan {YEAR} als {kind.upper() if kind == 'pdf' else 'Excel'} bei "
            f"N = {n_big}: {de(value(big, 'plan', f'{kind}.app_s') or 0, 2)} s, "
            f"{de(ratio, 2) if ratio else '–'} × {floor_name} "
            f"({de(value(big, 'plan', f'{kind}.floor_s') or 0, 2)} s; Ziel ≤ {de(target, 1)}).",
        )
    return out


def phases(results: list[dict]) -> str:
    """How long each phase of each size took (wall clock), and how often it was timed."""
    parts = []
    for r in results:
        phase = r.get("phase_s", {})
        counts = r.get("repeats", {})
        steps = ", ".join(
            f"{key} {de(seconds)} s ({counts.get(key, '?')}×)" for key, seconds in phase.items()
        )
        parts.append(
            f"N = {de(r['size'])}: migrate {de(r.get('migrate_s', 0))} s, generate_city "
            f"{de(r.get('generate_s', 0))} s, {steps}; zusammen {de(r.get('wall_s', 0) / 60, 1)} min"
        )
    return "Dauer der Phasen (Wandzeit, in Klammern die Wiederholungen): " + "; ".join(parts) + "."


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
        "Datenbanken: SQLite-Dateien `bench/city_<N>.sqlite3`, "
        + (
            "aus einem früheren Lauf wiederverwendet (migriert), erzeugt mit "
            if any(r.get("reused") for r in results)
            else "frisch erzeugt mit "
        )
        + f"`generate_city --positions N --seed {SEED}`; Einstellungen `bench/settings.py` "
        "(die Produktionseinstellungen mit DEBUG aus). Seiten über den Django-Testclient, "
        "angemeldet als Benutzer der Gruppe Personalamt, aufgerufen über ihren Pfad. Jeder "
        "Wert ist der Median mehrerer Wiederholungen nach einem Aufwärmlauf (Pfad und "
        "Untergrenze abwechselnd gemessen, jedes Verhältnis aus demselben Lauf); die Abfragen "
        "sind die eines Aufrufs. Gemessen wird die CPU-Zeit des Prozesses "
        "(SQLite, Testclient, openpyxl und WeasyPrint laufen alle in ihm): sie hängt viel "
        "weniger als die Wandzeit davon ab, was sonst auf dem Rechner läuft (ganz unabhängig "
        "ist sie nicht: Kerne und Caches sind geteilt); auf einem freien Rechner ist die "
        "Wandzeit gleich. " + load_note(results),
        "",
        *table(results),
        "",
        phases(results),
        "",
    ]
    if carried_note(results):
        lines += [carried_note(results), ""]
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


GROUPS = ("pages", "costing", "excel", "pdf", "plan", "json")


def carry_over(results: list[dict], measured: set[str]) -> None:
    """The groups not measured now (and the generation time of a reused database), from the
    same size in bench/results.json, each result noting what it took from which run."""
    if not RAW.exists():
        return
    saved = json.loads(RAW.read_text(encoding="utf-8"))
    earlier = {r["size"]: r for r in saved.get("results", [])}
    for result in results:
        old = earlier.get(result["size"])
        if old is None:
            continue
        taken = [g for g in GROUPS if g not in measured and g in old]
        for group in taken:
            result[group] = old[group]
        if "generate_s" not in result and "generate_s" in old:
            result["generate_s"] = old["generate_s"]
            taken.append("generate_city")
        if taken:
            result["carried"] = {"date": saved.get("date"), "groups": taken}


def carried_note(results: list[dict]) -> str:
    parts = [
        f"N = {de(r['size'])}: {', '.join(r['carried']['groups'])} vom {r['carried']['date']}"
        for r in results
        if r.get("carried")
    ]
    if not parts:
        return ""
    return (
        "Nicht in diesem Lauf gemessen, aus dem früheren Lauf (bench/results.json) übernommen: "
        + "; ".join(parts)
        + "."
    )


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
    parser.add_argument("--largest", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="vorhandene bench/city_<N>.sqlite3 nur migrieren, nicht neu erzeugen",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=GROUPS,
        help="nur diese Gruppen messen; die übrigen aus bench/results.json übernehmen",
    )
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        child(args.child, args.repeat, args.largest, args.out, reuse=args.reuse, only=args.only)
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
            results.append(
                run_child(
                    size, args.repeat, size == max(args.sizes), reuse=args.reuse, only=args.only
                )
            )
        info, seconds = machine(), time.perf_counter() - started
        info["date"] = datetime.now(UTC).astimezone().strftime("%d.%m.%Y %H:%M")
        if args.only or args.reuse:
            carry_over(results, set(args.only or GROUPS))
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
