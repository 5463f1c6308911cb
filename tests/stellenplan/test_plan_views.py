"""Pages of the Stellenplan's data: the position form's "Grundlage der Änderung", a
position's story (changes with the decision link, occupation for the Personalamt only), the
plans, the list of changes, occupations; occupation never in OParl, exports or the change log."""

import json
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from decisions.models import Decision
from stellenplan.models import Occupation, Position, PositionChange, StaffingPlan
from stellenplan.plan_services import ChangeAuthority, occupation_create
from stellenplan.services import position_update
from tests.factories import OrgUnitFactory, PayGradeFactory, PositionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client(client, role_users):
    client.force_login(role_users["personalamt"])
    return client


def form_data(unit, grade, **changes) -> dict:
    data = {
        "org_unit": unit.pk,
        "pay_grade": grade.pk,
        "fte": "1,0",
        "title": "SB Haushalt",
        "task_heading": "",
        "note": "",
        "note_date": "",
        "ku_target_grade": "",
        "start_date": "01.01.2013",
        "end_date": "",
        "tasks": "",
        "justification": "",
    }
    data.update(changes)
    return data


def test_a_new_position_with_a_grdrs_is_a_schaffung_from_its_start(hr_client):
    unit, grade = OrgUnitFactory(), PayGradeFactory(code="A 11")
    response = hr_client.post(
        reverse("positions:create"),
        form_data(unit, grade, basis="aenderung", grdrs="12/2012", change_explanation="neu"),
    )
    assert response.status_code == 302
    change = PositionChange.objects.get()
    assert change.kind == PositionChange.Kind.CREATE
    assert change.effective_date == date(2013, 1, 1)
    assert change.grdrs == "12/2012"
    assert change.explanation == "neu"


def test_a_change_without_its_authority_is_refused_in_german(hr_client):
    unit, grade = OrgUnitFactory(), PayGradeFactory(code="A 11")
    response = hr_client.post(
        reverse("positions:create"), form_data(unit, grade, basis="aenderung")
    )
    assert response.status_code == 200
    assert "braucht ihre Grundlage" in response.content.decode()
    assert not Position.objects.exists()
    assert not PositionChange.objects.exists()


def test_an_edit_as_correction_records_no_change_and_ku_needs_a_target(hr_client):
    position = PositionFactory(pay_grade=PayGradeFactory(code="A 11"))
    url = reverse("positions:update", args=[position.pk])
    data = form_data(position.org_unit, position.pay_grade, basis="berichtigung", version=1)
    data["title"] = "Korrigiert"
    assert hr_client.post(url, data).status_code == 302
    assert not PositionChange.objects.exists()

    target = PayGradeFactory(code="A 9")
    data.update(version=2, note="KU")
    response = hr_client.post(url, data)
    assert response.status_code == 200
    assert "braucht die Zielgruppe" in response.content.decode()
    data.update(ku_target_grade=target.pk, basis="aenderung", grdrs="", effective_date="")
    response = hr_client.post(url, data)
    content = response.content.decode()
    assert "braucht ihre Grundlage" in content
    assert "ab wann die Stellenplanänderung wirkt" in content
    data.update(grdrs="5/2013", effective_date="01.07.2013")
    assert hr_client.post(url, data).status_code == 302
    change = PositionChange.objects.get()
    assert (change.kind, change.ku_target_grade, change.effective_date) == (
        PositionChange.Kind.NOTE_ADD,
        target,
        date(2013, 7, 1),
    )


def test_a_positions_page_tells_its_story_with_the_decision_link(seed, client, role_users):
    position = Position.objects.get(pk=11)  # created im Vorgriff from 01.10.2011
    decision = Decision.objects.get(number="647/2011")
    occupation_create(
        acting_user=role_users["personalamt"],
        position=position,
        fte=Decimal("0.75"),
        start_date=date(2011, 11, 1),
    )
    client.force_login(role_users["kaemmerei"])
    page = client.get(reverse("positions:detail", args=[position.pk])).content.decode()
    assert "Stellenplanänderungen" in page
    assert "Schaffung (im Vorgriff)" in page
    assert "01.10.2011" in page
    assert f'href="{reverse("decisions:detail", args=[decision.pk])}">GRDrs 647/2011' in page
    assert "Stellenbesetzung" not in page
    assert "01.11.2011" not in page

    client.force_login(role_users["personalamt"])
    page = client.get(reverse("positions:detail", args=[position.pk])).content.decode()
    assert "Stellenbesetzung (intern)" in page
    assert "0,75 besetzt ab 01.11.2011" in page


def test_occupation_pages_are_for_the_personalamt_only(seed, client, role_users):
    position = Position.objects.get(pk=1)
    url = reverse("plans:occupations", args=[position.pk])
    client.force_login(role_users["kaemmerei"])
    assert client.get(url).status_code == 403
    client.force_login(role_users["personalamt"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"fte": "0,75", "start_date": "01.01.2012", "end_date": ""})
    assert response.status_code == 200
    assert "zu groß" in response.content.decode()  # the position has 0,5
    assert not Occupation.objects.exists()
    response = client.post(url, {"fte": "0,5", "start_date": "01.01.2012", "end_date": ""})
    assert response.status_code == 302
    occupation = Occupation.objects.get()
    response = client.post(
        reverse("plans:occupation_update", args=[occupation.pk]),
        {"fte": "0,25", "start_date": "01.01.2012", "end_date": "", "version": 1},
    )
    assert response.status_code == 302
    occupation.refresh_from_db()
    assert occupation.fte == Decimal("0.25")
    response = client.post(reverse("plans:occupation_delete", args=[occupation.pk]), {"version": 2})
    assert response.status_code == 302
    assert not Occupation.objects.exists()


