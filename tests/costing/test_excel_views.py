"""Excel downloads: whole plan, the filtered positions list, one org unit; for every role."""

from io import BytesIO

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.xlsx import XLSX_CONTENT_TYPE
from departments.models import OrgUnit
from front.filters import PositionFilter
from stellenplan.models import PayGrade, Position
from tests.factories import PositionFactory

pytestmark = pytest.mark.usefixtures("seed")


@pytest.fixture
def reader(client):
    """A logged-in user of the Sitzungsdienst: may read and export, not edit."""
    user = User.objects.create_user("leser")
    user.groups.add(Group.objects.get(name="Sitzungsdienst"))
    client.force_login(user)
    return client


def download(client, name: str, params=None, **kwargs):
    response = client.get(reverse(f"excel:{name}", kwargs=kwargs), params or {})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return response, load_workbook(BytesIO(b"".join(response.streaming_content)))


def position_titles(book) -> list[str]:
    return [r[7] for r in book["Stellen"].iter_rows(min_row=5, values_only=True)]


def test_it_sends_anonymous_users_to_the_login(client):
    response = client.get(reverse("excel:export"), {"year": 2012})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["Personalamt", "Kämmerei", "Sitzungsdienst"])
def test_every_role_may_download_the_whole_plan(client, role):
    user = User.objects.create_user(f"nutzer-{role}")
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    response, book = download(client, "export", {"year": 2012})
    assert 'filename="Stellenplan_Kosten_2012-2014.xlsx"' in response["Content-Disposition"]
    assert book["Übersicht"]["E4"].value == "Kosten 2012"
    assert len(position_titles(book)) == 18


def test_it_takes_a_list_of_years(reader):
    for params in ({"years": "2011,2012"}, {"years": ["2011", "2012"]}):
        response, book = download(reader, "export", params)
        assert 'filename="Stellenplan_Kosten_2011-2012.xlsx"' in response["Content-Disposition"]
        header = [c.value for c in book["Übersicht"][4]]
        assert header[4::3] == ["Kosten 2011", "Kosten 2012"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "zwanzig"}, "Ungültiges Jahr „zwanzig“"),
        ({"years": "2012,x"}, "Ungültiges Jahr „x“"),
        ({"year": "12"}, "Ungültiges Jahr 12"),
        ({"year": "2009"}, "Für das Jahr 2009 gibt es keine gültige Kostentabelle."),
    ],
)
def test_it_explains_a_bad_year_in_german(reader, params, message):
    response = reader.get(reverse("excel:export"), params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_list_export_honours_the_list_filters(reader):
    grade = PayGrade.objects.get(code="EG 11")
    _, book = download(reader, "export_positions", {"pay_grade": grade.pk, "year": 2012})
    assert position_titles(book) == [
        "SB Zentrales Controlling",
        "SB Öffentlichkeitsarbeit, Berichtswesen",
    ]
    assert "Stellenwert: EG 11" in book["Übersicht"]["A2"].value

    kaemmerei = OrgUnit.objects.get(code="20")
    params = {"org_unit": kaemmerei.pk, "q": "Buchhaltung"}
    _, book = download(reader, "export_positions", params)
    same_as_list = PositionFilter(params, queryset=Position.objects.all()).qs
    assert position_titles(book) == list(
        same_as_list.order_by("org_unit__code", "id").values_list("title", flat=True)
    )
    assert "SB/-in Buchhaltung" in position_titles(book)
    assert "SB/-in Haushalt" not in position_titles(book)
    assert book.sheetnames == ["Übersicht", "20 Stadtkämmerei", "Kostensätze", "Stellen"]

    _, book = download(reader, "export_positions", {"status_group": "beamte", "year": 2011})
    assert position_titles(book) == [
        "SB/Stv. Teamleitung",
        "SB Einkauf Arbeitsmarktdienstleistungen, Vertragswesen",
    ]


def test_the_list_export_refuses_invalid_filters(reader):
    response = reader.get(reverse("excel:export_positions"), {"pay_grade": 999999})
    assert response.status_code == 400
    assert "Die Filter der Stellenliste sind ungültig." in response.content.decode()


def test_the_org_unit_export_covers_the_unit_with_its_sub_units(reader):
    jobcenter = OrgUnit.objects.get(code="29")
    response, book = download(reader, "export_org_unit", {"year": 2012}, pk=jobcenter.pk)
    assert 'filename="Stellenplan_Kosten_29_2012-2014.xlsx"' in response["Content-Disposition"]
    units = {r[1] for r in book["Stellen"].iter_rows(min_row=5, values_only=True)}
    assert units == {"29AL", "29-1", "29-3"}
    assert "29 Jobcenter mit Untereinheiten" in book["Übersicht"]["A2"].value

    amtsleitung = OrgUnit.objects.get(code="29AL")
    _, book = download(reader, "export_org_unit", {"year": 2012}, pk=amtsleitung.pk)
    assert {r[1] for r in book["Stellen"].iter_rows(min_row=5, values_only=True)} == {"29AL"}


def test_the_org_unit_export_of_an_unknown_unit_is_404(reader):
    assert reader.get(reverse("excel:export_org_unit", kwargs={"pk": 999999})).status_code == 404


def test_the_number_of_queries_does_not_grow_with_the_plan(reader):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            download(reader, "export", {"year": 2012})
        return len(captured)

    grade = PayGrade.objects.get(code="A 8")
    # A change first, so that both downloads compute their figures afresh (the figures are
    # cached by the data version, which the module's shared reference data keeps).
    PositionFactory(org_unit=OrgUnit.objects.get(code="29-1"), pay_grade=grade)
    before = queries()
    for code in ["20-4", "20-5", "10-5.1", "29-1", "WFB"]:
        PositionFactory.create_batch(10, org_unit=OrgUnit.objects.get(code=code), pay_grade=grade)
    assert queries() == before


def test_the_start_page_list_and_org_unit_pages_link_to_their_excel_export(reader):
    page = reader.get(reverse("costs:overview"), {"year": 2012}).content.decode()
    assert f'href="{reverse("excel:export")}?year=2012"' in page

    grade = PayGrade.objects.get(code="EG 11")
    page = reader.get(
        reverse("positions:list"), {"pay_grade": grade.pk, "q": "SB"}
    ).content.decode()
    assert f'href="{reverse("excel:export_positions")}?pay_grade={grade.pk}&amp;q=SB"' in page

    unit = OrgUnit.objects.get(code="29")
    page = reader.get(reverse("orgunits:detail", args=[unit.pk]), {"year": 2013}).content.decode()
    assert f'href="{reverse("excel:export_org_unit", args=[unit.pk])}?year=2013"' in page


def test_the_navigation_links_each_role_to_its_import(client):
    for role, shown, hidden in [
        ("Personalamt", "excel:import_positions", "excel:import_cost_table"),
        ("Kämmerei", "excel:import_cost_table", "excel:import_positions"),
    ]:
        user = User.objects.create_user(f"nav-{role}")
        user.groups.add(Group.objects.get(name=role))
        client.force_login(user)
        page = client.get(reverse("costs:overview")).content.decode()
        assert f'href="{reverse(shown)}"' in page
        assert f'href="{reverse(hidden)}"' not in page
