"""The five-year projection (costing.projection): hand-computed figures to the cent."""

from datetime import date
from decimal import Decimal

import pytest

from costing.engine import CostingError, cost_year
from costing.models import CostRate, CostTable, PayAdjustment
from costing.projection import adjusted_rate, apply_adjustment, project, projection_years
from departments.models import OrgUnit
from stellenplan.models import PayGrade, Position
from tests.factories import PositionFactory

pytestmark = pytest.mark.usefixtures("seed")

D = Decimal


def table_2023() -> CostTable:
    """A cost table valid from 01.01.2023 (before the TVöD rounds 2024 and 2025): EG 9 and EG 2
    with a personnel component, A 13 hD without."""
    table = CostTable.objects.create(name="Test 2023", valid_from=date(2023, 1, 1))
    CostRate.objects.create(
        table=table,
        pay_grade=PayGrade.objects.get(code="EG 9"),
        annual_cost=D("70000.00"),
        personnel_cost=D("55000.00"),
        material_cost=D("9700.00"),
        it_cost=D("5300.00"),
    )
    CostRate.objects.create(
        table=table,
        pay_grade=PayGrade.objects.get(code="EG 2"),
        annual_cost=D("40000.00"),
        personnel_cost=D("24000.00"),
        material_cost=D("16000.00"),
        it_cost=D("0.00"),
    )
    CostRate.objects.create(
        table=table, pay_grade=PayGrade.objects.get(code="A 13 hD"), annual_cost=D("80000.00")
    )
    return table


def position(grade: str, unit: str, fte: str, start: date, **extra) -> Position:
    return PositionFactory(
        pay_grade=PayGrade.objects.get(code=grade),
        org_unit=OrgUnit.objects.get(code=unit),
        fte=D(fte),
        start_date=start,
        **extra,
    )


def row_of(projection, department_code: str):
    return next(r for r in projection.rows if r.department.code == department_code)


def test_the_years_are_n_minus_1_to_n_plus_3():
    assert projection_years(2025) == [2024, 2025, 2026, 2027, 2028]


def test_one_round_sockel_then_percent_then_minimum():
    # 55.000 + 12 × 200 = 57.400; × 1,055 = 60.557,00 ≥ 55.000 + 12 × 340 = 59.080
    assert apply_adjustment(D("55000.00"), D("200"), D("5.5"), D("340")) == D("60557.00")
    # 24.000: (26.400) × 1,055 = 27.852,00 < 24.000 + 4.080 = 28.080: the minimum wins
    assert apply_adjustment(D("24000.00"), D("200"), D("5.5"), D("340")) == D("28080.00")
    # rounded half-up to cents: 62.373,71 × 1,028 = 64.120,17388
    assert apply_adjustment(D("62373.71"), D("0"), D("2.8"), D("0")) == D("64120.17")


def test_hand_computed_tvoed_2024_and_2025_to_the_cent():
    """Cost table „Test 2023“ (gültig ab 01.01.2023). Seeded TVöD rounds (vereinbart):
    01.03.2024 +200 € Sockel, +5,5 %, mind. +340 €; 01.04.2025 +3,0 %, mind. +110 €.
    Amounts are € per month, ×12 on the annual personnel component.

    EG 9: 70.000,00 € of which Personalkosten 55.000,00.
      01.03.2024: (55.000 + 2.400) × 1,055 = 60.557,00 (≥ 55.000 + 4.080) → rate 75.557,00
      01.04.2025: 60.557,00 × 1,03 = 62.373,71 (≥ 60.557 + 1.320) → rate 77.373,71
    Position A: EG 9, 0,5, from 01.01.2023, in Amt 29 (Jobcenter, reimbursed 84,8 %):
      2024: 0,5 × (2 × 70.000 + 10 × 75.557) / 12 = 0,5 × 895.570 / 12 = 37.315,4166… → 37.315,42
      2025: 0,5 × (3 × 75.557 + 9 × 77.373,71) / 12 = 0,5 × 923.034,39 / 12 → 38.459,77
      reimbursement: 0,848 × 37.315,42 = 31.643,476… → 31.643,48; 0,848 × 38.459,77 =
      32.613,88 (rounded); municipal 5.671,94 and 5.845,89.

    EG 2: 40.000,00 € of which Personalkosten 24.000,00 (the minimum applies twice):
      01.03.2024: (24.000 + 2.400) × 1,055 = 27.852 < 24.000 + 4.080 → 28.080,00 → 44.080,00
      01.04.2025: 28.080 × 1,03 = 28.922,40 < 28.080 + 1.320 → 29.400,00 → 45.400,00
    Position B: EG 2, 0,75, from 01.07.2024, in Amt 10 (no reimbursement):
      2024: 0,75 × 6 × 44.080 / 12 = 16.530,00
      2025: 0,75 × (3 × 44.080 + 9 × 45.400) / 12 = 0,75 × 540.840 / 12 = 33.802,50
    """
    table_2023()
    a = position("EG 9", "29-1", "0.50", date(2023, 1, 1))
    b = position("EG 2", "10-1", "0.75", date(2024, 7, 1))
    result = project(2025, Position.objects.filter(pk__in=[a.pk, b.pk]))
    assert result.years == [2024, 2025, 2026, 2027, 2028]
    jobcenter = row_of(result, "29")
    assert [f.gross for f in jobcenter.figures[:2]] == [D("37315.42"), D("38459.77")]
    assert [f.reimbursement for f in jobcenter.figures[:2]] == [D("31643.48"), D("32613.88")]
    assert [f.municipal for f in jobcenter.figures[:2]] == [D("5671.94"), D("5845.89")]
    amt10 = row_of(result, "10")
    assert [f.gross for f in amt10.figures[:2]] == [D("16530.00"), D("33802.50")]
    assert amt10.figures[0].reimbursement == D("0.00")
    assert result.total[0].gross == D("53845.42")
    assert result.total[1].reimbursement == D("32613.88")
    names = {a.name for a in result.adjustments}
    assert {"TVöD-VKA 2024: Sockel, 5,5 %, mindestens 340 €"} <= names
    assert not result.incomplete
    # 2026: 3 × … from May the 2,8 % round too (EG 9: 62.373,71 × 1,028 = 64.120,17)
    eg9_2026 = D("0.5") * (4 * D("77373.71") + 8 * D("79120.17")) / 12
    assert jobcenter.figures[2].gross == eg9_2026.quantize(D("0.01"))


