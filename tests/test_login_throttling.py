"""django-axes locks out a user name after repeated failed logins from one address."""

import pytest
from django.urls import reverse

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
