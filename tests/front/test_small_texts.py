"""The small texts of issue 23, each as a German reader expects it (through the pages)."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from decisions.models import Decision
from stellenplan.models import Position
from stellenplan.plan_services import occupation_create
from stellenplan.services import position_create, position_update

pytestmark = pytest.mark.django_db


def money_columns(html: str, table_marker: str, first_money: int) -> list[list[str]]:
    """The money cells of a table, by column (rows of tbody and tfoot)."""
    table = html.split(table_marker, 1)[1].split("</table>", 1)[0]
    columns: list[list[str]] = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:
        cells = []
        for attrs, cell in re.findall(r"<t[dh]([^>]*)>(.*?)</t[dh]>", row, re.S):
            span = re.search(r'colspan="(\d+)"', attrs)
            cells.extend([cell] * (int(span.group(1)) if span else 1))
        for index, cell in enumerate(cells[first_money : first_money + 4]):
            while len(columns) <= index:
                columns.append([])
            columns[index].extend(re.findall(r"[\d.]+(?:,\d\d)?\xa0€", cell))
    return columns


def test_the_tree_shows_whole_euros_in_every_money_column(seed, client, role_users):
    """The tree and the overview show whole euros (as their figures above): an Erstattung of
    a sub-unit with cents (84,8 % of 130.800 € = 110.918,40 €) no longer stands as
    "110.918,40 €" above the Jobcenter's "405.768 €"."""
    client.force_login(role_users["kaemmerei"])
    html = client.get(reverse("orgunits:tree"), {"year": 2012}).content.decode()
    columns = money_columns(html, '<table class="tree">', 4)
    assert "110.918\xa0€" in columns[2] and "405.768\xa0€" in columns[2]
    assert all(not re.search(r",\d\d\xa0€", value) for column in columns for value in column)
    assert "Beträge in vollen Euro" in html


def test_the_overview_shows_whole_euros_in_every_money_column(seed, client, role_users):
    client.force_login(role_users["kaemmerei"])
    html = client.get(reverse("costs:overview"), {"year": 2012}).content.decode()
    columns = money_columns(html, 'id="je-amt"', 3)
    assert "1.128.560\xa0€" in columns[0] and "405.768\xa0€" in columns[2]
    assert all(not re.search(r",\d\d\xa0€", value) for column in columns for value in column)
    figures = html.split('class="figures"', 1)[1].split("</ul>", 1)[0]
    assert "405.768\xa0€" in figures and not re.search(r",\d\d\xa0€", figures)


def test_the_history_says_befristet_once_and_keeps_the_tasks_apart(seed, client, role_users):
    clerk = role_users["personalamt"]
    template = Position.objects.select_related("org_unit", "pay_grade").first()
    position = position_create(
        acting_user=clerk,
        org_unit=template.org_unit,
        pay_grade=template.pay_grade,
        fte=Decimal("1"),
        title="SB Testaufgaben",
        start_date=date(2012, 1, 1),
        tasks="Bescheide prüfen\nWidersprüche bearbeiten",
    )
    position_update(
        acting_user=clerk,
        position=position,
        expected_version=position.version,
        data={"end_date": date(2013, 12, 31)},
    )
    client.force_login(clerk)
    html = client.get(reverse("positions:detail", args=[position.pk])).content.decode()
    history = html.split('id="historie"', 1)[1]
    assert (
        'Befristung: <span class="old">unbefristet</span> → <span class="new">befristet</span>'
        in history
    )
    assert 'Befristung: <span class="value">unbefristet</span>' in history  # created
    assert "befristet: nein" not in history and "befristet: ja" not in history
    # one task a line: the value keeps its line break (shown with white-space: pre-line)
    assert '<span class="value">Bescheide prüfen\nWidersprüche bearbeiten</span>' in history


def test_the_occupation_page_names_the_share_and_deletes_without_a_primary_button(
    seed, client, role_users
):
    position = Position.objects.filter(fte=1).first()
    occupation_create(
        acting_user=None, position=position, fte=Decimal("0.5"), start_date=date(2012, 1, 1)
    )
    client.force_login(role_users["personalamt"])
    html = client.get(reverse("plans:occupations", args=[position.pk])).content.decode()
    assert "Stellenanteil dieser Stelle: 1,0" in html
    assert "1,0 Stellen" not in html
    delete = re.search(r"<button[^>]*>Löschen", html).group(0)
    assert 'class="button-link button-link-danger"' in delete


def test_the_paper_names_its_offices_beteiligte_dienststellen(seed, client, role_users):
    paper = Decision.objects.get(number="647/2011")
    client.force_login(role_users["sitzungsdienst"])
    html = client.get(reverse("decisions:detail", args=[paper.pk])).content.decode()
    assert "<h2>Beteiligte Dienststellen</h2>" in html and "Stellen verknüpfen" in html
    assert "<h2>Beteiligte Stellen</h2>" not in html
    form = client.get(reverse("decisions:edit", args=[paper.pk])).content.decode()
    assert "Beteiligte Dienststellen" in form
