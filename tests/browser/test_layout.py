"""Layouts that use the width a screen has (issue 23), in Chromium with screenshots.

At 1280 and 1400 px the key column of each main table (the cost column of the positions
list and of the search, the Anlage's "Durchschnittl. jährl. … Aufwand", the last year of the
Finanzplanung) is inside the viewport and inside its table's box, and the page does not
scroll sideways; at 390 px no page scrolls sideways (a table may, in its own box). The
menu of every role is one line at 1280 px, with the search box in the header.
Screenshots: test-output/layout-<page>-<width>.png.
"""

import pytest
from playwright.sync_api import Page, expect

from decisions.models import Decision
from tests.conftest import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

WIDTHS = (1280, 1400)
PHONE = 390


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/anmelden/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Übersicht")


#: For a table and the text of its key column header: the header's right edge, the right
#: edge of the table and of the box it sits in (a .table-container that may scroll).
KEY_COLUMN = """([selector, header]) => {
  const tables = [...document.querySelectorAll(selector)];
  return tables.map(table => {
    const th = [...table.querySelectorAll('thead th')].find(h => h.textContent.includes(header));
    const box = table.closest('.table-container') || table.parentElement;
    return {
      th: th ? th.getBoundingClientRect().right : null,
      table: table.getBoundingClientRect().right,
      box: box.getBoundingClientRect().right,
    };
  });
}"""

PAGE_WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def check_page(page: Page, name: str, selector: str, header: str, output_dir) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")
        scroll_width, inner_width = page.evaluate(PAGE_WIDTH)
        assert scroll_width <= inner_width, (name, width, scroll_width)
        tables = page.evaluate(KEY_COLUMN, [selector, header])
        assert tables, (name, selector)
        for found in tables:
            assert found["th"] is not None, (name, header)
            assert found["th"] <= inner_width, (name, width, found)
            assert found["table"] <= found["box"] + 1, (name, width, found)  # not cut off
        page.screenshot(path=str(output_dir / f"layout-{name}-{width}.png"), full_page=False)
    page.set_viewport_size({"width": PHONE, "height": 844})
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")
    scroll_width, inner_width = page.evaluate(PAGE_WIDTH)
    assert scroll_width <= inner_width, (name, PHONE, scroll_width)
    page.screenshot(path=str(output_dir / f"layout-{name}-{PHONE}.png"), full_page=True)


def test_the_main_tables_show_their_key_columns_without_sideways_scrolling(
    browser, live_server, seed, role_users, output_dir
):
    base = live_server.url
    paper = Decision.objects.get(number="647/2011")
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de-DE")
    log_in(page, base, "admin")
    pages = [
        ("stellen", "/kosten/stellen/?year=2012", "table.data-table", "Jahreskosten 2012"),
        ("vorlage", f"/beschluesse/{paper.pk}/", "table.annex-table", "Durchschnittl. jährl."),
        ("vorlage-finanzen", f"/beschluesse/{paper.pk}/", "table.finance-table", "städtisch"),
        ("finanzplanung", "/kosten/finanzplanung/?year=2012", "table.projection", "2015"),
        ("suche", "/suche/?q=Jobcenter&year=2012", "table.data-table", "Jahreskosten 2012"),
    ]
    for name, url, selector, header in pages:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(base + url)
        check_page(page, name, selector, header, output_dir)
    # the paper's page uses the width: its Anlage is as wide as the content, not 960 px
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/beschluesse/{paper.pk}/")
    widths = page.evaluate(
        "() => [document.querySelector('table.annex-table').getBoundingClientRect().width,"
        " document.querySelector('main').clientWidth]"
    )
    assert widths[0] > 1100, widths
    page.close()


MENU_LINE = """() => {
  const items = [...document.querySelectorAll('#hauptnavigation .nav > li')];
  const search = document.querySelector('.header-search').getBoundingClientRect();
  const tops = items.map(li => li.getBoundingClientRect().top);
  const bottoms = items.map(li => li.getBoundingClientRect().bottom);
  const nav = document.getElementById('hauptnavigation').getBoundingClientRect();
  const line = parseFloat(getComputedStyle(document.querySelector('.nav a')).lineHeight);
  return {count: items.length, oneLine: Math.max(...tops) < Math.min(...bottoms), navHeight: nav.height, line,
          header: document.querySelector('.site-header').getBoundingClientRect().height,
          searchTop: search.top, searchBottom: search.bottom, navTop: nav.top,
          scroll: document.documentElement.scrollWidth};
}"""


def test_every_roles_menu_is_one_line_at_1280_px_with_the_search_box(
    browser, live_server, seed, role_users, output_dir
):
    base = live_server.url
    for role in ("personalamt", "kaemmerei", "sitzungsdienst", "admin"):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
        page = context.new_page()
        log_in(page, base, role)
        page.goto(f"{base}/kosten/stellen/?year=2012")
        menu = page.evaluate(MENU_LINE)
        assert menu["count"] >= 4, (role, menu)
        assert menu["oneLine"], (role, menu)  # every entry overlaps every other vertically
        assert menu["navHeight"] < 2 * menu["line"], (role, menu)
        assert menu["header"] < 80, (role, menu)  # the whole header is one row
        assert menu["searchTop"] < menu["navTop"] + menu["navHeight"], (role, menu)
        assert menu["scroll"] <= 1280, (role, menu)
        # "Mehr" opens without JavaScript help (details/summary) and with the keyboard
        summary = page.locator("#hauptnavigation summary")
        summary.focus()
        page.keyboard.press("Enter")
        expect(page.locator(".nav-more-panel")).to_be_visible()
        page.screenshot(path=str(output_dir / f"layout-menue-{role}-1280.png"))
        page.keyboard.press("Escape")  # closes it again, the focus back on "Mehr"
        expect(page.locator(".nav-more-panel")).to_be_hidden()
        expect(summary).to_be_focused()
        # the header search finds the Jobcenter's positions
        page.get_by_role("searchbox", name="Schnell finden").fill("Jobcenter")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=2, name="29 Jobcenter")).to_be_visible()
        context.close()
