"""The Personalamt's daily work in a real browser, and what the Kämmerei may not do."""

import re

import pytest
from playwright.sync_api import Page, expect

from stellenplan.models import Position
from tests.conftest import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

TITLE = "Sachbearbeitung Fördermittelcontrolling"


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/anmelden/")
    expect(page).to_have_title(re.compile("Anmelden"))
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Übersicht")


def nav(page: Page):
    return page.get_by_role("navigation", name="Hauptnavigation")


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(re.compile("/anmelden/"))


def test_it_lets_the_personalamt_create_find_and_edit_a_position(
    browser, live_server, seed, role_users, output_dir
):
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de-DE")

    log_in(page, base, "personalamt")
    page.goto(f"{base}/kosten/?year=2012")
    expect(page.locator(".figures")).to_contain_text("1.128.560")
    expect(page.locator("svg[role=img] rect.bar-own")).to_have_count(5)
    page.screenshot(path=str(output_dir / "hr-startseite.png"), full_page=True)

    # create a position with a German share "0,5"
    # the role's tasks stand under "Mehr" (a disclosure in the menu)
    nav(page).locator("summary", has_text="Mehr").click()
    nav(page).get_by_role("link", name="Neue Stelle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neue Stelle")
    page.get_by_label("Org.einheit").select_option(label="29-1 Abteilung 1 (Verwaltung)")
    page.get_by_label("Stellenwert").select_option(label="EG 9 (Tarifbeschäftigte)")
    page.get_by_label("Funktionsbezeichnung").fill(TITLE)
    page.get_by_label("Anzahl der Stellen").fill("0.500")
    page.get_by_label("Beginn").fill("01.10.2011")
    page.get_by_role("button", name="Speichern").click()
    # "0.500" is five hundred in German: refused, with the error next to the field
    expect(page.locator("#id_fte_error")).to_contain_text("„0.500“ wurde als 500 gelesen")
    expect(page.get_by_label("Anzahl der Stellen")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Anzahl der Stellen").fill("0,5")
    page.screenshot(path=str(output_dir / "hr-formular.png"), full_page=True)
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".messages")).to_contain_text("wurde angelegt")
    expect(page.locator("dl.fields")).to_contain_text("0,5")
    position = Position.objects.get(title=TITLE)
    assert str(position.fte) == "0.50"

    # find it with the filters: org unit with its sub-units, grade, text, year
    nav(page).get_by_role("link", name="Stellen", exact=True).click()
    page.get_by_label("Org.einheit (mit Untereinheiten)").select_option(label="29 Jobcenter")
    page.get_by_label("Stellenwert").select_option(label="EG 9")
    page.get_by_label("aktiv im Jahr").fill("2012")
    page.get_by_label("Suche").fill("Fördermittel")
    page.get_by_role("button", name="Filtern").click()
    table = page.locator("table.data-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr")).to_contain_text(TITLE)
    expect(table.locator("tbody tr")).to_contain_text("31.500")  # 0,5 × 63.000 € (EG 9)
    expect(table.locator("tfoot")).to_contain_text("0,5")
    expect(table.locator("tfoot")).to_contain_text("31.500")
    page.get_by_label("Suche").fill("")
    page.get_by_role("button", name="Filtern").click()
    expect(table.locator("tbody tr")).to_have_count(2)  # EG 9 in the Jobcenter: 29-1 and ours
    page.screenshot(path=str(output_dir / "hr-stellenliste.png"), full_page=True)

    # edit it and see the change in the history
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Bearbeiten").click()
    page.get_by_label("Anzahl der Stellen").fill("0.75")
    page.get_by_label("Ende").fill("31.12.2014")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".messages")).to_contain_text("wurde gespeichert")
    history = page.locator("table.history")
    expect(history.locator("tbody tr").first).to_contain_text("personalamt")
    expect(history.locator("tbody tr").first).to_contain_text("Anzahl der Stellen: 0,5 → 0,75")
    expect(history.locator("tbody tr").first).to_contain_text("Ende: — → 31.12.2014")
    expect(history.locator("tbody tr").nth(1)).to_contain_text("angelegt")
    page.screenshot(path=str(output_dir / "hr-stelle-historie.png"), full_page=True)
    log_out(page)

    # the Kämmerei reads everything but finds no edit button
    log_in(page, base, "kaemmerei")
    nav(page).get_by_role("link", name="Stellen", exact=True).click()
    page.get_by_label("Suche").fill("Fördermittel")
    page.get_by_role("button", name="Filtern").click()
    expect(page.get_by_role("link", name="Neue Stelle")).to_have_count(0)
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("dl.fields")).to_contain_text("0,75")
    expect(page.get_by_role("link", name="Bearbeiten")).to_have_count(0)
    expect(page.get_by_role("link", name="Löschen")).to_have_count(0)
    response = page.goto(f"{base}/stellen/{position.pk}/bearbeiten/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Keine Berechtigung")
    page.close()


def test_it_fits_a_tablet_and_can_be_used_with_the_keyboard(
    browser, live_server, seed, role_users, output_dir
):
    base = live_server.url
    page = browser.new_page(viewport={"width": 768, "height": 1024}, locale="de-DE")
    log_in(page, base, "personalamt")
    page.goto(f"{base}/kosten/stellen/?year=2012")
    # the first Tab reaches the skip link, which leads to the content
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Zum Inhalt springen")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    assert page.evaluate("document.documentElement.lang") == "de"
    # the navigation folds into a menu button on a tablet
    menu = page.get_by_role("button", name="Menü")
    expect(menu).to_be_visible()
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_be_hidden()
    menu.click()
    expect(page.get_by_role("link", name="Organisation")).to_be_visible()
    # no horizontal scrolling of the page itself (wide tables scroll in their own box)
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 768
    page.screenshot(path=str(output_dir / "hr-stellenliste-tablet.png"), full_page=False)
    page.close()
