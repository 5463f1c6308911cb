"""Finding and editing positions in Chromium (issue 14): the tree-aware search, a bulk move
of a unit's positions, the restore of a deleted position, a German date typed and picked,
and typed input kept over an expired session. Screenshots in test-output/."""

import re

import pytest
from playwright.sync_api import Page, expect

from departments.models import OrgUnit
from stellenplan.models import Position
from tests.browser.test_hr_workflow import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

JOBCENTER = ("29AL", "29-1", "29-3")


def unit_codes(page: Page) -> list[str]:
    return [
        text.strip()
        for text in page.locator("table.data-table tbody tr td:first-child").all_inner_texts()
    ]


def test_positions_walk(browser, live_server, seed, role_users, output_dir):
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de-DE")
    log_in(page, base, "personalamt")

    # search "Jobcenter": exactly the Jobcenter's 6 positions first (29AL, 29-1, 29-3)
    page.goto(f"{base}/kosten/stellen/")
    page.get_by_label("Suche").fill("Jobcenter")
    page.get_by_role("button", name="Filtern").click()
    codes = unit_codes(page)
    assert len(codes) > 6
    assert all(code in JOBCENTER for code in codes[:6]), codes
    assert {"29AL", "29-1", "29-3"} <= set(codes[:6])
    assert all(code not in JOBCENTER for code in codes[6:]), codes
    page.screenshot(path=str(output_dir / "positions-search-jobcenter.png"), full_page=True)

    # the cost column sorts (in the database)
    page.goto(f"{base}/kosten/stellen/?year=2012")
    page.get_by_role("link", name=re.compile("Jahreskosten 2012")).click()
    expect(page).to_have_url(re.compile("sort=annual_cost"))
    page.screenshot(path=str(output_dir / "positions-sorted-by-cost.png"), full_page=True)

    # bulk move: all positions of 29-3 to 29-1 in one step
    source = OrgUnit.objects.get(code="29-3")
    target = OrgUnit.objects.get(code="29-1")
    moving = set(Position.objects.filter(org_unit=source).values_list("pk", flat=True))
    assert moving
    page.goto(f"{base}/kosten/stellen/")
    page.get_by_role("link", name="Stellen verschieben").click()
    page.get_by_label("Von Org.einheit").select_option(str(source.pk))
    page.get_by_role("button", name="Stellen anzeigen").click()
    checkboxes = page.locator("input[name=positions]")
    expect(checkboxes).to_have_count(len(moving))
    for index in range(len(moving)):
        expect(checkboxes.nth(index)).to_be_checked()
    page.get_by_label("Nach Org.einheit").select_option(str(target.pk))
    page.screenshot(path=str(output_dir / "positions-move.png"), full_page=True)
    page.get_by_role("button", name="Ausgewählte Stellen verschieben").click()
    expect(page.locator(".messages, [role=status], .alert-success").first).to_contain_text(
        "verschoben"
    )
    assert set(Position.objects.filter(org_unit=target).values_list("pk", flat=True)) >= moving
    assert not Position.objects.filter(org_unit=source).exists()
    page.screenshot(path=str(output_dir / "positions-moved.png"), full_page=True)

    # delete a position (one no decision refers to) and restore it with its history
    moved = Position.objects.get(pk=min(moving))
    position = Position.objects.create(
        org_unit=target,
        pay_grade=moved.pay_grade,
        fte=moved.fte,
        title="SB Integration (Umorganisation)",
        start_date=moved.start_date,
    )
    page.goto(f"{base}/kosten/stellen/{position.pk}/")
    page.get_by_role("link", name="Löschen").click()
    page.get_by_role("button", name=re.compile("löschen", re.IGNORECASE)).click()
    expect(page).to_have_url(re.compile("/kosten/stellen/$"))
    assert not Position.objects.filter(pk=position.pk).exists()
    page.goto(f"{base}/stellen/geloescht/")
    page.screenshot(path=str(output_dir / "positions-deleted.png"), full_page=True)
    row = page.get_by_role("row").filter(has_text=position.title)
    row.get_by_role("button", name=re.compile("^Wiederherstellen")).click()
    expect(page).to_have_url(re.compile(f"/kosten/stellen/{position.pk}/$"))
    history = page.locator("table.history")
    expect(history).to_contain_text("wiederhergestellt")
    expect(history).to_contain_text("gelöscht")
    assert Position.objects.filter(pk=position.pk, org_unit=target).exists()
    page.screenshot(path=str(output_dir / "positions-restored.png"), full_page=True)

    # a German date typed stays German; the calendar writes German too
    page.goto(f"{base}/stellen/{position.pk}/bearbeiten/")
    page.get_by_label("Ende").fill("30.06.2028")
    page.locator("#id_note_date + input.date-picker").fill("2027-01-01")
    expect(page.locator("#id_note_date")).to_have_value("01.01.2027")
    page.get_by_label("Stellenvermerk", exact=True).select_option("KW")
    page.get_by_label("Stellennummer").fill("29-1/0815")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator("dl.fields")).to_contain_text("befristet bis 30.06.2028")
    expect(page.locator("dl.fields")).to_contain_text("29-1/0815")
    page.screenshot(path=str(output_dir / "positions-befristet.png"), full_page=True)

    # KW without a date: asked for explicitly
    page.goto(f"{base}/stellen/{position.pk}/bearbeiten/")
    page.locator("#id_note_date").fill("")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator("form.form")).to_contain_text("KW ohne Datum: die nächste frei werdende")
    page.get_by_label("KW ohne Datum bestätigen").check()
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator("dl.fields")).to_contain_text("ohne Datum: die nächste frei werdende")
    page.screenshot(path=str(output_dir / "positions-kw-ohne-datum.png"), full_page=True)

    # the session expires while editing: the typed title survives the login
    page.goto(f"{base}/stellen/{position.pk}/bearbeiten/")
    page.get_by_label("Funktionsbezeichnung").fill("Titel nach Ablauf der Sitzung")
    # the session ends (as after SESSION_HOURS); the CSRF cookie stays, as in a browser
    kept = [c for c in page.context.cookies() if c["name"] != "sessionid"]
    page.context.clear_cookies()
    page.context.add_cookies(kept)
    page.get_by_role("button", name="Speichern").click()
    expect(page).to_have_url(re.compile("/anmelden/"))
    page.get_by_label("Benutzername").fill("personalamt")
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(re.compile(f"/stellen/{position.pk}/bearbeiten/"))
    expect(page.locator("#eingaben-wiederhergestellt")).to_be_visible()
    expect(page.get_by_label("Funktionsbezeichnung")).to_have_value("Titel nach Ablauf der Sitzung")
    page.screenshot(path=str(output_dir / "positions-session-restored.png"), full_page=True)
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Titel nach Ablauf der Sitzung")
    # a later visit of the form shows the saved state, nothing restored
    page.goto(f"{base}/stellen/{position.pk}/bearbeiten/")
    expect(page.locator("#eingaben-wiederhergestellt")).to_have_count(0)
