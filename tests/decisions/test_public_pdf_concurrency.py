"""Simultaneous first requests for a paper's PDF wait for one rendering (decisions/public_pdf.py).

Several threads, each with its own database connection, ask for the PDF of the same new version
at once; the rendering is slowed down so that they all arrive while it runs. PostgreSQL runs them
truly in parallel: the row lock of the part makes the others wait and then serve what the first
stored. SQLite's in-memory test database answers a second writer with "table is locked" instead
of waiting as a database file does, so there the threads take turns through a lock (as in
tests/test_concurrency.py); the later ones must still find the stored PDF, not render again.
"""

from __future__ import annotations

import contextlib
import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client

from decisions import public_pdf as service
from decisions.models import Decision, PublicRendering
from tests.oparl.conftest import PREFIX

THREADS = 4


def run_at_once(work, count: int = THREADS) -> list:
    barrier = threading.Barrier(count)
    results: list = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    one_writer = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def thread() -> None:
        try:
            barrier.wait(timeout=30)
            with one_writer:
                result = work()
            with lock:
                results.append(result)
        except BaseException as error:  # noqa: BLE001 - reported to the main thread
            with lock:
                failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=thread) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures
    assert len(results) == count
    return results


@pytest.fixture
def slow_renders(monkeypatch) -> list[int]:
    calls: list[int] = []
    original = service.render_pdf

    def slow(html: str, **options):
        calls.append(threading.get_ident())
        time.sleep(0.5)  # long enough for every other thread to arrive meanwhile
        return original(html, **options)

    monkeypatch.setattr(service, "render_pdf", slow)
    return calls


@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_requests_render_once(seed, slow_renders):
    reference = Decision.objects.get(number="647/2011")
    stored = run_at_once(lambda: service.public_pdf(reference).pdf_sha256)
    assert len(slow_renders) == 1
    assert len(set(stored)) == 1
    assert PublicRendering.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_anonymous_downloads_render_once(seed, slow_renders, settings):
    reference = Decision.objects.get(number="647/2011")
    service.public_pdf(reference)
    Decision.objects.filter(pk=reference.pk).update(title="Eine neue Fassung")  # a new version
    url = f"{PREFIX}file/vorlage/{reference.pk}/pdf"

    def download() -> tuple[int, str]:
        response = Client().get(url)
        return response.status_code, response["ETag"]

    answers = run_at_once(download)
    assert len(slow_renders) == 2  # the first version above, the new one once
    assert {status for status, _ in answers} == {200}
    assert len({etag for _, etag in answers}) == 1
    assert b"Eine neue Fassung" in bytes(PublicRendering.objects.get().pdf)
