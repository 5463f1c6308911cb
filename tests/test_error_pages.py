"""German error pages in the app's layout (issue 13), as production (DEBUG=False) shows them,
and the Erklärung zur Barrierefreiheit linked from every page's footer."""

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import get_resolver, reverse

STATEMENT = "/barrierefreiheit/"


def assert_in_layout(html: str) -> None:
    assert '<html lang="de">' in html
    assert 'class="site-header"' in html
    assert '<main id="inhalt"' in html
    assert f'<a href="{STATEMENT}">Erklärung zur Barrierefreiheit</a>' in html
    assert "Not Found" not in html and "Server Error" not in html and "Forbidden" not in html


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_it_answers_an_unknown_address_with_a_german_404_page(client):
    response = client.get("/nicht-vorhanden")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Seite nicht gefunden</h1>" in html
    assert "Unter dieser Adresse gibt es keine Seite" in html
    assert_in_layout(html)


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_it_shows_a_logged_in_user_the_404_page_with_the_navigation(client, role_users):
    client.force_login(role_users["kaemmerei"])
    response = client.get("/kosten/stellen/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Seite nicht gefunden" in html
    assert 'aria-label="Hauptnavigation"' in html
    assert_in_layout(html)


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_it_refuses_a_form_of_another_role_with_a_german_403_page(client, role_users):
    client.force_login(role_users["kaemmerei"])
    response = client.get(reverse("positions:create"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Keine Berechtigung</h1>" in html
    assert "Ihre Rolle darf" in html
    assert_in_layout(html)


@override_settings(DEBUG=False)
def test_it_renders_the_500_page_in_german_without_database_or_context_processors():
    # no django_db mark: any database access fails this test (the error may be the database)
    handler = get_resolver().resolve_error_handler(500)
    request = RequestFactory().get("/kosten/")
    response = handler(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Fehler auf dem Server</h1>" in html
    assert "Bitte versuchen Sie es in einigen Minuten erneut" in html
    assert 'href="/static/css/app.css"' in html
    assert_in_layout(html)


@pytest.mark.django_db
@pytest.mark.urls("tests.error_urls")
@override_settings(DEBUG=False)
def test_it_answers_an_exception_in_a_view_with_the_german_500_page():
    client = Client(raise_request_exception=False)
    response = client.get("/kaputt/")
    assert response.status_code == 500
    assert "Fehler auf dem Server" in response.content.decode()


@pytest.mark.django_db
@override_settings(ACCESSIBILITY_CONTACT_EMAIL="barrieren@musterstadt.example")
def test_it_shows_the_accessibility_statement_to_everyone(client):
    response = client.get(STATEMENT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Erklärung zur Barrierefreiheit</h1>" in html
    for text in (
        "BITV 2.0",
        "L-BGG",
        "teilweise vereinbar",
        "Nicht barrierefreie Inhalte",
        "axe-core",
        "Selbstbewertung",
        "Schlichtungsverfahren",
        "Landes-Behindertenbeauftragte",
        'href="mailto:barrieren@musterstadt.example"',
    ):
        assert text in html, text
    assert client.post(STATEMENT).status_code == 405


@pytest.mark.django_db
def test_it_links_the_statement_from_the_footer_of_every_page(client, role_users):
    assert reverse("accessibility_statement") == STATEMENT
    link = f'<a href="{STATEMENT}">Erklärung zur Barrierefreiheit</a>'
    assert link in client.get(reverse("login")).content.decode()
    client.force_login(role_users["personalamt"])
    for name in ("costs:overview", "positions:list", "decisions:list", "changes:list"):
        assert link in client.get(reverse(name)).content.decode(), name
