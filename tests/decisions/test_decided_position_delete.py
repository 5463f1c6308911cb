"""Deleting a decided position asks for its Streichung basis; refusals name the paper with a
link (issue 22, part 3)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from decisions.models import Decision, DecisionPosition
from stellenplan.models import Position, PositionChange
from tests.decisions.decided import new_position, paper, paper_812


@pytest.fixture
def hr_client(client, role_users):
    client.force_login(role_users["personalamt"])
    return client


def test_the_page_asks_for_the_streichung_of_a_decided_position(seed, hr_client):
    decision, positions = paper_812()
    url = reverse("positions:delete", args=[positions[0].pk])

    html = hr_client.get(url).content.decode()

    assert "Der Gemeinderat hat diese Stelle beschlossen" in html
    assert reverse("decisions:detail", args=[decision.pk]) in html
    assert "Grundlage der Streichung" in html
    assert "Berichtigung (keine Stellenplanänderung)" not in html


def test_it_refuses_a_decided_position_without_a_basis(seed, hr_client):
    _, positions = paper_812()
    url = reverse("positions:delete", args=[positions[0].pk])

    response = hr_client.post(url, {"version": positions[0].version})

    assert response.status_code == 400
    assert "Eine Stellenplanänderung braucht ihre Grundlage" in response.content.decode()
    assert Position.objects.filter(pk=positions[0].pk).exists()


def test_it_deletes_a_decided_position_as_a_streichung(seed, hr_client):
    decision, positions = paper_812()
    gone = positions[0]
    url = reverse("positions:delete", args=[gone.pk])

    response = hr_client.post(
        url,
        {
            "version": Position.objects.get(pk=gone.pk).version,
            "grdrs": "901/2027",
            "effective_date": "01.07.2027",
            "change_explanation": "Aufgabe entfällt.",
        },
        follow=True,
    )

    assert "wurde gelöscht" in response.content.decode()
    assert not Position.objects.filter(pk=gone.pk).exists()
    streichung = PositionChange.objects.get(grdrs="901/2027")
    assert streichung.kind == PositionChange.Kind.ABOLISH
    assert streichung.effective_date == date(2027, 7, 1)
    assert streichung.fte_before == 1
    assert "SB Leistung A" in streichung.summary
    # the paper keeps what it decided and shows the deletion as a departure
    page = hr_client.get(reverse("decisions:detail", args=[decision.pk])).content.decode()
    assert "29-1 EG 9 SB Leistung A</a>: Stelle: beschlossen besteht, jetzt gelöscht" in page


def test_a_refusal_names_the_open_paper_with_a_link(seed, hr_client):
    position = new_position("1.0", date(2027, 1, 1))
    open_paper = paper("815/2026", [position])

    response = hr_client.post(
        reverse("positions:delete", args=[position.pk]),
        {"version": position.version, "grdrs": "1/2027", "effective_date": "01.01.2027"},
        follow=True,
    )

    html = response.content.decode()
    assert "kann nicht gelöscht werden: sie ist mit GRDrs 815/2026 (eingebracht) verknüpft" in html
    assert (
        f'<a href="{reverse("decisions:detail", args=[open_paper.pk])}">GRDrs 815/2026</a>' in html
    )
    assert "verknüpfte Stelle verknüpft" not in html
    assert Position.objects.filter(pk=position.pk).exists()
    assert DecisionPosition.objects.filter(position=position).exists()


def test_a_position_created_by_a_paper_needs_a_basis_too(seed, hr_client):
    reference = Decision.objects.get(number="647/2011")
    link = DecisionPosition.objects.filter(decision=reference).first()
    html = hr_client.get(reverse("positions:delete", args=[link.position_id])).content.decode()
    assert "Streichung (mit GRDrs oder Stellenplan)" in html
    assert "Berichtigung (keine Stellenplanänderung)" not in html


def test_a_position_no_paper_decided_is_deleted_as_before(seed, hr_client):
    position = new_position("1.0", date(2027, 1, 1))

    html = hr_client.get(reverse("positions:delete", args=[position.pk])).content.decode()
    assert "Berichtigung (keine Stellenplanänderung)" in html
    response = hr_client.post(
        reverse("positions:delete", args=[position.pk]), {"version": position.version}
    )

    assert response.status_code == 302
    assert not Position.objects.filter(pk=position.pk).exists()
    assert not PositionChange.objects.filter(summary__contains=position.title).exists()
