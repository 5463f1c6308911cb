"""The worker (issue 21): with the database backend a job waits in the queue until
`manage.py db_worker` takes it; run here once (--batch) in-process."""

import signal

import pytest
from django.core.management import call_command
from django.test import override_settings

from core import jobs
from core.models import Job
from tests.core.test_jobs import ran_jobs  # registers the test kinds

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def keep_signal_handlers():
    """The worker installs its own SIGINT/SIGTERM handlers: give pytest its own back."""
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_the_worker_runs_a_queued_job(django_user_model):
    job = jobs.start_job("test_count", django_user_model.objects.create_user("eva"), {"n": 20})
    assert job.status == Job.Status.QUEUED  # saved with its task, nothing run yet
    ran_jobs.clear()
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    job.refresh_from_db()
    assert ran_jobs == [job.pk]
    assert (job.status, job.done, job.total) == (Job.Status.SUCCEEDED, 20, 20)
    # the queue's record of the task says the same
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.get(id=job.task_result_id).status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_the_worker_writes_an_export_reporting_while_it_reads(seed, monkeypatch, django_user_model):
    """The progress is saved between chunks of the positions being read (autocommit, an open
    cursor: a server-side one on PostgreSQL), and the file is complete."""
    from io import BytesIO

    from openpyxl import load_workbook

    from costing import excel
    from front.export_jobs import start_cost_export

    monkeypatch.setattr(excel, "PROGRESS_EVERY", 5)
    reports: list[tuple[int, int, str]] = []
    report = jobs.report_progress

    def recording(job, done, total, step=""):
        report(job, done, total, step)
        reports.append((done, total, step))

    monkeypatch.setattr("front.export_jobs.report_progress", recording)
    job = start_cost_export(
        django_user_model.objects.create_user("eva"),
        years=[2012],
        scope="alle Stellen",
        file_name="Stellenplan_Kosten_2012.xlsx",
        selection={},
    )
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert "Blatt „Stellen“: 15 von 18 Stellen geschrieben" in [step for *_n, step in reports]
    book = load_workbook(BytesIO(bytes(job.result_file)))
    assert len(list(book["Stellen"].iter_rows(min_row=5, values_only=True))) == 18
