"""LibreOffice recalculates the workbook: every total equals the costing engine's to the cent.

The workbook holds SUM/SUBTOTAL formulas (with the engine's figures as cached values, which
LibreOffice ignores here): LibreOffice (headless, with a private profile that always
recalculates on load) converts it, and openpyxl reads the values LibreOffice computed. A missing LibreOffice is an error, not a skip.
"""

import shutil
import subprocess
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from costing.engine import ZERO, cost_year
from costing.excel import write_workbook
from costing.models import CostRate, CostTable
from departments.models import OrgUnit
from stellenplan.models import PayGrade
from tests.factories import PositionFactory

pytestmark = [pytest.mark.usefixtures("seed"), pytest.mark.libreoffice]

CENT = Decimal("0.01")
YEARS = [2011, 2012, 2013]

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recalculate(source: Path, work: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, (
        "LibreOffice (soffice) fehlt: bitte `make system-deps` ausführen "
        "(Debian-Paket libreoffice-calc-nogui)."
    )
    profile = work / "lo-profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    out = work / "recalculated"
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    result = out / source.name
    assert done.returncode == 0 and result.exists(), done.stdout + done.stderr
    return result


def cents(value) -> Decimal:
    """A value LibreOffice computed (a float), to the cent."""
    assert isinstance(value, int | float), value
    return Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def add_awkward_positions() -> None:
    """Shares and start months that give cents, in the reimbursed Jobcenter and elsewhere,
    and a second cost table from 2013, so the rates sheet has two tables."""
    grade = PayGrade.objects.get(code="EG 9")
    for code, fte, start in [
        ("29-1", "0.33", date(2011, 5, 1)),
        ("29-3", "0.67", date(2012, 2, 1)),
        ("29AL", "0.17", date(2011, 11, 1)),
        ("20-4", "0.33", date(2012, 8, 1)),
        ("10-5.1", "0.77", date(2013, 3, 1)),
    ]:
        PositionFactory(
            org_unit=OrgUnit.objects.get(code=code),
            pay_grade=grade,
            fte=Decimal(fte),
            start_date=start,
        )
    table = CostTable.objects.create(name="Kostentabelle 2013", valid_from=date(2013, 1, 1))
    CostRate.objects.bulk_create(
        CostRate(table=table, pay_grade=r.pay_grade, annual_cost=r.annual_cost + Decimal("333.33"))
        for r in CostRate.objects.select_related("pay_grade")
    )


def by_label(sheet, column: int, label: str, start: int = 1) -> int:
    for row in sheet.iter_rows(min_row=start):
        if row[column].value == label:
            return row[0].row
    raise AssertionError(f"{label!r} nicht gefunden in {sheet.title}")


def test_libreoffice_recalculates_every_total_to_the_engines_cent(tmp_path):
    add_awkward_positions()
    costings = [cost_year(y) for y in YEARS]
    source = tmp_path / "kosten.xlsx"
    with source.open("wb") as handle:
        write_workbook(handle, YEARS)

    recalculated = recalculate(source, tmp_path)
    values = load_workbook(recalculated, data_only=True)
    formulas = load_workbook(recalculated)
    checked = 0

    # Übersicht, per Amt/Referat: Stellen and annual cost of 2011, then per year
    # cost, reimbursement, municipal share.
    sheet = values["Übersicht"]
    row = by_label(sheet, 1, "Gesamt")
    assert formulas["Übersicht"].cell(row, 3).value.startswith("=SUM(")
    main = costings[0].total
    assert cents(sheet.cell(row, 3).value) == main.fte
    assert cents(sheet.cell(row, 4).value) == main.annual_cost
    for index, costing in enumerate(costings):
        column = 5 + 3 * index
        total = costing.total
        got = [cents(sheet.cell(row, column + k).value) for k in range(3)]
        assert got == [total.cost_in_year, total.reimbursement, total.municipal_share], costing.year
        checked += 3
    assert costings[1].total.reimbursement > 0  # the Jobcenter rule is in play

    # Übersicht, per Teilhaushalt: the total row sums the Teilhaushalte' figures.
    row = by_label(sheet, 1, "Gesamt", start=row + 1)
    for index, costing in enumerate(costings):
        column = 5 + 3 * index
        sections = [t for _, t in costing.by_budget_section]
        expected = [
            sum((t.cost_in_year for t in sections), ZERO),
            sum((t.reimbursement for t in sections), ZERO),
            sum((t.municipal_share for t in sections), ZERO),
        ]
        assert expected[0] == costing.total.cost_in_year
        got = [cents(sheet.cell(row, column + k).value) for k in range(3)]
        assert got == expected, costing.year
        checked += 3

    # One sheet per Amt/Referat: Anzahl der Stellen and annual cost of the first year.
    departments = {unit.code: total for unit, total in costings[0].by_department}
    for unit_code, total in departments.items():
        name = next(n for n in values.sheetnames if n.split(" ")[0] == unit_code)
        anlage = values[name]
        row = by_label(anlage, 2, "Gesamt:")
        assert formulas[name].cell(row, 6).value.startswith("=SUM(")
        assert cents(anlage.cell(row, 4).value) == total.fte, unit_code
        assert cents(anlage.cell(row, 6).value) == total.annual_cost, unit_code
        checked += 2

    # Stellen: the SUBTOTAL row over the whole (unfiltered) list.
    stellen = values["Stellen"]
    header = [c.value for c in stellen[4]]
    for costing in costings:
        annual = header.index(f"Jahreskosten {costing.year}") + 1
        in_year = header.index(f"Kosten {costing.year}") + 1
        assert formulas["Stellen"].cell(3, in_year).value.startswith("=SUBTOTAL(9,")
        assert cents(stellen.cell(3, annual).value) == costing.total.annual_cost
        assert cents(stellen.cell(3, in_year).value) == costing.total.cost_in_year
        checked += 2
    union_fte = {line.position_id: line.fte for c in costings for line in c.lines}
    assert cents(stellen.cell(3, header.index("Anzahl der Stellen") + 1).value) == sum(
        union_fte.values(), ZERO
    )

    assert checked == 3 * 3 + 3 * 3 + 2 * len(departments) + 2 * 3
