"""The Veränderungsnachweis of a plan year contains every position a paper decided for it
(issue 22), requested through the plan page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from decisions.models import Decision
from stellenplan.plan_services import plan_create
from tests.decisions.decided import adopt, paper_812


@pytest.fixture
def hr_client(client, role_users):
    client.force_login(role_users["personalamt"])
    return client


def summary_rows(html: str) -> list[list[str]]:
    table = html[html.index("nach Art und Grundlage") :]
    table = table[: table.index("</table>")]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table[table.index("<tbody>") :], re.S)
    ]


def test_the_plan_year_lists_every_decided_position(seed, hr_client):
    plan = plan_create(acting_user=None, first_year=2027)
    paper_812()

    html = hr_client.get(reverse("plandoc:detail", args=[plan.pk]) + "?year=2027").content.decode()

    # the last column: davon in Stellen 2026 enthalten (the position im Vorgriff, 0,5)
    assert ["Schaffung", "GRDrs 812/2026", "3", "1", "2,5", "0,5"] in summary_rows(html)
    assert "Schaffung (im Vorgriff, in Stellen 2026 enthalten)" in html and "01.10.2026" in html


def test_the_reference_plan_2012_keeps_its_figures_after_the_adoption(seed, hr_client):
    reference = Decision.objects.get(number="647/2011")
    adopt(reference, on=date(2011, 10, 6))

    html = hr_client.get(reverse("plandoc:detail", args=[1]) + "?year=2012").content.decode()

    assert summary_rows(html) == [["Schaffung", "GRDrs 647/2011", "18", "2", "13,5", "2,0"]]
