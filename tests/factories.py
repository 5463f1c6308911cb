from datetime import date
from decimal import Decimal

import factory

from costing.models import CostRate, CostTable, ReimbursementRule
from departments.models import BudgetSection, OrgUnit
from stellenplan.models import NeedCalculation, NeedLine, PayGrade, Position, WorkingTime


class BudgetSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetSection
        django_get_or_create = ["number"]

    number = factory.Sequence(lambda n: str(500 + n))
    name = factory.Sequence(lambda n: f"Teilhaushalt {n}")


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    kind = OrgUnit.Kind.AMT
    code = factory.Sequence(lambda n: f"U{n}")
    name = factory.Sequence(lambda n: f"Einheit {n}")
    budget_section = factory.SubFactory(BudgetSectionFactory)


class PayGradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PayGrade
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"EG X{n}")
    status_group = PayGrade.StatusGroup.TARIF


class CostTableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostTable

    name = factory.Sequence(lambda n: f"Kostentabelle {n}")
    valid_from = date(2010, 1, 1)


class CostRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostRate

    table = factory.SubFactory(CostTableFactory)
    pay_grade = factory.SubFactory(PayGradeFactory)
    annual_cost = Decimal("60000.00")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    org_unit = factory.SubFactory(OrgUnitFactory)
    pay_grade = factory.SubFactory(PayGradeFactory)
    fte = Decimal("1.00")
    title = factory.Sequence(lambda n: f"Sachbearbeitung {n}")
    start_date = date(2012, 1, 1)


class ReimbursementRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReimbursementRule

    name = "Erstattung"
    rate = Decimal("0.5000")
    valid_from = date(2012, 1, 1)


class WorkingTimeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingTime

    status_group = PayGrade.StatusGroup.TARIF
    weekly_hours = Decimal("39.00")
    valid_from = date(2022, 1, 1)
    annual_hours = Decimal("1590.00")
    distribution_percent = Decimal("10.00")
    source = "KGSt 2022/2023 (Test)"


class NeedCalculationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NeedCalculation

    title = factory.Sequence(lambda n: f"Bedarf {n}")
    status_group = PayGrade.StatusGroup.TARIF
    weekly_hours = Decimal("39.00")
    parameter_date = date(2023, 1, 1)


class NeedLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NeedLine

    calculation = factory.SubFactory(NeedCalculationFactory)
    task = factory.Sequence(lambda n: f"Aufgabe {n}")
    method = NeedLine.Method.RATIO
    cases = Decimal("1500")
    ratio = Decimal("150")


def council_decided(decision, *, result="zugestimmt", on: date | None = None):
    """Give `decision` its deciding body's `result` at a meeting on `on` (default: the
    deciding step's planned date): what the Sitzungsdienst enters before a paper can be
    beschlossen or abgelehnt. Written directly, as the precondition of a test about something
    else (decisions/council.py is tested in tests/decisions/test_council.py). A paper without
    a deciding step gets one (Gemeinderat)."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from decisions.models import Committee, ConsultationStep, Meeting

    step = (
        decision.consultation_steps.filter(purpose=ConsultationStep.Purpose.RESOLUTION)
        .exclude(result=ConsultationStep.Result.POSTPONED)
        .first()
    )
    if step is None:
        council = Committee.objects.get_or_create(
            name="Gemeinderat", defaults={"classification": Committee.Classification.MAIN}
        )[0]
        step = ConsultationStep.objects.create(
            decision=decision,
            order=99,
            committee=council,
            purpose=ConsultationStep.Purpose.RESOLUTION,
        )
    day = on or step.meeting_date or decision.date
    meeting = Meeting.objects.create(
        committee=step.committee,
        start=datetime.combine(day, time(16), tzinfo=ZoneInfo("Europe/Berlin")),
    )
    ConsultationStep.objects.filter(pk=step.pk).update(
        meeting=meeting, meeting_date=day, result=result, result_date=day
    )
    step.refresh_from_db()
    return step
