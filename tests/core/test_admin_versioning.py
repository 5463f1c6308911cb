"""Edits through /admin/ of every versioned model bump its version, are recorded under the admin
user, and are refused when stale (core.admin.VersionedAdminMixin)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from costing.models import CostRate, CostTable, ReimbursementRule
from decisions.models import Decision
from departments.models import OrgUnit
from stellenplan.models import PayGrade, Position
from stellenplan.services import paygrade_update

pytestmark = pytest.mark.django_db

VERSIONED = [Position, OrgUnit, PayGrade, CostTable, CostRate, ReimbursementRule, Decision]


def _value(value) -> str | list[str] | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [str(getattr(item, "pk", item)) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    return str(getattr(value, "pk", value))


def post_data(response) -> dict:
    """What the admin's change form sends back unchanged (main form and every inline)."""
    data: dict = {"_save": "Sichern"}

    def add(form) -> None:
        for bound in form:
            value = _value(bound.value())
            if value is not None:
                data[bound.html_name] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def first(model):
    return model.objects.order_by("pk").first()


@pytest.mark.parametrize("model", VERSIONED, ids=lambda m: m.__name__)
def test_an_admin_save_bumps_the_version_and_is_attributed(seed, admin_client, admin_user, model):
    obj = first(model)
    before = obj.version
    page = admin_client.get(change_url(obj))
    assert f'name="opened_version" value="{before}"' in page.content.decode()
    response = admin_client.post(change_url(obj), post_data(page))
    assert response.status_code == 302, response.context["adminform"].form.errors
    obj.refresh_from_db()
    assert obj.version == before + 1
    latest = model.history.filter(id=obj.pk).order_by("-history_date", "-history_id").first()
    assert latest.history_user == admin_user


@pytest.mark.parametrize("model", VERSIONED, ids=lambda m: m.__name__)
def test_a_stale_admin_save_is_refused(seed, admin_client, model):
    obj = first(model)
    page = admin_client.get(change_url(obj))
    model.objects.filter(pk=obj.pk).update(version=obj.version + 1)  # someone saved meanwhile
    response = admin_client.post(change_url(obj), post_data(page))
    assert response.status_code == 200
    assert "wurde inzwischen" in response.content.decode()
    obj.refresh_from_db()
    assert obj.version == page.context["adminform"].form.instance.version + 1


@pytest.fixture
def superuser_client(role_users) -> Client:
    client = Client()
    client.force_login(role_users["admin"])
    return client


def test_a_stale_admin_save_names_who_changed_which_field(seed, superuser_client, role_users):
    admin_client = superuser_client
    grade = PayGrade.objects.get(code="EG 9")
    page = admin_client.get(change_url(grade))
    paygrade_update(
        acting_user=role_users["kaemmerei"],
        grade=grade,
        expected_version=grade.version,
        data={"sort_order": 4711},
    )
    data = post_data(page)
    response = admin_client.post(change_url(grade), data)
    html = response.content.decode()
    assert "von kaemmerei" in html and "4711" in html
    grade.refresh_from_db()
    assert grade.sort_order == 4711


def test_an_admin_edit_makes_an_open_app_form_conflict(seed, superuser_client, client, role_users):
    admin_client = superuser_client
    rate = CostRate.objects.select_related("pay_grade").get(
        pay_grade__code="EG 9", table__valid_from__year=2010
    )
    client.force_login(role_users["kaemmerei"])
    url = reverse("costs:costrate_update", args=[rate.pk])
    opened = client.get(url).context["form"]
    page = admin_client.get(change_url(rate))
    admin_client.post(change_url(rate), {**post_data(page), "annual_cost": "70000"})
    response = client.post(
        url,
        {
            "annual_cost": "65.000",
            "version": opened["version"].value(),
            "opened": opened["opened"].value(),
        },
    )
    assert response.status_code == 409
    rate.refresh_from_db()
    assert rate.annual_cost == Decimal("70000")


def test_an_admin_edit_of_a_rate_in_its_table_is_locked_too(seed, admin_client, admin_user):
    table = CostTable.objects.order_by("valid_from").first()
    page = admin_client.get(change_url(table))
    data = post_data(page)
    rate = table.rates.order_by("pay_grade__sort_order").first()
    prefix = next(k for k, v in data.items() if k.endswith("-id") and v == str(rate.pk))[
        : -len("id")
    ]
    data[f"{prefix}annual_cost"] = "12345"
    response = admin_client.post(change_url(table), data)
    assert response.status_code == 302
    rate.refresh_from_db()
    assert rate.annual_cost == Decimal("12345") and rate.version == 2
    assert rate.history.order_by("-history_id").first().history_user == admin_user
    # the same stale page again: the rate's row is refused, nothing changes
    data[f"{prefix}annual_cost"] = "999"
    response = admin_client.post(change_url(table), data)
    assert response.status_code == 200
    rate.refresh_from_db()
    assert rate.annual_cost == Decimal("12345")


def test_an_admin_delete_is_attributed(seed, admin_client, admin_user):
    rule = first(ReimbursementRule)
    opts = rule._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[rule.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    record = ReimbursementRule.history.get(id=rule.pk, history_type="-")
    assert record.history_user == admin_user
