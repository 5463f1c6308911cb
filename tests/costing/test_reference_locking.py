"""Cost tables, cost rates, reimbursement rules and pay grades: two people edit at once, the
second save is refused with the conflict page (nothing overwritten, the input kept), and every
create, change and delete is in the history with its user (issue 11)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from costing import reference_services
from costing.imports import import_cost_table
from costing.models import CostRate, CostTable, ReimbursementRule
from departments.models import OrgUnit
from stellenplan.models import PayGrade
from stellenplan.services import paygrade_create, paygrade_delete, paygrade_update
from tests.costing.excel_files import RATE_HEADER, xlsx_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(django_user_model):
    return django_user_model.objects.create_superuser("anna", first_name="Anna", last_name="Alt")


@pytest.fixture
def bernd(django_user_model):
    return django_user_model.objects.create_superuser("bernd")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(response) -> dict:
    """What the browser sends back of the form as shown."""
    data: dict = {}
    for bound in response.context["form"]:
        value = bound.field.prepare_value(bound.value())
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
        elif isinstance(value, datetime.date):
            data[bound.html_name] = f"{value:%d.%m.%Y}"
        else:
            data[bound.html_name] = str(value)
    return data


@dataclass(frozen=True)
class Case:
    model: type
    url_name: str
    first: str  # field anna changes
    first_value: object
    second: str  # field bernd changes
    second_value: object

    def obj(self):
        if self.model is CostRate:
            return CostRate.objects.get(pay_grade__code="EG 9", table__valid_from__year=2010)
        if self.model is PayGrade:
            return PayGrade.objects.get(code="EG 9")
        return self.model.objects.order_by("pk").first()


def other_units() -> list[str]:
    return [str(pk) for pk in OrgUnit.objects.order_by("pk").values_list("pk", flat=True)[:2]]


CASES = [
    Case(CostTable, "costs:costtable_update", "name", "Tabelle von Anna", "remark", "Bernds Notiz"),
    # bernd splits the unchanged 63.000 into personnel costs only (components add up)
    Case(CostRate, "costs:costrate_update", "annual_cost", "64.000", "personnel_cost", "63.000"),
    Case(ReimbursementRule, "costs:rule_update", "org_units", other_units, "name", "Bernds Regel"),
    Case(PayGrade, "paygrades:update", "sort_order", "4711", "career_group", "hD"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.model.__name__)
def test_the_second_of_two_saves_is_refused_and_nothing_is_overwritten(seed, anna, bernd, case):
    obj = case.obj()
    url = reverse(case.url_name, args=[obj.pk])
    anna_client, bernd_client = client_of(anna), client_of(bernd)
    anna_form = form_data(anna_client.get(url))
    bernd_form = form_data(bernd_client.get(url))
    first_value = case.first_value() if callable(case.first_value) else case.first_value
    response = anna_client.post(url, {**anna_form, case.first: first_value})
    assert response.status_code == 302
    obj.refresh_from_db()
    anna_state = {f.name: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields} | (
        {"org_units": set(obj.org_units.all())} if case.model is ReimbursementRule else {}
    )

    response = bernd_client.post(url, {**bernd_form, case.second: case.second_value})
    assert response.status_code == 409
    html = response.content.decode()
    assert "wurde inzwischen von Anna Alt (anna)" in html
    assert "nichts wurde überschrieben" in html
    changed = response.context["form"].conflict.changes
    assert [c.label for c in changed] == [str(type(obj)._meta.get_field(case.first).verbose_name)]
    # bernd's input is still in the form, now based on anna's version
    assert response.context["form"][case.second].value() == case.second_value
    obj.refresh_from_db()
    assert {f.name: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields} | (
        {"org_units": set(obj.org_units.all())} if case.model is ReimbursementRule else {}
    ) == (anna_state)
    # saving the refreshed form again is a deliberate overwrite of anna's state
    again = bernd_client.post(url, form_data(response))
    assert again.status_code == 302
    obj.refresh_from_db()
    assert obj.version == anna_state["version"] + 1


def test_a_stale_delete_of_a_rule_is_refused(seed, anna, bernd):
    rule = ReimbursementRule.objects.get()
    url = reverse("costs:rule_delete", args=[rule.pk])
    version = rule.version
    reference_services.reimbursementrule_update(
        acting_user=anna, rule=rule, expected_version=version, data={"name": "neu"}
    )
    response = client_of(bernd).post(url, {"version": version}, follow=True)
    assert "wurde inzwischen von Anna Alt (anna)" in response.content.decode()
    assert ReimbursementRule.objects.filter(pk=rule.pk).exists()


def test_a_stale_delete_of_a_pay_grade_is_refused(seed, anna, bernd):
    grade = paygrade_create(acting_user=anna, code="A 99", status_group="beamte")
    paygrade_update(acting_user=anna, grade=grade, expected_version=1, data={"sort_order": 5})
    response = client_of(bernd).post(
        reverse("paygrades:delete", args=[grade.pk]), {"version": 1}, follow=True
    )
    assert "wurde inzwischen" in response.content.decode()
    assert PayGrade.objects.filter(pk=grade.pk).exists()


def kinds_and_users(records) -> list[tuple[str, str | None]]:
    return [
        (r.history_type, r.history_user.username if r.history_user else None)
        for r in records.order_by("history_date", "history_id")
    ]


def test_pay_grades_record_create_change_delete_with_the_user(anna, bernd):
    grade = paygrade_create(acting_user=anna, code="A 99", status_group="beamte")
    paygrade_update(acting_user=bernd, grade=grade, expected_version=1, data={"sort_order": 9})
    grade_id = grade.pk
    paygrade_delete(acting_user=anna, grade=grade, expected_version=2)
    assert kinds_and_users(PayGrade.history.filter(id=grade_id)) == [
        ("+", "anna"),
        ("~", "bernd"),
        ("-", "anna"),
    ]


def test_rules_record_create_change_delete_with_the_user_and_their_units(seed, anna, bernd):
    first, second = OrgUnit.objects.order_by("pk")[:2]
    rule = reference_services.reimbursementrule_create(
        acting_user=anna,
        name="Zuschuss",
        rate=Decimal("0.25"),
        valid_from=datetime.date(2012, 1, 1),
        valid_to=None,
        org_units=[first],
    )
    reference_services.reimbursementrule_update(
        acting_user=bernd,
        rule=rule,
        expected_version=1,
        data={"rate": Decimal("0.3"), "org_units": [first, second]},
    )
    rule_id = rule.pk
    reference_services.reimbursementrule_delete(acting_user=anna, rule=rule, expected_version=2)
    records = ReimbursementRule.history.filter(id=rule_id)
    assert kinds_and_users(records) == [("+", "anna"), ("~", "anna"), ("~", "bernd"), ("-", "anna")]
    change = records.get(history_type="~", history_user__username="bernd")
    assert change.rate == Decimal("0.3")
    assert {row.orgunit_id for row in change.org_units.all()} == {first.pk, second.pk}


def test_rates_record_change_and_delete_with_the_user(seed, anna, bernd):
    rate = CostRate.objects.get(pay_grade__code="EG 9", table__valid_from__year=2010)
    reference_services.costrate_update(
        acting_user=bernd, rate=rate, expected_version=1, data={"annual_cost": Decimal("64000")}
    )
    rate_id = rate.pk
    reference_services.costrate_delete(acting_user=anna, rate=rate, expected_version=2)
    # the first change also records the state before it (seed data has no history)
    assert kinds_and_users(CostRate.history.filter(id=rate_id)) == [
        ("+", None),
        ("~", "bernd"),
        ("-", "anna"),
    ]


def test_cost_tables_record_import_change_and_delete_with_the_user(seed, anna, bernd, tmp_path):
    path = xlsx_file(tmp_path, [RATE_HEADER, ["EG 9", 70000, None, None, None]])
    result = import_cost_table(
        path, name="Rundschreiben 2013", valid_from=datetime.date(2013, 1, 1), acting_user=anna
    )
    table = result.table
    rate = table.rates.get()
    assert kinds_and_users(CostRate.history.filter(id=rate.pk)) == [("+", "anna")]
    reference_services.costtable_update(
        acting_user=bernd, table=table, expected_version=1, data={"remark": "geprüft"}
    )
    table_id, rate_id = table.pk, rate.pk
    reference_services.costtable_delete(acting_user=anna, table=table, expected_version=2)
    assert kinds_and_users(CostTable.history.filter(id=table_id)) == [
        ("+", "anna"),
        ("~", "bernd"),
        ("-", "anna"),
    ]
    assert kinds_and_users(CostRate.history.filter(id=rate_id)) == [("+", "anna"), ("-", "anna")]
