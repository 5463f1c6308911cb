"""A restarted confirmation beside the live one (issue 21), on PostgreSQL with two
connections: the live run holds the batch's lock and has written every position; the
restarted run of the same job checks the file, then waits for that lock, finds the batch
saved and succeeds as saved. No row is saved twice."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from core import jobs
from core.models import Job
from stellenplan import import_jobs, imports
from stellenplan.models import ImportBatch, Position
from tests.stellenplan.test_import_jobs import (  # noqa: F401  (fixtures of that module)
    ROWS,
    low_threshold,
    personalamt,
    upload,
)

pytestmark = pytest.mark.usefixtures("seed")


def waiting_for_a_lock(pid: int, seconds: float = 20) -> bool:
    """Whether the backend `pid` comes to wait for a lock within `seconds`."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [pid])
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_restart_beside_the_live_save_waits_for_its_lock_and_saves_nothing_twice(
    client,
    personalamt,  # noqa: F811  (the fixture of test_import_jobs.py)
    monkeypatch,
):
    if connection.vendor != "postgresql":
        pytest.skip("two connections at once: PostgreSQL")
    batch_id = upload(client, ROWS).result["import_batch_id"]
    before = Position.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        restart_pid = cursor.fetchone()[0]
    # the live attempt: running, but silent for longer than JOB_STALE_MINUTES
    silent = timezone.now() - timedelta(minutes=11)
    job = Job.objects.create(
        kind=import_jobs.CONFIRM,
        owner=personalamt,
        params={"batch_id": batch_id},
        status=Job.Status.RUNNING,
        attempts=1,
        started_at=silent,
        reported_at=silent,
    )
    assert jobs.is_stale(job)

    written = threading.Event()
    live: dict[str, object] = {}
    mark_applied = imports.import_batch_mark_applied

    def hold_the_lock_until_the_restart_waits(**kwargs):
        if threading.current_thread().name == "live-save":
            written.set()  # every position written, the batch locked, nothing committed
            live["restart_waited"] = waiting_for_a_lock(restart_pid)
        return mark_applied(**kwargs)

    monkeypatch.setattr(imports, "import_batch_mark_applied", hold_the_lock_until_the_restart_waits)

    def live_save() -> None:
        try:
            live["confirmation"] = imports.confirm_positions(
                batch_id=batch_id, acting_user=personalamt
            )
        except BaseException as error:  # noqa: BLE001 - reported to the main thread
            live["error"] = error
            written.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=live_save, name="live-save")
    thread.start()
    assert written.wait(30)
    restarted = jobs.job_restart(job_id=job.pk, acting_user=personalamt)  # runs here, at once
    thread.join(timeout=60)
    assert "error" not in live, live.get("error")
    assert live["restart_waited"] is True  # the restart really met the live transaction
    assert live["confirmation"].applied
    assert (restarted.status, restarted.attempts, restarted.error) == ("succeeded", 2, "")
    assert restarted.result["already_saved"] is True
    assert f"Import {batch_id} ist gespeichert" in restarted.result["message"]
    assert Position.objects.count() == before + 6
    batch = ImportBatch.objects.get(pk=batch_id)
    assert (batch.status, batch.created, batch.items.count()) == ("applied", 6, 6)
