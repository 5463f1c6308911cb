"""core.jobs: a job runs its kind's function as a task, reports progress, keeps its result or a
German error, writes all or nothing, and can be restarted (issue 21). Tasks run at once here
(the immediate backend, tests/conftest.py); tests/core/test_jobs_worker.py runs the worker."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core import jobs
from core.models import DataVersion, Job
from tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db

ran_jobs: list[int] = []
fail_at: dict[str, int] = {}


@jobs.register_job_kind("test_count", "Zählen (Test)")
def count(job: Job) -> jobs.JobOutcome:
    ran_jobs.append(job.pk)
    total = int(job.params["n"])
    for done in range(0, total + 1, 10):
        jobs.report_progress(job, done, total, f"Zeile {done}")
    return jobs.JobOutcome(
        result={"message": f"{total} gezählt"},
        file=b"a;b\n1;2\n",
        file_name="Zählung.csv",
        content_type="text/csv",
    )


@jobs.register_job_kind("test_write", "Schreiben (Test)")
def write(job: Job) -> jobs.JobOutcome:
    """Writes two org units in one transaction; fails between them while fail_at says so."""
    with transaction.atomic():
        OrgUnitFactory(code="JOB-1")
        if fail_at.get("write"):
            fail_at["write"] -= 1
            raise RuntimeError("Verbindung verloren (Test)")
        OrgUnitFactory(code="JOB-2")
    return jobs.JobOutcome(result={"message": "zwei angelegt"})


@jobs.register_job_kind("test_refuse", "Ablehnen (Test)")
def refuse(job: Job) -> jobs.JobOutcome:
    raise jobs.JobFailed("Die Datei hat keine Zeilen.")


def test_it_runs_a_job_and_keeps_its_result(django_user_model):
    user = django_user_model.objects.create_user("eva")
    job = jobs.start_job("test_count", user, {"n": 40})
    assert job.status == Job.Status.SUCCEEDED
    assert (job.done, job.total, job.step) == (40, 40, "fertig")
    assert job.result == {"message": "40 gezählt"}
    assert bytes(job.result_file) == b"a;b\n1;2\n"
    assert job.task_result_id
    assert job.attempts == 1 and job.started_at and job.finished_at
    assert jobs.percent(job) == 100


def test_it_reports_progress(django_user_model):
    job = Job.objects.create(
        kind="test_count",
        owner=None,
        status=Job.Status.RUNNING,
        started_at=timezone.now() - timedelta(seconds=30),
    )
    jobs.report_progress(job, 250, 1000, "Zeile 250 von 1.000 geprüft")
    job.refresh_from_db()
    assert (job.done, job.total, job.step) == (250, 1000, "Zeile 250 von 1.000 geprüft")
    assert jobs.percent(job) == 25
    left = jobs.remaining(job)
    assert timedelta(seconds=85) < left < timedelta(seconds=95)  # 30 s for a quarter


def test_it_records_a_german_message_and_saves_nothing(django_user_model):
    user = django_user_model.objects.create_user("eva")
    fail_at["write"] = 1
    job = jobs.start_job("test_write", user, {})
    assert job.status == Job.Status.FAILED
    assert job.error == jobs.INTERNAL_ERROR
    assert "nichts gespeichert" in job.error
    from departments.models import OrgUnit

    assert not OrgUnit.objects.filter(code__startswith="JOB-").exists()

    # the owner starts it again: the whole work is done, once
    job = jobs.job_restart(job_id=job.pk, acting_user=user)
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2
    assert OrgUnit.objects.filter(code__startswith="JOB-").count() == 2


def test_it_shows_the_message_of_a_refused_job(django_user_model):
    job = jobs.start_job("test_refuse", django_user_model.objects.create_user("eva"), {})
    assert (job.status, job.error) == (Job.Status.FAILED, "Die Datei hat keine Zeilen.")


def test_it_runs_a_job_once_when_its_task_comes_twice(django_user_model):
    job = jobs.start_job("test_count", django_user_model.objects.create_user("eva"), {"n": 10})
    ran_jobs.clear()
    jobs.execute(job.pk)
    assert ran_jobs == []


def test_only_the_owner_restarts_and_only_a_failed_or_stale_job(django_user_model):
    eva = django_user_model.objects.create_user("eva")
    other = django_user_model.objects.create_user("otto")
    job = jobs.start_job("test_refuse", eva, {})
    with pytest.raises(jobs.JobError, match="Nur wer den Auftrag erteilt hat"):
        jobs.job_restart(job_id=job.pk, acting_user=other)
    done = jobs.start_job("test_count", eva, {"n": 10})
    with pytest.raises(jobs.JobError, match="kann nicht neu gestartet werden"):
        jobs.job_restart(job_id=done.pk, acting_user=eva)
    # a running job whose worker went silent (killed) may be started again
    Job.objects.filter(pk=done.pk).update(
        status=Job.Status.RUNNING, reported_at=timezone.now() - timedelta(hours=1)
    )
    done.refresh_from_db()
    assert jobs.is_stale(done)
    assert jobs.job_restart(job_id=done.pk, acting_user=eva).status == Job.Status.SUCCEEDED


def test_an_unknown_kind_is_refused():
    with pytest.raises(jobs.JobError, match="Unbekannte Auftragsart"):
        jobs.start_job("gibt_es_nicht", None, {})


def test_a_job_does_not_change_the_data_version(django_user_model):
    token = DataVersion.objects.get().token
    jobs.start_job("test_count", django_user_model.objects.create_user("eva"), {"n": 10})
    assert DataVersion.objects.get().token == token
