"""LibreOffice recalculates the projection workbook: every formula equals the projection's
figures to the cent (see tests/costing/test_excel_libreoffice.py for the approach)."""

from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from costing.models import CostRate, CostTable
from costing.projection import project
from costing.projection_excel import write_projection_workbook
from departments.models import OrgUnit
from stellenplan.models import PayGrade
from tests.costing.test_excel_libreoffice import cents, recalculate
from tests.factories import PositionFactory

pytestmark = [pytest.mark.usefixtures("seed"), pytest.mark.libreoffice]


def add_awkward_positions() -> None:
    """Shares, start months and a kw date that give cents, in the reimbursed Jobcenter and
    elsewhere, and a cost table with components from 2024 (the rounds after it apply)."""
    grade = PayGrade.objects.get(code="EG 9")
    for code, fte, start, kw in [
        ("29-1", "0.33", date(2023, 5, 1), None),
        ("29-3", "0.67", date(2024, 2, 1), date(2026, 9, 15)),
        ("29AL", "0.17", date(2023, 11, 1), None),
        ("20-4", "0.33", date(2025, 8, 1), None),
        ("10-5.1", "0.77", date(2026, 3, 1), date(2027, 6, 1)),
    ]:
        PositionFactory(
            org_unit=OrgUnit.objects.get(code=code),
            pay_grade=grade,
            fte=Decimal(fte),
            start_date=start,
            note="KW" if kw else "",
            note_date=kw,
        )
    table = CostTable.objects.create(name="Kostentabelle 2024", valid_from=date(2024, 1, 1))
    CostRate.objects.bulk_create(
        CostRate(
            table=table,
            pay_grade=r.pay_grade,
            annual_cost=r.annual_cost + Decimal("333.33"),
            personnel_cost=(r.annual_cost * Decimal("0.77")).quantize(Decimal("0.01")),
        )
        for r in CostRate.objects.select_related("pay_grade")
    )


def test_libreoffice_recalculates_the_projection_to_the_cent(tmp_path):
    add_awkward_positions()
    projection = project(2025)
    assert projection.total[0].reimbursement > 0
    source = tmp_path / "finanzplanung.xlsx"
    with source.open("wb") as handle:
        write_projection_workbook(handle, projection)
    recalculated = recalculate(source, tmp_path)
    values = load_workbook(recalculated, data_only=True)["Finanzplanung"]
    formulas = load_workbook(recalculated)["Finanzplanung"]
    labels = {row[0].value: row[0].row for row in values.iter_rows(min_row=5)}
    checked = 0
    for block in projection.blocks:
        row = labels[f"Summe {block.label}"]
        for index, figures in enumerate(block.subtotal):
            column = 3 + 3 * index
            assert formulas.cell(row, column).value.startswith("=SUBTOTAL(9,")
            got = [cents(values.cell(row, column + k).value) for k in range(3)]
            assert got == [figures.gross, figures.reimbursement, figures.municipal]
            checked += 1
    row = labels["Gesamtsumme"]
    for index, figures in enumerate(projection.total):
        column = 3 + 3 * index
        got = [cents(values.cell(row, column + k).value) for k in range(3)]
        assert got == [figures.gross, figures.reimbursement, figures.municipal]
        checked += 1
    # the municipal share of each row is a formula too
    first = projection.rows[0]
    row_number = next(
        r[0].row
        for r in values.iter_rows(min_row=5)
        if r[1].value == f"{first.department.code} {first.department.name}"
    )
    assert cents(values.cell(row_number, 5).value) == first.figures[0].municipal
    assert checked == len(projection.blocks) * 5 + 5
