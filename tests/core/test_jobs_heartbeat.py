"""The heartbeat (issue 21): on PostgreSQL a running job's worker sets its "letzte Meldung"
from a thread with its own connection, so a live job in a long step without progress (a
writing transaction) never looks stale and is not offered for a restart. SQLite has none (its
one writer would make the beat wait for the job's transaction)."""

import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core import jobs
from core.models import Job


@jobs.register_job_kind("test_silent", "Lange ohne Meldung (Test)")
def silent(job: Job) -> jobs.JobOutcome:
    """A long step without progress inside a transaction: its last report is an hour old; it
    waits (at most params["wait"] seconds) until the job no longer looks stale."""
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(reported_at=an_hour_ago)
    deadline = time.monotonic() + float(job.params["wait"])
    with transaction.atomic():
        stale_at_first = jobs.is_stale(Job.objects.get(pk=job.pk))
        while time.monotonic() < deadline:
            if not jobs.is_stale(Job.objects.get(pk=job.pk)):
                return jobs.JobOutcome(result={"stale_at_first": stale_at_first, "alive": True})
            time.sleep(0.02)
    return jobs.JobOutcome(result={"stale_at_first": stale_at_first, "alive": False})


@pytest.mark.django_db(transaction=True)
def test_a_live_job_beats_and_is_never_stale_on_postgresql(django_user_model, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the heartbeat runs on PostgreSQL only")
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    assert jobs.heartbeat_enabled()
    # as the worker runs it: the job committed, then executed (the immediate backend of the
    # tests would run it inside start_job's transaction, unseen by the beat's connection)
    job = Job.objects.create(
        kind="test_silent", owner=django_user_model.objects.create_user("eva"), params={"wait": 10}
    )
    jobs.execute(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result == {"stale_at_first": True, "alive": True}
    # the beat ends with the job: a finished job keeps the time it finished
    time.sleep(0.3)
    job.refresh_from_db()
    assert job.reported_at == job.finished_at


@pytest.mark.django_db(transaction=True)
def test_the_beat_touches_only_its_own_running_attempt(django_user_model, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the heartbeat runs on PostgreSQL only")
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    owner = django_user_model.objects.create_user("eva")
    old = timezone.now() - timedelta(hours=1)
    job = Job.objects.create(
        kind="test_silent", owner=owner, status=Job.Status.RUNNING, attempts=2, reported_at=old
    )
    earlier_attempt = Job(pk=job.pk, attempts=1)
    with jobs.heartbeat(earlier_attempt):
        time.sleep(0.3)
    job.refresh_from_db()
    assert job.reported_at == old  # a restarted job is not kept alive by the old attempt
    with jobs.heartbeat(job):
        time.sleep(0.3)
    job.refresh_from_db()
    assert job.reported_at > old


@pytest.mark.django_db
def test_sqlite_has_no_heartbeat(django_user_model, settings):
    if connection.vendor != "sqlite":
        pytest.skip("about SQLite")
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    assert not jobs.heartbeat_enabled()
    job = jobs.start_job("test_silent", django_user_model.objects.create_user("eva"), {"wait": 0.5})
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result == {"stale_at_first": True, "alive": False}
