"""The consistency check compares requested and calculated positions (Personalbedarfsberechnung)."""

from datetime import date
from decimal import Decimal

from decisions.consistency import check_decision
from stellenplan.models import NeedCalculation, NeedLine, WorkingTime

RPA = "Personalbedarfsberechnung „Rechnungsprüfungsamt: Prüfung SGB II / SGB III“"
KASSE = "Personalbedarfsberechnung „Stadtkasse 20-4: Kreditoren- und Debitorenbuchhaltung WAUS“"


def need_findings(decision):
    return {f.place: f for f in check_decision(decision) if f.kind == "bedarf"}


def test_the_rpa_range_below_the_requested_position_is_reported(reference):
    finding = need_findings(reference)[RPA]
    assert finding.stated == "1,0 Stellen beantragt"
    assert finding.computed == "0,42–0,83 Stellen berechnet"
    assert finding.message == (
        f"{RPA}: beantragt sind 1,0 Stellen, berechnet 0,42–0,83 Stellen (Abweichung über der "
        "Toleranz von 0,1 Stellen)."
    )


def test_the_kasse_calculation_within_the_tolerance_gives_no_finding(reference):
    assert KASSE not in need_findings(reference)


def test_the_tolerance_is_the_citys_setting(reference, settings):
    settings.NEED_TOLERANCE_FTE = "0.05"
    finding = need_findings(reference)[KASSE]
    assert finding.computed == "3,08 Stellen berechnet"
    assert "Toleranz von 0,05 Stellen" in finding.message
    settings.NEED_TOLERANCE_FTE = "0.17"
    assert RPA not in need_findings(reference)  # 1,00 is 0,17 above 0,83
    settings.NEED_TOLERANCE_FTE = "0.16"
    assert RPA in need_findings(reference)


def test_the_beitreibung_shares_without_derivation_are_named(reference):
    found = [f for p, f in need_findings(reference).items() if "Beitreibung" in p]
    assert len(found) == 1
    assert "nur angegeben, nicht hergeleitet" in found[0].message


def test_a_calculation_without_parameters_is_a_finding_not_an_error(reference):
    NeedCalculation.objects.filter(pk=1).update(parameter_date=date(2011, 9, 19))
    finding = need_findings(reference)[RPA]
    assert finding.computed == "nicht berechenbar"
    assert "zum 19.09.2011 keine Jahresarbeitszeit hinterlegt" in finding.message


def test_the_finding_follows_the_parameter_table(reference):
    rows = WorkingTime.objects.filter(status_group="beamte", weekly_hours=39)
    rows.update(annual_hours=Decimal(2000))  # 662 × 60–120 ÷ 120.000 min
    assert "berechnet 0,33–0,66 Stellen" in need_findings(reference)[RPA].message
    rows.update(annual_hours=Decimal(1100))  # 0,60–1,20 contains 1,00
    assert RPA not in need_findings(reference)
    NeedLine.objects.filter(calculation_id=1).update(minutes_max=None)  # 0,60 alone
    assert "berechnet 0,6 Stellen" in need_findings(reference)[RPA].message
