import pytest
from django.urls import reverse

from stellenplan.models import PayGrade
from tests.factories import PayGradeFactory, PositionFactory

pytestmark = pytest.mark.django_db


def test_it_lists_grades_with_their_use_for_everyone(client, role_users):
    PositionFactory(pay_grade=PayGradeFactory(code="A 12"))
    client.force_login(role_users["kaemmerei"])
    html = client.get(reverse("paygrades:list")).content.decode()
    assert "A 12" in html
    assert "Neuer Stellenwert" not in html
    assert "Bearbeiten" not in html


def test_it_lets_the_admin_create_and_rename_a_grade(client, role_users):
    client.force_login(role_users["admin"])
    response = client.post(
        reverse("paygrades:create"),
        {"code": "A  13  hD", "status_group": "beamte", "career_group": "hD", "sort_order": 130},
    )
    assert response.status_code == 302
    grade = PayGrade.objects.get(code="A 13 hD")
    response = client.post(
        reverse("paygrades:update", args=[grade.pk]),
        {
            "code": "A 13",
            "status_group": "beamte",
            "career_group": "hD",
            "sort_order": 130,
            "version": grade.version,
        },
    )
    assert response.status_code == 302
    grade.refresh_from_db()
    assert grade.code == "A 13"


def test_it_refuses_a_duplicate_grade(client, role_users):
    PayGradeFactory(code="EG 9")
    client.force_login(role_users["admin"])
    response = client.post(
        reverse("paygrades:create"),
        {"code": "EG 9", "status_group": "tarif", "career_group": "", "sort_order": 0},
    )
    assert (
        "Den Stellenwert „EG 9“ gibt es schon (Groß- und Kleinschreibung zählen dabei nicht)."
        in response.content.decode()
    )


def test_it_refuses_to_delete_a_grade_in_use(client, role_users):
    grade = PayGradeFactory(code="EG 9")
    PositionFactory(pay_grade=grade)
    client.force_login(role_users["admin"])
    page = client.get(reverse("paygrades:delete", args=[grade.pk])).content.decode()
    assert "wird noch von 1 Stelle verwendet" in page
    response = client.post(
        reverse("paygrades:delete", args=[grade.pk]), {"version": grade.version}, follow=True
    )
    assert "kann nicht gelöscht werden: er wird noch von 1 Stelle verwendet" in (
        response.content.decode()
    )
    assert PayGrade.objects.filter(pk=grade.pk).exists()


def test_it_forbids_grade_changes_to_the_personalamt(client, role_users):
    grade = PayGradeFactory()
    client.force_login(role_users["personalamt"])
    assert client.get(reverse("paygrades:create")).status_code == 403
    assert client.post(reverse("paygrades:delete", args=[grade.pk])).status_code == 403
    assert PayGrade.objects.filter(pk=grade.pk).exists()