def test_the_same_as_the_engine_without_adjustments():
    """Years before every round and with one table: the engine's year figures."""
    a = position("EG 9", "29-1", "0.50", date(2011, 4, 1))
    result = project(2012, Position.objects.filter(pk=a.pk))
    engine = cost_year(2012, Position.objects.filter(pk=a.pk))
    assert result.total[1].gross == engine.total.cost_in_year
    assert result.total[1].reimbursement == engine.total.reimbursement


def test_beamte_get_the_besoldung_rounds_not_the_tvoed_ones():
    """A 13 hD: 80.000,00 without components (whole rate adjusted, said in the assumptions).
    Seeded Besoldung BW (Annahme): 01.11.2024 Sockel 200 € → 80.000 + 2.400 = 82.400,00;
    01.02.2025 +5,5 % → 86.932,00.
      2024: (10 × 80.000 + 2 × 82.400) / 12 = 964.800 / 12 = 80.400,00
      2025: (1 × 82.400 + 11 × 86.932) / 12 = 1.038.652 / 12 = 86.554,333… → 86.554,33
    """
    table_2023()
    a = position("A 13 hD", "10-1", "1.00", date(2020, 1, 1))
    result = project(2025, Position.objects.filter(pk=a.pk))
    assert [f.gross for f in result.total[:2]] == [D("80400.00"), D("86554.33")]
    beamte = [a for a in result.adjustments if a.status_group == "beamte"]
    assert [a.effective_date for a in beamte] == [date(2024, 11, 1), date(2025, 2, 1)]
    assert {a.status for a in beamte} == {PayAdjustment.Status.ASSUMED}
    text = " ".join(result.assumptions)
    assert "ganzen Arbeitsplatzkostensatz" in text
    assert "Besoldung BW 2024: Sockel 200 € ab 01.11.2024" in text


def test_a_dated_kw_stops_the_cost():
    """EG 2, 0,75, kw 15.08.2025: August counts (its 1st lies before the date), September on
    not: 2025 = 0,75 × (3 × 44.080 + 5 × 45.400) / 12 = 22.452,50; 2026 nothing."""
    table_2023()
    b = position("EG 2", "10-1", "0.75", date(2024, 7, 1), note="KW", note_date=date(2025, 8, 15))
    result = project(2025, Position.objects.filter(pk=b.pk))
    assert [f.gross for f in result.total[:3]] == [D("16530.00"), D("22452.50"), D("0.00")]
    assert [(k.date, k.positions, k.fte) for k in result.kw_dates] == [
        (date(2025, 8, 15), 1, D("0.75"))
    ]


def test_a_round_before_the_tables_valid_from_is_not_applied_again():
    """A table valid from 01.01.2025 contains the 2024 round: only the 2025 one applies."""
    table = CostTable.objects.create(name="Test 2025", valid_from=date(2025, 1, 1))
    CostRate.objects.create(
        table=table,
        pay_grade=PayGrade.objects.get(code="EG 9"),
        annual_cost=D("70000.00"),
        personnel_cost=D("55000.00"),
    )
    a = position("EG 9", "10-1", "1.00", date(2020, 1, 1))
    result = project(2026, Position.objects.filter(pk=a.pk))
    # 2025: 3 × 70.000 + 9 × (70.000 + 55.000 × 0,03 = 71.650) = 854.850 / 12 = 71.237,50
    assert result.total[0].gross == D("71237.50")
    # 2024 comes from the seed's 2010 table (no components, whole rate adjusted)
    assert result.tables[-1].table == table


def test_rates_with_components_change_only_the_personnel_part():
    rounds = list(PayAdjustment.objects.filter(status_group="tarif").order_by("effective_date"))
    assert adjusted_rate(D("70000"), D("55000"), rounds[:1]) == D("75557.00")
    assert adjusted_rate(D("70000"), None, rounds[:1]) == D("76382.00")  # 72.400 × 1,055


def test_a_grade_without_a_rate_makes_it_incomplete():
    table_2023()
    a = position("EG 11", "10-1", "1.00", date(2020, 1, 1))
    result = project(2025, Position.objects.filter(pk=a.pk))
    assert result.incomplete
    assert "„EG 11“" in result.missing[0] and "Test 2023" in result.missing[0]


def test_no_cost_table_is_a_german_error():
    a = position("EG 9", "10-1", "1.00", date(2009, 1, 1))
    with pytest.raises(CostingError, match="keine gültige Kostentabelle"):
        project(2010, Position.objects.filter(pk=a.pk))


def test_the_seed_projection_has_every_thh_and_amt():
    result = project(2013)
    assert result.years == [2012, 2013, 2014, 2015, 2016]
    engine = cost_year(2012)
    assert result.total[0].gross == engine.total.cost_in_year
    assert result.total[0].reimbursement == engine.total.reimbursement
    assert {row.department.code for row in result.rows} == {
        unit.code for unit, _ in engine.by_department
    }
