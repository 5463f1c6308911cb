"""django-axes locks out a user name after repeated failed logins from one address."""

import pytest
from django.urls import reverse

from core.client_ip import client_ip

PASSWORD = "Richtiges-Passwort-2011"


@pytest.fixture
def user(db, django_user_model):
    return django_user_model.objects.create_user("personal1", password=PASSWORD)


def attempt(client, password: str):
    return client.post(reverse("login"), {"username": "personal1", "password": password})


def test_it_logs_in_with_the_right_password(client, user):
    response = attempt(client, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_it_locks_out_after_five_failures_with_a_german_page(client, user):
    for _ in range(4):
        response = attempt(client, "falsch")
        assert response.status_code == 200
    response = attempt(client, "falsch")
    assert response.status_code == 429
    # Even the right password is refused during the lockout.
    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Anmeldung vorübergehend gesperrt" in text
    assert "15 Minuten" in text
    assert "_auth_user_id" not in client.session


def test_it_counts_admin_logins_too(client, user):
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "personal1", "password": "falsch"})
    response = client.post(url, {"username": "personal1", "password": PASSWORD})
    assert response.status_code == 429


def test_it_resets_the_count_after_a_successful_login(client, user):
    for _ in range(4):
        attempt(client, "falsch")
    assert attempt(client, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert attempt(client, "falsch").status_code == 200
    assert attempt(client, PASSWORD).status_code == 302


def test_it_still_lets_tests_log_in_without_a_request(client, user):
    assert client.login(username="personal1", password=PASSWORD)
    assert not client.login(username="personal1", password="falsch")


@pytest.mark.parametrize("page", ["login", "admin:login"])
def test_it_refuses_a_very_long_user_name_without_a_500(client, user, page):
    # The login forms do not limit the name; axes records at most 255 characters of it
    # (PostgreSQL refused the longer value before).
    name = "personal1" + "x" * 500
    for _ in range(5):
        response = client.post(reverse(page), {"username": name, "password": "falsch"})
    assert response.status_code == 429
    assert attempt(client, PASSWORD).status_code == 302  # a different name: not locked out


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "remote", "expected"),
    [
        (0, "198.51.100.7", "192.0.2.1", "192.0.2.1"),  # no proxy: the header is the client's
        (1, "198.51.100.7", "127.0.0.1", "198.51.100.7"),
        (1, "203.0.113.9, 198.51.100.7", "127.0.0.1", "198.51.100.7"),
        (1, '"x, 198.51.100.7', "127.0.0.1", "198.51.100.7"),  # quotes mean nothing
        (1, "198.51.100.7, unknown", "127.0.0.1", "127.0.0.1"),  # not written by nginx
        (1, "2001:DB8::7", "::1", "2001:db8::7"),
        (2, "203.0.113.9, 198.51.100.7, 10.0.0.2", "10.0.0.3", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.3", "10.0.0.3"),  # fewer entries than proxies
        (1, "", "127.0.0.1", "127.0.0.1"),
    ],
)
def test_the_client_address_is_counted_from_the_right(
    rf, settings, proxies, forwarded_for, remote, expected
):
    settings.REVERSE_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected
