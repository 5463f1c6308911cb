"""Abweichungen seit Beschluss on the pages (issue 22): the edit form before saving, the
position, the paper and the checks before a plan's adoption."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from stellenplan.models import Position, StaffingPlan
from stellenplan.services import position_update
from tests.decisions.decided import paper_812
from tests.stellenplan.test_positions_tools import form_data


@pytest.fixture
def hr_client(client, role_users):
    client.force_login(role_users["personalamt"])
    return client


def edit_data(position: Position, **changes) -> dict:
    return form_data(Position.objects.get(pk=position.pk), **changes)


def cut(position: Position) -> Position:
    position = Position.objects.get(pk=position.pk)
    return position_update(
        acting_user=None,
        position=position,
        expected_version=position.version,
        data={"fte": Decimal("0.5")},
    )


def test_the_form_shows_the_departure_before_saving(seed, hr_client):
    _, positions = paper_812()
    position = Position.objects.get(pk=positions[0].pk)
    url = reverse("positions:update", args=[position.pk])

    first = hr_client.post(url, edit_data(position, fte="0,5"))

    html = first.content.decode()
    assert first.status_code == 200
    assert "Noch nicht gespeichert: die Eingaben weichen vom Beschluss des Gemeinderats ab" in html
    assert (
        "GRDrs 812/2026 (beschlossen am 05.12.2026): Stellenanteil: beschlossen 1,0, eingegeben 0,5"
        in html
    )
    assert "Abweichung vom Beschluss bestätigen" in html
    assert Position.objects.get(pk=position.pk).fte == Decimal("1.00")

    second = hr_client.post(url, edit_data(position, fte="0,5", confirm_departure="on"))

    assert second.status_code == 302
    assert Position.objects.get(pk=position.pk).fte == Decimal("0.50")


def test_the_form_saves_values_as_decided_without_asking(seed, hr_client):
    _, positions = paper_812()
    position = Position.objects.get(pk=positions[0].pk)

    response = hr_client.post(
        reverse("positions:update", args=[position.pk]), edit_data(position, title="SB neu")
    )

    assert response.status_code == 302
    assert Position.objects.get(pk=position.pk).title == "SB neu"


def test_the_form_asks_only_for_a_new_departure(seed, hr_client):
    _, positions = paper_812()
    position = cut(positions[0])

    page = hr_client.get(reverse("positions:update", args=[position.pk])).content.decode()
    assert "die Stelle weicht schon von dem ab" in page
    assert "Abweichung vom Beschluss bestätigen" not in page

    response = hr_client.post(
        reverse("positions:update", args=[position.pk]),
        edit_data(position, fte="0,5", title="SB anders"),
    )
    assert response.status_code == 302


def test_the_position_page_shows_the_departure(seed, hr_client):
    _, positions = paper_812()
    cut(positions[0])

    html = hr_client.get(reverse("positions:detail", args=[positions[0].pk])).content.decode()

    assert "Abweichungen seit Beschluss:" in html
    assert "Stellenanteil: beschlossen 1,0, jetzt 0,5" in html
    assert reverse("decisions:detail", args=[positions[0].decision_links.get().decision_id]) in html
    other = hr_client.get(reverse("positions:detail", args=[positions[1].pk])).content.decode()
    assert "Abweichungen seit Beschluss" not in other


def test_the_position_page_lists_the_changes_by_the_paper(seed, hr_client):
    _, positions = paper_812()

    html = hr_client.get(reverse("positions:detail", args=[positions[2].pk])).content.decode()

    section = html[html.index('id="aenderungen"') :]
    section = section[: section.index("</section>")]
    assert "Schaffung" in section and "812/2026" in section and "01.10.2026" in section
    assert "Keine Stellenplanänderungen." not in section


def test_the_paper_page_has_the_section(seed, client, role_users):
    client.force_login(role_users["sitzungsdienst"])
    decision, positions = paper_812()
    url = reverse("decisions:detail", args=[decision.pk])

    assert "Keine: jede verknüpfte Stelle ist so erfasst" in client.get(url).content.decode()
    cut(positions[0])
    html = client.get(url).content.decode()

    assert '<h2 id="abweichungen">Abweichungen seit Beschluss</h2>' in html
    assert "29-1 EG 9 SB Leistung A</a>: Stellenanteil: beschlossen 1,0, jetzt 0,5" in html
    assert reverse("positions:detail", args=[positions[0].pk]) in html


def test_the_reference_paper_before_adoption_has_no_section(seed, client, role_users):
    from decisions.models import Decision

    client.force_login(role_users["sitzungsdienst"])
    reference = Decision.objects.get(number="647/2011")
    html = client.get(reverse("decisions:detail", args=[reference.pk])).content.decode()
    assert "Abweichungen seit Beschluss" not in html


def test_the_plan_adoption_checks_show_the_departure(seed, hr_client):
    _, positions = paper_812()
    cut(positions[0])
    plan = StaffingPlan.objects.create(first_year=2027, last_year=2027)
    earlier = StaffingPlan.objects.get(first_year=2012)

    html = hr_client.get(reverse("plandoc:adopt", args=[plan.pk])).content.decode()

    assert "Abweichungen seit Beschluss:" in html
    assert "Stellenanteil: beschlossen 1,0, jetzt 0,5" in html
    assert reverse("decisions:detail", args=[positions[0].decision_links.get().decision_id]) in html
    # the plan 2012/2013 does not count a position decided from 2027
    before = hr_client.get(reverse("plandoc:adopt", args=[earlier.pk])).content.decode()
    assert "Abweichungen seit Beschluss: keine" in before
    assert date(2027, 1, 1) > date(earlier.last_year, 12, 31)
