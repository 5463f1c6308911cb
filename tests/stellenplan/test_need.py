"""The Personalbedarfsberechnung: each method, ranges, Verteilzeit, rounding, bad input."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from stellenplan.models import NeedCalculation, NeedLine, WorkingTime
from stellenplan.need import (
    NeedError,
    analytic_need,
    available_time_reduction,
    calculate,
    proportional_need,
    ratio_need,
    round_fte,
    working_time_for,
)
from tests.factories import (
    NeedCalculationFactory,
    NeedLineFactory,
    PositionFactory,
    WorkingTimeFactory,
)

D = Decimal


def test_analytic_method_is_cases_times_minutes_over_annual_minutes():
    # 662 cases at 60 minutes against a 1.590-hour year (95.400 minutes)
    assert round_fte(analytic_need(D(662), D(60), D(95400))) == D("0.42")
    assert round_fte(analytic_need(D(662), D(120), D(95400))) == D("0.83")
    assert analytic_need(D(954), D(100), D(95400)) == D(1)


def test_analytic_method_adds_the_verteilzeit_supplement():
    assert analytic_need(D(1000), D(60), D(60000), D("0.10")) == D("1.1")


def test_ten_percent_on_the_time_equals_one_eleventh_off_the_available_time():
    supplement = D("0.10")
    reduction = available_time_reduction(supplement)
    assert reduction == D(1) / D(11)
    assert round(reduction * 100, 2) == D("9.09")
    for cases, minutes, annual in [(662, 60, 95400), (22000, 37, 97860), (5, 1, 60)]:
        on_time = analytic_need(D(cases), D(minutes), D(annual), supplement)
        off_available = analytic_need(D(cases), D(minutes), D(annual) * (1 - reduction))
        assert abs(on_time - off_available) < D("1e-20")
        assert round_fte(on_time) == round_fte(off_available)


def test_ratio_method_divides_the_cases_by_the_key():
    assert ratio_need(D(1500), D(150)) == D(10)
    assert ratio_need(D(1500), D(75)) == D(20)  # § 44c (4) SGB II: 1 : 75 under 25


def test_proportional_method_scales_the_existing_positions():
    assert proportional_need(D("3.5"), D(22000), D(25000)) == D("3.08")


def test_rounding_is_half_up_to_two_decimals():
    assert round_fte(D("0.125")) == D("0.13")
    assert round_fte(D("0.124999")) == D("0.12")
    assert round_fte(D("2.675")) == D("2.68")  # a float would give 2.67


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: analytic_need(D(10), D(60), D(0)), "Die Jahresarbeitszeit (Minuten) muss größer"),
        (lambda: analytic_need(D(10), D(60), D(-5)), "eingegeben: -5"),
        (lambda: analytic_need(D(-1), D(60), D(100)), "Die Fallzahl darf nicht negativ"),
        (lambda: analytic_need(D(10), D(0), D(100)), "Bearbeitungszeit (Minuten) muss größer"),
        (lambda: ratio_need(D(10), D(0)), "Der Betreuungsschlüssel muss größer als 0"),
        (lambda: proportional_need(D("3.5"), D(10), D(0)), "Die bisherige Fallzahl muss"),
        (lambda: available_time_reduction(D("-0.1")), "Der Verteilzeitzuschlag darf nicht"),
    ],
)
def test_bad_input_raises_a_german_message(call, message):
    with pytest.raises(NeedError) as error:
        call()
    assert message in str(error.value)


@pytest.mark.django_db
def test_missing_working_time_names_status_group_hours_and_date():
    WorkingTimeFactory(valid_from=date(2022, 1, 1))
    with pytest.raises(NeedError) as error:
        working_time_for("tarif", D(39), date(2011, 9, 19))
    assert str(error.value) == (
        "Für Tarifbeschäftigte mit 39 Wochenstunden ist zum 19.09.2011 keine Jahresarbeitszeit "
        "hinterlegt (Personalamt: Jahresarbeitszeiten)."
    )
    with pytest.raises(NeedError, match="fehlt die Statusgruppe"):
        working_time_for("", D(39), date(2023, 1, 1))


@pytest.mark.django_db
def test_working_time_valid_on_the_date_is_used():
    WorkingTimeFactory(valid_from=date(2022, 1, 1), annual_hours=D(1590))
    WorkingTimeFactory(valid_from=date(2025, 1, 1), annual_hours=D(1561))
    assert working_time_for("tarif", D(39), date(2024, 12, 31)).annual_hours == D(1590)
    assert working_time_for("tarif", D(39), date(2025, 1, 1)).annual_hours == D(1561)


@pytest.mark.django_db
def test_a_calculation_gives_a_range_next_to_the_requested_positions():
    WorkingTimeFactory()
    position = PositionFactory(fte=D("1.00"))
    calculation = NeedCalculationFactory()
    calculation.positions.add(position)
    NeedLineFactory(
        calculation=calculation,
        method=NeedLine.Method.ANALYTIC,
        cases=D(662),
        ratio=None,
        minutes_min=D(60),
        minutes_max=D(120),
    )
    NeedLineFactory(calculation=calculation, cases=D(15), ratio=D(150))  # 0,10
    result = calculate(calculation)
    assert result.error == ""
    assert (result.fte_low, result.fte_high, result.requested_fte) == (
        D("0.52"),
        D("0.93"),
        D("1.00"),
    )
    assert result.is_range
    assert [(line.fte_low, line.fte_high) for line in result.lines] == [
        (D("0.42"), D("0.83")),
        (D("0.10"), D("0.10")),
    ]
    assert result.lines[0].inputs == "662 Fälle × 60–120 min ÷ 95.400 min"
    assert "1.590 h = 95.400 min" in result.working_time
    assert "9,09 % weniger Jahresarbeitszeit" in result.verteilzeit


@pytest.mark.django_db
def test_the_supplement_applies_only_to_lines_without_verteilzeit():
    WorkingTimeFactory(annual_hours=D(1000))  # 60.000 minutes
    calculation = NeedCalculationFactory()
    for add in (False, True):
        NeedLineFactory(
            calculation=calculation,
            method=NeedLine.Method.ANALYTIC,
            cases=D(1000),
            ratio=None,
            minutes_min=D(60),
            add_distribution_time=add,
        )
    result = calculate(calculation)
    assert [line.fte_low for line in result.lines] == [D("1.00"), D("1.10")]
    assert "× (1 + 10 % Verteilzeit)" in result.lines[1].inputs


@pytest.mark.django_db
def test_a_missing_parameter_is_a_message_in_the_result_not_an_exception():
    calculation = NeedCalculationFactory(parameter_date=date(2011, 1, 1))
    NeedLineFactory(
        calculation=calculation,
        method=NeedLine.Method.ANALYTIC,
        cases=D(10),
        ratio=None,
        minutes_min=D(60),
    )
    result = calculate(calculation)
    assert result.fte_low is None
    assert "keine Jahresarbeitszeit hinterlegt" in result.error


@pytest.mark.django_db
def test_zero_annual_hours_are_refused_by_the_model_with_a_german_message():
    parameter = WorkingTimeFactory.build(annual_hours=D(0))
    with pytest.raises(ValidationError) as error:
        parameter.full_clean()
    assert error.value.message_dict["annual_hours"] == [
        "Die Jahresarbeitszeit (0,0 Stunden) muss größer als 0 sein."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkingTimeFactory(annual_hours=D(-1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "field"),
    [
        (
            {"method": "analytisch", "cases": D(1), "ratio": None, "minutes_min": None},
            "minutes_min",
        ),
        ({"method": "analytisch", "cases": None, "ratio": None, "minutes_min": D(5)}, "cases"),
        (
            {"method": "analytisch", "ratio": None, "minutes_min": D(60), "minutes_max": D(30)},
            "minutes_max",
        ),
        ({"method": "schluessel", "ratio": D(0)}, "ratio"),
        ({"method": "kennzahl", "ratio": None, "existing_fte": D(1)}, "existing_cases"),
        ({"method": "angabe", "ratio": None, "stated_fte": None}, "stated_fte"),
        ({"cases": D(-3)}, "cases"),
    ],
)
def test_the_line_rules_are_constraints(values, field):
    calculation = NeedCalculationFactory()
    line = NeedLineFactory.build(calculation=calculation, **values)
    with pytest.raises(ValidationError) as error:
        line.full_clean()
    assert field in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()


@pytest.mark.django_db
def test_the_reference_data_carries_the_three_calculations_of_the_paper():
    call_command("loaddata", "seed", verbosity=0)
    results = {c.title.split(":")[0]: calculate(c) for c in NeedCalculation.objects.all()}
    rpa = results["Rechnungsprüfungsamt"]
    assert (rpa.fte_low, rpa.fte_high, rpa.requested_fte) == (D("0.42"), D("0.83"), D("1.00"))
    assert rpa.positions == ["14-2 A 13 hD Prüfer/-in (1,0)"]
    kasse = results["Stadtkasse 20-4"]
    assert (kasse.fte_low, kasse.fte_high, kasse.requested_fte) == (D("3.08"), D("3.08"), D("3.00"))
    assert kasse.lines[0].inputs == "3,5 Stellen × 22.000 ÷ 25.000 Fälle"
    beitreibung = results["Beitreibungsabteilung 20-5"]
    assert [line.fte_low for line in beitreibung.lines] == [D("0.55"), D("0.45")]
    assert beitreibung.fte_low == D("1.00") and not beitreibung.derived
    assert WorkingTime.objects.filter(annual_hours=D(1590), source__contains="KGSt").count() == 2