def test_plans_list_create_edit_and_next_draft(client, role_users):
    client.force_login(role_users["personalamt"])
    response = client.post(
        reverse("plans:create"),
        {"first_year": "2012", "last_year": "2013", "explanation_threshold_fte": "0,5"},
    )
    assert response.status_code == 302
    plan = StaffingPlan.objects.get()
    assert plan.explanation_threshold_fte == Decimal("0.5")
    response = client.post(
        reverse("plans:create"), {"first_year": "2013", "explanation_threshold_fte": "1"}
    )
    assert response.status_code == 200
    assert "überschneiden sich" in response.content.decode()
    response = client.post(
        reverse("plans:update", args=[plan.pk]),
        {
            "first_year": "2012",
            "last_year": "2013",
            "explanation_threshold_fte": "1",
            "remarks": "Vorbemerkung",
            "version": 1,
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.remarks == "Vorbemerkung"

    response = client.post(reverse("plans:create_next"), follow=True)
    assert "noch keinen beschlossenen" in response.content.decode()
    StaffingPlan.objects.filter(pk=plan.pk).update(
        status="beschlossen", adopted_on=date(2011, 12, 15)
    )
    client.post(reverse("plans:create_next"), {"double": "on"})
    draft = StaffingPlan.objects.get(based_on=plan)
    assert (draft.first_year, draft.last_year) == (2014, 2015)
    page = client.get(reverse("plans:list")).content.decode()
    assert "2014/2015" in page and "2012/2013" in page
    # an adopted plan is not edited
    response = client.get(reverse("plans:update", args=[plan.pk]))
    assert response.status_code == 302
    client.force_login(role_users["kaemmerei"])
    assert client.get(reverse("plans:create")).status_code == 403


def test_the_list_of_changes_filters_by_year_kind_grdrs_and_unit(seed, client, role_users):
    hr = role_users["personalamt"]
    position = Position.objects.get(pk=1)
    position_update(
        acting_user=hr,
        position=position,
        expected_version=position.version,
        data={"fte": Decimal("0.4")},
        authority=ChangeAuthority(effective_date=date(2013, 1, 1), grdrs="99/2012"),
    )
    client.force_login(role_users["sitzungsdienst"])
    url = reverse("plans:changes")
    page = client.get(url).content.decode()
    assert "19 Änderungen" in page
    assert "16 Änderungen" not in page
    assert "2 Änderungen" in client.get(url, {"jahr": 2011}).content.decode()
    page = client.get(url, {"art": "anteil"}).content.decode()
    assert "1 Änderung." in page and "0,5 → 0,4" in page
    assert "18 Änderungen" in client.get(url, {"grdrs": "647/2011"}).content.decode()
    unit_page = client.get(url, {"einheit": position.org_unit_id}).content.decode()
    assert "1 Änderung." in unit_page  # the Schaffung names the unit, the share change not
    assert "Erläuterung bearbeiten" not in page

    client.force_login(hr)
    change = PositionChange.objects.get(kind="anteil")
    response = client.post(
        reverse("plans:change_update", args=[change.pk]),
        {"explanation": "Teilzeit", "version": 1},
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.explanation == "Teilzeit"


def test_an_authorisation_outside_the_plan_is_recorded_with_its_end(seed, client, role_users):
    client.force_login(role_users["personalamt"])
    url = reverse("plans:authorisation_create", args=[1])
    response = client.post(url, {"grdrs": "7/2012", "effective_date": "01.01.2012"})
    assert response.status_code == 200
    assert not PositionChange.objects.filter(kind="ermaechtigung").exists()
    response = client.post(
        url, {"grdrs": "7/2012", "effective_date": "01.01.2012", "end_date": "31.12.2012"}
    )
    assert response.status_code == 302
    change = PositionChange.objects.get(kind="ermaechtigung")
    assert change.end_date == date(2012, 12, 31)
    assert change.position_id == 1


def test_occupation_is_never_in_oparl_exports_or_the_change_log(seed, client, role_users):
    from tests.oparl.test_oparl import crawl

    position = Position.objects.get(pk=7)
    occupation_create(
        acting_user=role_users["personalamt"],
        position=position,
        fte=Decimal("0.37"),
        start_date=date(2012, 3, 17),
    )
    marks = ["0.37", "0,37", "2012-03-17", "17.03.2012", "besetzt", "Besetzung"]
    found = crawl(client)
    text = json.dumps(found, ensure_ascii=False)
    assert "Stellenbesetzung" not in text
    assert not [m for m in marks if m in text]

    client.force_login(role_users["kaemmerei"])
    exports = [
        (reverse("excel:export"), {"year": 2012}),
        (reverse("excel:export_positions"), {"year": 2012}),
        (reverse("excel:export_org_unit", args=[position.org_unit_id]), {"year": 2012}),
        (reverse("changes:export"), {}),
    ]
    for url, params in exports:
        response = client.get(url, params)
        assert response.status_code == 200, url
        book = load_workbook(BytesIO(b"".join(response.streaming_content)))
        cells = [
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        ]
        assert cells, url
        assert not [c for c in cells if any(m in c for m in marks[2:])], url
        assert "0.37" not in cells and "0,37" not in cells, url
    page = client.get(reverse("changes:list")).content.decode()
    assert "Stellenbesetzung" not in page
