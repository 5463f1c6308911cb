"""Red team (issue 21, finding 6): pay-grade codes are unique ignoring case ("a 12" next to
"A 12" was accepted). A database constraint on Lower("code") (SQLite and PostgreSQL) with a
German message at the code field, through the service, the form and the admin."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from stellenplan.models import PayGrade
from stellenplan.services import paygrade_create, paygrade_update

pytestmark = pytest.mark.django_db

MESSAGE = "Den Stellenwert „{}“ gibt es schon (Groß- und Kleinschreibung zählen dabei nicht)."


@pytest.mark.parametrize("code", ["a 12", "A 12", "a 12"])
def test_the_service_refuses_a_code_that_differs_only_in_case(code):
    paygrade_create(acting_user=None, code="A 12", status_group="beamte")
    with pytest.raises(ValidationError) as refused:
        paygrade_create(acting_user=None, code=code, status_group="beamte")
    assert refused.value.message_dict == {"code": [MESSAGE.format(code)]}
    assert PayGrade.objects.filter(code__iexact="a 12").count() == 1


def test_renaming_to_another_grade_in_other_case_is_refused():
    paygrade_create(acting_user=None, code="EG 9", status_group="tarif")
    other = paygrade_create(acting_user=None, code="EG 10", status_group="tarif")
    with pytest.raises(ValidationError) as refused:
        paygrade_update(
            acting_user=None, grade=other, expected_version=other.version, data={"code": "eg 9"}
        )
    assert refused.value.message_dict["code"] == [MESSAGE.format("eg 9")]
    # its own code in other case is no conflict
    paygrade_update(
        acting_user=None, grade=other, expected_version=other.version, data={"code": "Eg 10"}
    )
    assert PayGrade.objects.get(pk=other.pk).code == "Eg 10"


def test_the_database_refuses_it_on_every_path():
    PayGrade.objects.create(code="A 13 hD", status_group="beamte")
    with pytest.raises(IntegrityError), transaction.atomic():
        PayGrade.objects.create(code="a 13 HD", status_group="beamte")


def test_the_form_shows_the_german_message(client, role_users, seed):
    client.force_login(role_users["admin"])
    existing = PayGrade.objects.order_by("pk").first()
    count = PayGrade.objects.count()
    response = client.post(
        reverse("paygrades:create"),
        {"code": existing.code.lower(), "status_group": existing.status_group, "sort_order": "1"},
    )
    assert response.status_code == 200
    assert MESSAGE.format(existing.code.lower()) in response.content.decode()
    assert PayGrade.objects.count() == count
