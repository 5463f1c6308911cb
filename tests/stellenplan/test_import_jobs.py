"""Large position imports run as jobs (issue 21): the check and the confirmation leave the
request, report progress, save all or nothing, and a job that failed mid-import (worker
killed, connection lost: here an exception injected into the save) left the data as before
and completes when started again. The threshold is lowered to a few rows for the test."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import Job
from stellenplan import import_jobs, imports
from stellenplan.models import ImportBatch, Position
from tests.costing.excel_files import POSITION_HEADER, xlsx_bytes
from tests.factories import PositionFactory

pytestmark = pytest.mark.usefixtures("seed")

POSITIONS = reverse("excel:import_positions")
ROWS = [["20-4", "A 8", f"Sachbearbeitung {n}", "0,5"] for n in range(1, 7)]


@pytest.fixture(autouse=True)
def low_threshold(settings):
    settings.IMPORT_TASK_MIN_ROWS = 5


@pytest.fixture
def personalamt(client) -> User:
    user = User.objects.create_user("nutzer-personalamt")
    user.groups.add(Group.objects.get(name="Personalamt"))
    client.force_login(user)
    return user


def upload(client, rows) -> Job:
    data = SimpleUploadedFile("gross.xlsx", xlsx_bytes([POSITION_HEADER, *rows]))
    response = client.post(POSITIONS, {"file": data, "default_start": "01.01.2013"})
    assert response.status_code == 302
    assert response["Location"].startswith("/auftraege/")
    return Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_a_large_file_is_checked_by_a_job(client, personalamt):
    before = Position.objects.count()
    job = upload(client, ROWS)
    assert (job.kind, job.status, job.owner) == (
        "positions_import_preview",
        "succeeded",
        personalamt,
    )
    assert (job.done, job.total) == (6, 6)
    batch = ImportBatch.objects.get(pk=job.result["import_batch_id"])
    assert batch.status == "pending" and batch.created_by == personalamt
    assert Position.objects.count() == before
    page = client.get(f"/auftraege/{job.pk}/").content.decode()
    assert "6 Stellen neu" in page
    assert reverse("excel:import_batch", args=[batch.pk]) in page


def test_refused_rows_of_a_large_file_are_listed_on_the_job_page(client, personalamt):
    job = upload(client, [*ROWS, ["XX", "A 8", "SB", "1,5"]])
    assert job.status == "succeeded" and "import_batch_id" not in job.result
    page = client.get(f"/auftraege/{job.pk}/").content.decode()
    assert "1 Zeilen abgelehnt; es wurde nichts gespeichert." in page
    assert "unbekannte Org.einheit" in page


def test_a_small_file_is_still_checked_in_the_request(client, personalamt):
    data = SimpleUploadedFile("klein.xlsx", xlsx_bytes([POSITION_HEADER, *ROWS[:2]]))
    response = client.post(POSITIONS, {"file": data, "default_start": "01.01.2013"})
    assert response["Location"].startswith("/kosten/importe/")
    assert not Job.objects.exists()


def test_a_confirmation_that_fails_mid_import_saves_nothing_and_completes_when_restarted(
    client, personalamt, monkeypatch
):
    batch_id = upload(client, ROWS).result["import_batch_id"]
    before = Position.objects.count()
    mark_applied = imports.import_batch_mark_applied
    failures = [RuntimeError("Verbindung zur Datenbank verloren (Test)")]

    def fail_once(**kwargs):
        # every position is written by now, inside the import's transaction
        assert Position.objects.count() == before + 6
        if failures:
            raise failures.pop()
        return mark_applied(**kwargs)

    monkeypatch.setattr(imports, "import_batch_mark_applied", fail_once)
    response = client.post(
        reverse("excel:import_batch_confirm", args=[batch_id]), {"bestaetigen": ""}
    )
    job = Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert (job.kind, job.status) == ("positions_import_confirm", "failed")
    assert "es wurde nichts gespeichert" in job.error
    assert Position.objects.count() == before
    assert ImportBatch.objects.get(pk=batch_id).status == "pending"
    assert not ImportBatch.objects.get(pk=batch_id).items.exists()

    response = client.post(f"/auftraege/{job.pk}/neu-starten/", follow=True)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("succeeded", 2)
    assert Position.objects.count() == before + 6
    assert ImportBatch.objects.get(pk=batch_id).status == "applied"
    assert "Import" in response.content.decode() and "gespeichert" in job.result["message"]


def test_a_confirmation_saved_before_its_worker_stopped_is_not_saved_twice(client, personalamt):
    from core.jobs import start_job

    batch_id = upload(client, ROWS).result["import_batch_id"]
    before = Position.objects.count()
    client.post(reverse("excel:import_batch_confirm", args=[batch_id]), {"bestaetigen": ""})
    assert Position.objects.count() == before + 6
    # the same confirmation again (a worker that died after the commit, a second click)
    again = start_job("positions_import_confirm", personalamt, {"batch_id": batch_id})
    assert again.status == "succeeded"
    assert Position.objects.count() == before + 6


def confirm_job_of(client, batch_id: int) -> Job:
    response = client.post(
        reverse("excel:import_batch_confirm", args=[batch_id]), {"bestaetigen": ""}
    )
    return Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


@pytest.fixture
def recorded(monkeypatch) -> list[str]:
    """What the confirmation does, in order: its progress steps and when it locks the batch
    (the start of its writing transaction)."""
    events: list[str] = []
    report = import_jobs.report_progress
    lock = imports.import_batch_lock

    def recording_report(job, done, total, step=""):
        report(job, done, total, step)
        events.append(step)

    def recording_lock(**kwargs):
        events.append("lock")
        return lock(**kwargs)

    monkeypatch.setattr(imports, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(import_jobs, "report_progress", recording_report)
    monkeypatch.setattr(imports, "import_batch_lock", recording_lock)
    return events


def test_the_save_reports_its_check_row_by_row_before_the_writing_transaction(
    client, personalamt, recorded, monkeypatch
):
    batch_id = upload(client, ROWS).result["import_batch_id"]
    recorded.clear()  # the reports of the check that made the preview
    plans = []
    plan = imports.plan_positions
    monkeypatch.setattr(imports, "plan_positions", lambda *a, **k: plans.append(1) or plan(*a, **k))
    job = confirm_job_of(client, batch_id)
    assert job.status == "succeeded", job.error
    # every report is committed at once: all of them come before the lock, the step of the
    # write last
    assert recorded == [
        "Datei neu prüfen",
        "Zeile 0 von 6 gelesen",
        "Zeile 2 von 6 gelesen",
        "Zeile 4 von 6 gelesen",
        "Zeilen gegen die vorhandenen Stellen prüfen",
        "Speichern …",
        "lock",
    ]
    assert len(plans) == 1  # the data did not change: the file is not checked a second time
    assert ImportBatch.objects.get(pk=batch_id).items.count() == 6


def test_a_write_during_the_check_makes_the_save_check_again_under_the_lock(
    client, personalamt, recorded, monkeypatch
):
    batch_id = upload(client, ROWS).result["import_batch_id"]
    before = Position.objects.count()
    plans = []
    plan = imports.plan_positions
    monkeypatch.setattr(imports, "plan_positions", lambda *a, **k: plans.append(1) or plan(*a, **k))
    report = import_jobs.report_progress

    def someone_saves_meanwhile(job, done, total, step=""):
        report(job, done, total, step)
        if step == "Speichern …":  # after the check, before the lock: another user saves
            PositionFactory(title="Inzwischen angelegt")

    monkeypatch.setattr(import_jobs, "report_progress", someone_saves_meanwhile)
    job = confirm_job_of(client, batch_id)
    assert job.status == "succeeded", job.error
    assert len(plans) == 2  # the data version changed: checked again inside the transaction
    assert Position.objects.count() == before + 7
    assert ImportBatch.objects.get(pk=batch_id).status == "applied"


def test_a_restart_after_the_first_run_saved_finds_it_saved_and_saves_nothing_twice(
    client, personalamt
):
    batch_id = upload(client, ROWS).result["import_batch_id"]
    before = Position.objects.count()
    job = confirm_job_of(client, batch_id)
    assert job.status == "succeeded" and Position.objects.count() == before + 6
    # its worker died after the commit, before it could say so: the page offers a restart
    silent = timezone.now() - timedelta(minutes=settings.JOB_STALE_MINUTES + 1)
    Job.objects.filter(pk=job.pk).update(status="running", reported_at=silent, finished_at=None)
    response = client.post(f"/auftraege/{job.pk}/neu-starten/", follow=True)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == ("succeeded", 2, "")
    assert job.result["already_saved"] is True
    assert f"Import {batch_id} ist gespeichert: 6 Stellen neu" in job.result["message"]
    assert f"Import {batch_id} ist gespeichert" in response.content.decode()
    assert Position.objects.count() == before + 6
    assert ImportBatch.objects.get(pk=batch_id).items.count() == 6


def test_a_run_that_finds_the_batch_saved_by_another_run_during_its_check_succeeds_as_saved(
    client, personalamt, monkeypatch
):
    """Two runs of one confirmation (a restart beside a live job): the other one saves while
    this one checks; this one then locks the batch, finds it saved and saves nothing."""
    batch_id = upload(client, ROWS).result["import_batch_id"]
    before = Position.objects.count()
    report = import_jobs.report_progress
    other_runs: list[imports.Confirmation] = []

    def other_run_saves_meanwhile(job, done, total, step=""):
        report(job, done, total, step)
        if step == "Speichern …" and not other_runs:
            other_runs.append(imports.confirm_positions(batch_id=batch_id, acting_user=personalamt))

    monkeypatch.setattr(import_jobs, "report_progress", other_run_saves_meanwhile)
    job = confirm_job_of(client, batch_id)
    assert other_runs[0].applied
    assert (job.status, job.error) == ("succeeded", "")
    assert job.result["already_saved"] is True
    assert Position.objects.count() == before + 6
    assert ImportBatch.objects.get(pk=batch_id).items.count() == 6
