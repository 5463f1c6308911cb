"""The position form shows a departure from the council's decision before it saves (issue 22)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from stellenplan.models import Position
from tests.browser.test_hr_workflow import log_in
from tests.decisions.decided import paper_812

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_the_form_warns_before_a_decided_position_is_cut(
    browser, live_server, seed, role_users, tmp_path
):
    _, positions = paper_812()
    position = positions[0]
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de-DE")
    log_in(page, base, "personalamt")

    page.goto(f"{base}{reverse('positions:update', args=[position.pk])}")
    page.get_by_label("Anzahl der Stellen").fill("0,5")
    page.get_by_role("button", name="Speichern").click()

    notice = page.locator("#abweichungen")
    expect(notice).to_contain_text("Stellenanteil: beschlossen 1,0, jetzt 0,5")
    expect(notice.get_by_role("link", name="GRDrs 812/2026")).to_be_visible()
    expect(page.get_by_role("alert").first).to_contain_text("Noch nicht gespeichert")
    page.screenshot(path=str(tmp_path / "abweichung-vor-dem-speichern.png"), full_page=True)
    assert Position.objects.get(pk=position.pk).fte == 1

    page.get_by_label("Abweichung vom Beschluss bestätigen").check()
    page.get_by_role("button", name="Speichern").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("positions:detail", args=[position.pk]))))
    expect(page.locator("#abweichungen")).to_contain_text("beschlossen 1,0, jetzt 0,5")
    assert str(Position.objects.get(pk=position.pk).fte) == "0.50"
    assert (tmp_path / "abweichung-vor-dem-speichern.png").stat().st_size > 0
