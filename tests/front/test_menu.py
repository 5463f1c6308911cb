"""The main menu (issue 23): per role from the data in front/menu.py, the role's pages on the
bar (one line at 1280 px: at most MAX_ON_BAR), the rest under "Mehr"; only what the role
may use."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from front.menu import MAX_ON_BAR, MENU, MenuEntry, menu_for

pytestmark = pytest.mark.django_db


def bar_and_more(html: str) -> tuple[list[str], list[str]]:
    nav = html.split('id="hauptnavigation"', 1)[1].split("</nav>", 1)[0]
    bar_part, _, more_part = nav.partition('class="nav-more-item"')
    links = r"<a href=\"[^\"]*\"[^>]*>([^<]+)</a>"
    return re.findall(links, bar_part), re.findall(links, more_part)


@pytest.mark.parametrize(
    ("role", "bar"),
    [
        ("personalamt", ["Übersicht", "Stellen", "Organisation", "Stellenplan", "Personalbedarf"]),
        ("kaemmerei", ["Übersicht", "Stellen", "Organisation", "Kostensätze", "Finanzplanung"]),
        ("sitzungsdienst", ["Übersicht", "Stellen", "Organisation", "Beschlussvorlagen"]),
        ("admin", ["Übersicht", "Stellen", "Organisation", "Beschlussvorlagen", "Stellenplan"]),
    ],
)
def test_each_role_finds_its_pages_on_the_bar_and_the_rest_under_mehr(
    client, role_users, role, bar
):
    client.force_login(role_users[role])
    shown_bar, more = bar_and_more(client.get(reverse("costs:overview")).content.decode())
    assert shown_bar == bar
    assert len(shown_bar) <= MAX_ON_BAR
    # every page everyone may read is reachable from the menu, once
    for page in ["Beschlussvorlagen", "Finanzplanung", "Änderungsprotokoll", "Meine Aufträge"]:
        assert [*shown_bar, *more].count(page) == 1, (role, page)


def test_only_the_personalamt_finds_the_deleted_positions_and_its_tasks(client, role_users):
    for role, allowed in [
        ("personalamt", True),
        ("kaemmerei", False),
        ("sitzungsdienst", False),
        ("admin", True),
    ]:
        client.force_login(role_users[role])
        _, more = bar_and_more(client.get(reverse("costs:overview")).content.decode())
        for task in ["Gelöschte Stellen", "Neue Stelle", "Stellen importieren"]:
            assert (task in more) is allowed, (role, task)
    client.force_login(role_users["sitzungsdienst"])
    _, more = bar_and_more(client.get(reverse("costs:overview")).content.decode())
    assert "Neue Beschlussvorlage" in more
    assert "Kostentabelle importieren" not in more and "Verwaltung" not in more


def test_the_current_page_is_marked_also_under_mehr(client, role_users):
    client.force_login(role_users["sitzungsdienst"])
    html = client.get(reverse("changes:list")).content.decode()
    assert f'<a href="{reverse("changes:list")}" aria-current="page">Änderungsprotokoll' in html
    assert '<summary class="is-current">Mehr' in html
    html = client.get(reverse("positions:list")).content.decode()
    assert f'<a href="{reverse("positions:list")}" aria-current="page">Stellen</a>' in html


def test_a_new_entry_is_one_line_of_data(role_users):
    """What the council engineer will do for "Sitzungen": one MenuEntry."""
    entries = (*MENU, MenuEntry("Sitzungen", "jobs:list", bar_for=("sitzungsdienst",)))
    clerk = menu_for(role_users["sitzungsdienst"], None, entries)
    assert [link.label for link in clerk.bar][-1] == "Sitzungen"
    treasury = menu_for(role_users["kaemmerei"], None, entries)
    assert "Sitzungen" in [link.label for group in treasury.more for link in group.links]


def test_every_page_links_the_favicon_and_it_exists(client, role_users):
    client.force_login(role_users["kaemmerei"])
    html = client.get(reverse("costs:overview")).content.decode()
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert icons
    for href in icons:
        assert finders.find(href.removeprefix("/static/")), href
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert finders.find(response["Location"].removeprefix("/static/"))
    assert client.get("/anmelden/").content.decode().count('rel="icon"') == 1
