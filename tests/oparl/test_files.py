"""OParl files: stored once per version, answered with validators, never rendered per request;
anonymous clients are rate-limited (front/oparl/views.py, core/ratelimit.py)."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client

import core.ratelimit
from decisions import public_pdf as service
from decisions.models import Decision
from decisions.services import decision_change_status
from tests.factories import council_decided
from tests.oparl.conftest import PREFIX


@pytest.fixture
def api() -> Client:
    return Client()  # anonymous


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    calls: list[str] = []
    original = service.render_pdf

    def counting(html: str, **options):
        calls.append("gerendert")
        return original(html, **options)

    monkeypatch.setattr(service, "render_pdf", counting)
    return calls


@pytest.fixture
def reference(seed) -> Decision:
    return Decision.objects.get(number="647/2011")


def pdf_url(decision: Decision) -> str:
    return f"{PREFIX}file/vorlage/{decision.pk}/pdf"


def annex_url(decision: Decision) -> str:
    return f"{PREFIX}file/anlage/{decision.annexes.get(generated=True).pk}/pdf"


# --- rendered once per version ----------------------------------------------------------------


def test_it_renders_a_paper_once_per_version(reference, api, renders):
    first = api.get(pdf_url(reference))
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    for _ in range(3):
        again = api.get(pdf_url(reference))
        assert again.content == first.content
    download = api.get(f"{PREFIX}file/vorlage/{reference.pk}/download")
    assert download.content == first.content
    assert download["Content-Disposition"].startswith("attachment; filename=")
    assert len(renders) == 1
    Decision.objects.filter(pk=reference.pk).update(title="Geänderter Betreff")
    changed = api.get(pdf_url(reference))
    assert changed.content != first.content
    assert changed["ETag"] != first["ETag"]
    api.get(pdf_url(reference))
    assert len(renders) == 2


def test_it_renders_an_annex_once_per_version(reference, api, renders):
    first = api.get(annex_url(reference))
    assert first.status_code == 200
    assert api.get(annex_url(reference)).content == first.content
    assert len(renders) == 1
    assert first["ETag"] == f'"{hashlib.sha256(first.content).hexdigest()}"'


# --- validators, 304, HEAD --------------------------------------------------------------------


def test_a_file_carries_a_strong_etag_and_answers_conditional_requests(reference, api, renders):
    response = api.get(pdf_url(reference))
    etag = response["ETag"]
    assert etag == f'"{hashlib.sha256(response.content).hexdigest()}"'
    assert response["Last-Modified"]
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", "max-age=300"}
    assert response["Access-Control-Allow-Origin"] == "*"

    same = api.get(pdf_url(reference), HTTP_IF_NONE_MATCH=etag)
    assert same.status_code == 304
    assert same.content == b""
    assert same["ETag"] == etag
    assert same["Access-Control-Allow-Origin"] == "*"
    assert api.get(pdf_url(reference), HTTP_IF_NONE_MATCH='"anders"').status_code == 200
    since = api.get(pdf_url(reference), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert since.status_code == 304
    assert len(renders) == 1

    # a change: the old ETag no longer matches
    Decision.objects.filter(pk=reference.pk).update(title="Neu")
    assert api.get(pdf_url(reference), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_head_answers_without_body_and_without_rendering_again(reference, api, renders):
    head = api.head(pdf_url(reference))
    assert head.status_code == 200
    assert head.content == b""
    full = api.get(pdf_url(reference))
    assert head["Content-Length"] == str(len(full.content))
    assert head["ETag"] == full["ETag"]
    assert api.head(pdf_url(reference), HTTP_IF_NONE_MATCH=full["ETag"]).status_code == 304
    assert len(renders) == 1


def test_an_adopted_papers_files_are_kept_long(reference, api, renders, django_user_model):
    user = django_user_model.objects.create_user("beschluss")
    council_decided(reference, on=date(2011, 10, 6))
    decision_change_status(
        decision=reference,
        status=Decision.Status.ADOPTED,
        acting_user=user,
        expected_version=reference.version,
        on=date(2011, 10, 6),
    )
    record = reference.adopted_records.get()
    renders.clear()  # the adoption printed its record
    for url in (pdf_url(reference), f"{PREFIX}file/beschluss/{record.pk}/pdf"):
        response = api.get(url)
        assert response.content == bytes(record.pdf)
        assert response["ETag"] == f'"{record.pdf_sha256}"'
        assert "max-age=86400" in response["Cache-Control"]
        assert api.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert renders == []  # served as stored
    annex = api.get(annex_url(reference))
    assert "max-age=86400" in annex["Cache-Control"]
    api.get(annex_url(reference))
    assert len(renders) == 1  # the Anlage from the frozen document, once


# --- rate limits ------------------------------------------------------------------------------


@pytest.fixture
def limits(settings, monkeypatch):
    """Small limits, an empty cache and a clock 20 s into a minute."""
    settings.OPARL_RATE_LIMIT_PER_MINUTE = 5
    settings.OPARL_FILE_RATE_LIMIT_PER_MINUTE = 2
    cache.clear()
    now = [60.0 * 29_000_000 + 20]
    monkeypatch.setattr(core.ratelimit, "clock", lambda: now[0])
    yield now
    cache.clear()


def test_anonymous_requests_beyond_the_limit_answer_429(db, api, limits):
    for _ in range(5):
        assert api.get(PREFIX).status_code == 200
    response = api.get(PREFIX)
    assert response.status_code == 429
    assert response["Retry-After"] == "40"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body["type"] == "https://schema.oparl.org/1.1/Error"
    assert "Zu viele Anfragen" in body["message"]
    limits[0] += 40  # the next minute
    assert api.get(PREFIX).status_code == 200


def test_files_have_their_own_lower_limit(reference, api, limits):
    assert api.get(pdf_url(reference)).status_code == 200
    assert api.head(pdf_url(reference)).status_code == 200
    limited = api.get(pdf_url(reference))
    assert limited.status_code == 429
    assert limited["Retry-After"] == "40"
    assert limited["Content-Type"].startswith("application/json")
    assert api.get(PREFIX).status_code == 200  # the JSON objects count apart


def test_signed_in_users_are_not_limited(db, api, limits, django_user_model):
    api.force_login(django_user_model.objects.create_user("sitzung"))
    for _ in range(10):
        assert api.get(PREFIX).status_code == 200


def test_behind_the_proxy_each_client_address_counts_apart(db, api, limits, settings):
    settings.REVERSE_PROXY_COUNT = 1
    for _ in range(5):
        assert api.get(PREFIX, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 200
    assert api.get(PREFIX, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    # what the client writes itself in front does not make it someone else
    spoofed = api.get(PREFIX, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5")
    assert spoofed.status_code == 429
    assert api.get(PREFIX, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200
