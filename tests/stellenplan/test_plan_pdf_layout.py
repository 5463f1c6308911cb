"""The Stellenplan PDF as a printed document (issue 22 part 4): headings with their tables,
tables over the whole text width, no page with a lone row, and the workbook showing every
figure of the PDF as the PDF shows it. Renders the real PDF (marker pdf)."""

import re
import shutil
import subprocess
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.pdf import PDF_OPTIONS, html_source
from stellenplan.models import PreviousYearFigure, TraineeCount
from stellenplan.plan_document import build_full_document
from stellenplan.plan_excel import write_plan_workbook
from stellenplan.plan_pdf import plan_html
from tests.stellenplan.plan_fixtures import reference_plan

pytestmark = [pytest.mark.pdf, pytest.mark.usefixtures("seed")]

PX_PER_MM = 96 / 25.4
#: A4 landscape less the margins of plan-pdf.css (15 mm left and right)
TEXT_WIDTH_MM = 297 - 2 * 15
NUMBER = re.compile(r"^[+−-]?\d{1,3}(\.\d{3})*,\d+$")


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, seed_world, tmp_path_factory):
    """The reference plan with a non-trivial Vorjahr and Nachwuchskräfte: the laid-out
    document, its PDF's text per page (pdftotext) and the workbook, built once."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            PreviousYearFigure.objects.filter(org_unit__code="20", pay_grade__code="A 8").update(
                fte=Decimal("1.5"), occupied=Decimal("1.5")
            )
            TraineeCount.objects.create(
                year=2012, category="anwaerter", training="Inspektoranwärter/-innen", number=12
            )
            TraineeCount.objects.create(
                year=2012, category="azubi", training="Verwaltungsfachangestellte", number=7
            )
            document = build_full_document(reference_plan())
            transaction.set_rollback(True)
    folder = tmp_path_factory.mktemp("plan-layout")
    laid_out = html_source(plan_html(document)).render(**PDF_OPTIONS)
    pdf = folder / "plan.pdf"
    laid_out.write_pdf(pdf, **PDF_OPTIONS)
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext fehlt: bitte `make system-deps` (poppler-utils)"
    text = subprocess.run(
        [tool, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    workbook_path = folder / "plan.xlsx"
    write_plan_workbook(str(workbook_path), document)
    return {
        "document": document,
        "layout": laid_out,
        "pages": text.split("\f")[: len(laid_out.pages)],
        "workbook": load_workbook(workbook_path),
    }


def content_lines(page: str) -> list[str]:
    """The lines of a page without running head ("Stellenplan … ENTWURF") and foot."""
    lines = [" ".join(line.split()) for line in page.splitlines() if line.strip()]
    return [
        line
        for line in lines
        if not line.startswith("Stellenplan 2012/2013 – Haushaltsjahr")
        and not re.fullmatch(r"Seite \d+ von \d+", line)
    ]


def headings(document) -> set[str]:
    """Every heading and caption the PDF prints above a table."""
    texts = set()
    for doc in document.years:
        y = doc.year
        texts |= {f"Haushaltsjahr {y}", f"Teilstellenpläne {y} je Teilhaushalt und Amt"}
        texts |= {f"Veränderungsnachweis {y}", f"Nachwuchskräfte {y}"}
        texts |= {f"Veränderungsnachweis {y}: jede Veränderung"}
        texts |= {f"Veränderungen {doc.previous_year} → {y} nach Art und Grundlage"}
        texts |= {f"Stellenplan {y}, Gesamtsumme Teil A und Teil B"}
        for part in doc.parts:
            texts |= {part.title, f"Stellenplan {y}, {part.title}"}
        for unit in doc.units:
            texts.add(
                " ".join(
                    f"Teilhaushalt {unit.section or '–'} {unit.section_name} · {unit.code} "
                    f"{unit.name}".split()
                )
            )
    return texts


def test_no_page_ends_with_a_heading_and_none_holds_a_lone_row(rendered):
    titles = headings(rendered["document"])
    pages = rendered["pages"]
    for number, page in enumerate(pages, 1):
        lines = content_lines(page)
        assert lines, f"Seite {number} ist leer"
        assert lines[-1] not in titles, f"Seite {number} endet mit „{lines[-1]}“"
        # a page holds more than a lone table row or a small table (the sources paragraph
        # and at least a few rows travel together)
        assert len(lines) >= 6, f"Seite {number} hält nur {lines}"
    assert len(pages) <= 8  # 11 pages before issue 22, with half-empty ones


def test_every_table_spans_the_text_width_of_a4_landscape(rendered):
    text_width = TEXT_WIDTH_MM * PX_PER_MM
    seen = 0
    for page in rendered["layout"].pages:
        assert round(page.width / PX_PER_MM) == 297  # A4 landscape, as the Muster
        for name, (x1, _y1, x2, _y2) in page.anchors.items():
            if name.startswith("jahr-") and name.count("-") >= 2:  # the tables
                seen += 1
                assert x2 - x1 >= 0.9 * text_width, f"{name}: {(x2 - x1) / PX_PER_MM:.0f} mm"
    # parts A and B, the totals, 5 Teilstellenpläne, 2 Veränderungsnachweise (2012), 1 (2013)
    # and the Nachwuchskräfte of 2012
    assert seen == 2 * (2 + 1 + 5 + 1) + 1 + 1


# --- the workbook shows what the PDF shows ------------------------------------------------------


def excel_display(value: Decimal, number_format: str) -> str:
    """`value` as Excel or LibreOffice (German) show it with `number_format`: the sections
    positive;negative;zero, quoted literals, "+", grouping "#,##0", decimals "0.0###"."""
    sections = [""]
    quoted = False
    for char in number_format:  # split at ";" outside quotes, empty sections kept
        if char == ";" and not quoted:
            sections.append("")
            continue
        quoted ^= char == '"'
        sections[-1] += char
    if len(sections) > 1:
        section = sections[0] if value > 0 else sections[1] if value < 0 else sections[-1]
        value = abs(value)
    else:
        section = sections[0]
    if not section:
        return ""
    prefix = ""
    while section and section[0] not in "#0":
        if section[0] == '"':
            end = section.index('"', 1)
            prefix, section = prefix + section[1:end], section[end + 1 :]
        else:
            prefix, section = prefix + section[0], section[1:]
    integer, _, decimals = section.partition(".")
    least, most = decimals.count("0"), len(decimals)
    rounded = value.quantize(Decimal(1).scaleb(-most), rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{rounded:f}".partition(".")
    fraction = fraction.rstrip("0").ljust(least, "0")
    if "," in integer:
        whole = f"{int(whole):,}".replace(",", ".")
    return prefix + whole + ("," + fraction if fraction else "")


def split_arguments(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += (char == "(") - (char == ")")
        current += char
    return [*parts, current]


def cell_value(sheet, reference: str) -> Decimal:
    value = sheet[reference].value
    if value is None:
        return Decimal(0)
    if isinstance(value, str) and value.startswith("="):
        return evaluate(sheet, value[1:])
    return Decimal(str(value))


def evaluate(sheet, expression: str) -> Decimal:
    """The formulas the plan workbook writes: SUM of cells and ranges, nested; A1-B1."""
    expression = expression.strip()
    if match := re.fullmatch(r"SUM\((.*)\)", expression):
        return sum((evaluate(sheet, part) for part in split_arguments(match[1])), Decimal(0))
    if match := re.fullmatch(r"([A-Z]+)(\d+):([A-Z]+)(\d+)", expression):
        column, first, last = match[1], int(match[2]), int(match[4])
        return sum((cell_value(sheet, f"{column}{r}") for r in range(first, last + 1)), Decimal(0))
    if match := re.fullmatch(r"([A-Z]+\d+)-([A-Z]+\d+)", expression):
        return cell_value(sheet, match[1]) - cell_value(sheet, match[2])
    assert re.fullmatch(r"[A-Z]+\d+", expression), expression
    return cell_value(sheet, expression)


def shown_cells(sheet, row) -> list[str]:
    """What the figure cells of a plan row show (B … H, the ku target text skipped)."""
    shown = []
    for cell in row[1:8]:
        if cell.column_letter == "E" or cell.value is None:
            continue
        if cell.value == "•":
            shown.append("•")
            continue
        text = excel_display(cell_value(sheet, cell.coordinate), cell.number_format)
        if text:  # a format's empty zero section shows nothing
            shown.append(text)
    return shown


def pdf_rows(lines: list[str]) -> list[tuple[str, list[str]]]:
    """(label without spaces, figures) of every table line with figures."""
    rows = []
    for line in lines:
        tokens = line.split()
        first = next((i for i, t in enumerate(tokens) if NUMBER.match(t) or t == "•"), None)
        if not first:
            continue
        figures = []
        for token in tokens[first:]:
            if not (NUMBER.match(token) or token == "•"):
                break
            figures.append(token)
        rows.append(("".join(tokens[:first]), figures))
    return rows


def year_lines(rendered, year: int) -> list[str]:
    return [
        line
        for page in rendered["pages"]
        if f"Haushaltsjahr {year}" in page.splitlines()[0]
        for line in content_lines(page)
    ]


@pytest.mark.parametrize("year", [2012, 2013])
def test_every_figure_of_the_pdf_is_the_workbook_cell_as_excel_shows_it(rendered, year):
    lines = year_lines(rendered, year)
    doc = rendered["document"].year(year)
    tables_at = lines.index(doc.parts[0].title)  # after the notes, which hold figures too
    units_at = lines.index(f"Teilstellenpläne {year} je Teilhaushalt und Amt")
    changes_at = lines.index(f"Veränderungsnachweis {year}")
    book = rendered["workbook"]

    def sheet_rows(sheet):
        return [
            ("".join(str(row[0].value).split()), shown_cells(sheet, row))
            for row in sheet.iter_rows(min_row=5)
            if row[0].value and row[1].value is not None
        ]

    plan_sheet = book[f"Stellenplan {year}"]
    expected = dict(sheet_rows(plan_sheet))
    compared = 0
    for label, figures in pdf_rows(lines[tables_at:units_at]):
        assert expected[label] == figures, label
        compared += 1
    assert compared == len(expected) + 2  # Summe Teil A and B twice in the PDF
    signs = {f[0] for _, fs in pdf_rows(lines[tables_at:units_at]) for f in fs}
    assert signs >= ({"+", "−"} if year == 2012 else {"0"})  # 2012: +1,0 and −0,2 (A 8)

    unit_sheet = book[f"Teilstellenpläne {year}"]
    in_book = [r for r in sheet_rows(unit_sheet) if r[0] != "SummeallerTeilstellenpläne"]
    assert pdf_rows(lines[units_at:changes_at]) == in_book

    change_sheet = book[f"Veränderungen {year}"]
    fte_cells = [
        excel_display(Decimal(str(row[6].value)), row[6].number_format)
        for row in change_sheet.iter_rows(min_row=5)
        if isinstance(row[1].value, datetime) and row[6].value is not None
    ]
    listed = [line for line in lines[changes_at:] if re.search(r"\d\d\.\d\d\.\d{4}", line)]
    in_pdf = [figures[-1] for label, figures in pdf_rows(listed) if label.startswith("Schaffung")]
    assert in_pdf == fte_cells
    assert len(in_pdf) == (18 if year == 2012 else 0)


def test_the_display_rule_reads_the_formats_as_excel_does():
    assert excel_display(Decimal("2.1"), "#,##0.0###") == "2,1"
    assert excel_display(Decimal("1234.5"), "#,##0.0###") == "1.234,5"
    assert excel_display(Decimal("12.14115"), "#,##0.0###") == "12,1412"
    assert excel_display(Decimal("0"), '#,##0.0###;"−"#,##0.0###;') == ""
    change = '+#,##0.0###;"−"#,##0.0###;0.0'
    assert [excel_display(Decimal(v), change) for v in ("2.1", "-0.5", "0")] == [
        "+2,1",
        "−0,5",
        "0,0",
    ]


def test_the_workbook_of_the_pdf_is_written_to_test_output(rendered, output_dir):
    path = Path(output_dir) / "stellenplan-2012-2013-layout.pdf"
    rendered["layout"].write_pdf(path, **PDF_OPTIONS)
    assert path.read_bytes().startswith(b"%PDF")
