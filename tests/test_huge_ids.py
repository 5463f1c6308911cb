"""Red team (issue 21, finding 3): ids no database key holds (2^63 and more) in any id field or
query parameter are a German message or a 404, never a 500 (SQLite raised OverflowError).
The one bound is ``core.parsing.parse_id`` (ids up to 2^63 - 1); forms apply it to every model
choice before the field queries (``core.forms.CleanInputMixin``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.parsing import ID_MAX, parse_id
from costing.models import ReimbursementRule
from departments.models import OrgUnit
from stellenplan.models import Position

pytestmark = pytest.mark.django_db

HUGE = [str(ID_MAX + 1), str(2**64), "9" * 30]


@pytest.fixture
def hr_client(client, role_users, seed):
    client.force_login(role_users["personalamt"])
    return client


@pytest.fixture
def kaemmerei_client(client, role_users, seed):
    client.force_login(role_users["kaemmerei"])
    return client


@pytest.mark.parametrize("text", HUGE)
def test_parse_id_refuses_ids_over_the_largest_key(text):
    assert parse_id(text) is None
    assert parse_id(str(ID_MAX)) == ID_MAX


@pytest.mark.parametrize("huge", HUGE)
def test_a_rule_with_a_huge_org_unit_id_is_a_german_message(kaemmerei_client, huge):
    count = ReimbursementRule.objects.count()
    unit = OrgUnit.objects.order_by("pk").first()
    response = kaemmerei_client.post(
        reverse("costs:rule_create"),
        {
            "name": "Erstattung",
            "rate": "0,5",
            "org_units": [str(unit.pk), huge],
            "valid_from": "01.01.2012",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["org_units"]
    assert len(errors) == 1
    assert errors[0].endswith(
        f"„{huge}“ ist keine Auswahl dieser Liste; bitte einen Eintrag der Liste wählen."
    )
    assert ReimbursementRule.objects.count() == count


@pytest.mark.parametrize("field", ["org_unit", "pay_grade"])
def test_a_position_with_a_huge_choice_id_is_a_german_message(hr_client, field):
    position = Position.objects.order_by("pk").first()
    url = reverse("positions:update", args=[position.pk])
    form = hr_client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data[field] = str(2**63)
    response = hr_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert f"„{2**63}“ ist keine Auswahl dieser Liste" in str(errors.get(field)), errors
    assert Position.objects.get(pk=position.pk).version == position.version


@pytest.mark.parametrize(
    "url",
    [
        f"/kosten/stellen/?org_unit={2**63}",
        f"/kosten/stellen/?pay_grade={2**63}",
        f"/kosten/organisation/neu/?parent={2**63}",
        f"/kosten/kostensaetze/?tabelle={2**63}",
        f"/beschluesse/?year={2**63}",
        f"/kosten/stellen/{2**63}/",
        f"/kosten/organisation/{2**63}/",
        f"/beschluesse/{2**63}/",
        f"/kosten/importe/{2**63}/",
    ],
)
def test_huge_ids_in_urls_are_never_a_500(hr_client, url):
    response = hr_client.get(url)
    assert response.status_code in (200, 404), (url, response.status_code)
