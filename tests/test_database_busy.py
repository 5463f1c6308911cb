"""Red team (issue 21, finding 3): two import confirmations at once on SQLite.

A second writer that read first and then writes while another holds the database gets
"database is locked" from SQLite. The confirmation takes the write lock before it reads (so the
second waits and then finds the batch saved); anything still "locked" after the busy timeout is
a German page asking to try again (core.middleware.DatabaseBusyMiddleware), never a 500.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stellenplan.models import ImportBatch
from stellenplan.services import ImportBatchError, import_batch_lock
from tests.costing.excel_files import POSITION_HEADER, xlsx_bytes
from tests.costing.test_import_batch_views import batch_of, upload

pytestmark = pytest.mark.usefixtures("seed")


@pytest.fixture
def hr(client) -> User:
    user = User.objects.create_user("personalamt-busy")
    user.groups.add(Group.objects.get(name="Personalamt"))
    client.force_login(user)
    return user


def pending_batch(client) -> ImportBatch:
    return batch_of(upload(client, xlsx_bytes([POSITION_HEADER, ["20-4", "A 8", "SB busy", 1]])))


def test_a_busy_database_is_a_german_page_asking_to_try_again(client, hr, monkeypatch):
    batch = pending_batch(client)

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("front.views.excel.confirm_positions", locked)
    response = client.post(reverse("excel:import_batch_confirm", args=[batch.pk]))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "Bitte erneut versuchen" in page and "nicht gespeichert" in page
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.PENDING


def test_other_database_errors_stay_errors(client, hr, monkeypatch):
    batch = pending_batch(client)

    def broken(**kwargs):
        raise OperationalError("no such table: stellenplan_position")

    monkeypatch.setattr("front.views.excel.confirm_positions", broken)
    with pytest.raises(OperationalError):
        client.post(reverse("excel:import_batch_confirm", args=[batch.pk]))


def test_a_confirmation_takes_its_lock_before_it_reads(client, hr):
    """SQLite ignores FOR UPDATE: a write first makes the transaction the writer at once.
    PostgreSQL locks the batch's row with the read itself."""
    batch = pending_batch(client)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        import_batch_lock(batch_id=batch.pk, acting_user=hr)
    statements = [q["sql"].lstrip().upper() for q in queries.captured_queries]
    statements = [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE"))]
    if connection.vendor == "sqlite":
        assert statements[0].startswith("UPDATE"), statements[0]
    else:
        assert statements[0].startswith("SELECT"), statements[0]
        assert "FOR UPDATE" in statements[0], statements[0]


def test_the_second_of_two_confirmations_is_a_german_message(client, hr):
    batch = pending_batch(client)
    first = client.post(reverse("excel:import_batch_confirm", args=[batch.pk]), follow=True)
    assert "gespeichert" in first.content.decode()
    second = client.post(reverse("excel:import_batch_confirm", args=[batch.pk]), follow=True)
    assert second.status_code == 200
    assert "kann nicht noch einmal bestätigt werden" in second.content.decode()
    with pytest.raises(ImportBatchError):
        import_batch_lock(batch_id=batch.pk, acting_user=hr)
