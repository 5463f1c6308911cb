"""Jobs: long work of one person, run as a task outside the request (issue 21).

A page calls ``start_job(kind, acting_user, params)``: it saves a ``core.Job`` and enqueues the
one task ``core.tasks.run_job`` for it in the same transaction (Django's Tasks framework,
``settings.TASKS``; with the database backend the worker sees the job once the request's
transaction is committed). The worker calls ``execute(job_id)``, which claims the job and
runs the function registered for its kind (``register_job_kind``); the function reports
``report_progress(job, done, total, step)`` now and then and returns a ``JobOutcome`` (what the
job page shows, maybe a file for its owner) or raises ``JobFailed`` with a German message.

Rules for a job function:
- All or nothing: what it writes, it writes in one transaction, so a failure, a killed worker
  or a lost database connection leaves the data as before; running it again must then do the
  whole work (``job_restart``), and running it twice must not do it twice.
- ``report_progress`` only outside its writing transaction: inside it the update would be
  invisible to the page until the commit (and on SQLite would wait for that transaction).

Heartbeat: on PostgreSQL, while a job's function runs, a thread with its own database
connection sets the job's ``reported_at`` every ``JOB_HEARTBEAT_SECONDS`` (30), so a job whose
worker is alive never looks stale (``is_stale``), even in a long writing transaction without
progress. A killed worker's job stops beating and becomes stale after ``JOB_STALE_MINUTES``.
The price: a job that hangs in a live worker stays "running" (the worker's log tells). On
SQLite there is no heartbeat (its one writer would make the beat wait for the job's
transaction); SQLite is for one machine, and ``JOB_STALE_MINUTES`` should be large there.

The kinds are registered by the apps that do the work (an app's ``ready()`` imports its job
module), so core knows none of them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.models import Job
from core.users import User

logger = logging.getLogger(__name__)

INTERNAL_ERROR = (
    "Der Auftrag ist wegen eines internen Fehlers abgebrochen; es wurde nichts gespeichert. "
    "Bitte neu starten; tritt der Fehler wieder auf, bitte die Administration verständigen."
)


class JobFailed(Exception):
    """The job cannot be done; the message (German) is shown to its owner. Raised by a job
    function after it has written nothing (or rolled back what it wrote)."""


class JobError(Exception):
    """A job cannot be started or restarted (German message for the page)."""


@dataclass
class JobOutcome:
    """What a finished job shows: ``result`` (JSON for the job page) and maybe a file."""

    result: dict[str, Any] = field(default_factory=dict)
    file: bytes | None = None
    file_name: str = ""
    content_type: str = "application/octet-stream"


JobFunction = Callable[[Job], JobOutcome]


@dataclass(frozen=True)
class JobKind:
    kind: str
    label: str
    function: JobFunction


_KINDS: dict[str, JobKind] = {}


def register_job_kind(kind: str, label: str) -> Callable[[JobFunction], JobFunction]:
    """Decorator: ``function(job) -> JobOutcome`` does the jobs of ``kind`` (label: German)."""

    def register(function: JobFunction) -> JobFunction:
        existing = _KINDS.get(kind)
        if existing is not None and existing.function is not function:
            raise ValueError(f"Job kind {kind!r} is registered twice")
        _KINDS[kind] = JobKind(kind, label, function)
        return function

    return register


def job_label(kind: str) -> str:
    registered = _KINDS.get(kind)
    return registered.label if registered else kind


# --- writes ---------------------------------------------------------------------------------


def start_job(
    kind: str, acting_user: User | None, params: dict[str, Any], *, input_file: bytes | None = None
) -> Job:
    """Save a job of `kind` for `acting_user` (with the file it works on, if any) and hand it
    to the task queue.

    The job and its task are saved in one transaction (database backend). With a backend that
    runs tasks at once (the tests), the job is finished when this returns; the returned job is
    read again either way.
    """
    if kind not in _KINDS:
        raise JobError(f"Unbekannte Auftragsart „{kind}“.")
    with transaction.atomic():
        job = Job.objects.create(kind=kind, owner=acting_user, params=params, input_file=input_file)
        _enqueue(job)
    job.refresh_from_db()
    return job


def start_or_join_job(kind: str, acting_user: User | None, params: dict[str, Any]) -> Job:
    """Like ``start_job``, but an identical job of `acting_user` that is still waiting or
    running is returned instead of a second one (a download link clicked twice, a reload)."""
    running = unfinished_job(kind, acting_user, params)
    return running if running is not None else start_job(kind, acting_user, params)


def _enqueue(job: Job) -> None:
    from core.tasks import run_job  # the task module imports this one

    task_result = run_job.enqueue(job.pk)
    # The immediate backend has run the job already; keep what it saved.
    Job.objects.filter(pk=job.pk).update(task_result_id=str(task_result.id))


def job_restart(*, job_id: int, acting_user: User | None) -> Job:
    """Start a failed job again, or one whose worker stopped reporting (killed, restarted):
    what it had written was rolled back with its transaction, so it starts from the beginning.
    Only the owner may (JobError otherwise, as for a job that is running or done)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if acting_user is None or job.owner_id != acting_user.pk:
            raise JobError("Nur wer den Auftrag erteilt hat, kann ihn neu starten.")
        if not (job.status == Job.Status.FAILED or is_stale(job)):
            raise JobError(
                f"Auftrag {job.pk} {job.get_status_display()} und kann nicht neu gestartet werden."
            )
        job.status = Job.Status.QUEUED
        job.done = job.total = 0
        job.step = ""
        job.error = ""
        job.started_at = job.reported_at = job.finished_at = None
        job.save(
            update_fields=[
                "status",
                "done",
                "total",
                "step",
                "error",
                "started_at",
                "reported_at",
                "finished_at",
            ]
        )
        _enqueue(job)
    job.refresh_from_db()
    return job


def report_progress(job: Job, done: int, total: int, step: str = "") -> None:
    """Show `done` of `total` and the step on the job page (one UPDATE; call it every few
    hundred rows, outside the job's writing transaction)."""
    total = max(total, 0)
    done = min(max(done, 0), total)
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(done=done, total=total, step=step[:200], reported_at=now)
    job.done, job.total, job.step, job.reported_at = done, total, step[:200], now


def execute(job_id: int) -> None:
    """Run a job (called by the task): claim it, run its kind's function, record the outcome.

    A job that is not waiting (done, or taken by another worker) is left alone, so a task
    delivered twice does the work once. An unexpected error is recorded with a German
    message and raised again, so that the queue records its traceback too.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Job.Status.QUEUED:
            return
        now = timezone.now()
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = job.reported_at = now
        job.step = "Auftrag begonnen"
        job.save(update_fields=["status", "attempts", "started_at", "reported_at", "step"])
    registered = _KINDS.get(job.kind)
    try:
        if registered is None:
            raise JobFailed(f"Unbekannte Auftragsart „{job.kind}“.")
        with heartbeat(job):
            outcome = registered.function(job)
    except JobFailed as failed:
        _finish(job, error=str(failed))
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _finish(job, error=INTERNAL_ERROR)
        raise
    else:
        _finish(job, outcome=outcome)


def heartbeat_enabled() -> bool:
    """Whether running jobs beat (PostgreSQL and ``JOB_HEARTBEAT_SECONDS`` > 0)."""
    return connection.vendor == "postgresql" and float(settings.JOB_HEARTBEAT_SECONDS) > 0


@contextmanager
def heartbeat(job: Job) -> Iterator[None]:
    """While the block runs, set the job's ``reported_at`` every ``JOB_HEARTBEAT_SECONDS`` from
    a thread with its own connection (committed at once, whatever transaction the block is in).
    Only this attempt of the job while it is running: a restarted or finished job is left
    alone. No-op unless ``heartbeat_enabled()``."""
    if not heartbeat_enabled():
        yield
        return
    interval = float(settings.JOB_HEARTBEAT_SECONDS)
    stop = threading.Event()
    beating = threading.Thread(
        target=_beat, args=(job.pk, job.attempts, interval, stop), name=f"job-{job.pk}-heartbeat"
    )
    beating.daemon = True
    beating.start()
    try:
        yield
    finally:
        stop.set()
        beating.join(timeout=interval + 10)


def _beat(job_id: int, attempt: int, interval: float, stop: threading.Event) -> None:
    try:
        while not stop.wait(interval):
            try:
                Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, attempts=attempt).update(
                    reported_at=timezone.now()
                )
            except DatabaseError:  # a lost connection: try again with a new one next time
                logger.warning("Heartbeat of job %s failed", job_id, exc_info=True)
                connections.close_all()
    finally:
        connections.close_all()  # this thread's connections only


def _finish(job: Job, *, outcome: JobOutcome | None = None, error: str = "") -> None:
    job.finished_at = job.reported_at = timezone.now()
    if outcome is None:
        job.status = Job.Status.FAILED
        job.error = error or INTERNAL_ERROR
        job.step = "fehlgeschlagen"
    else:
        job.status = Job.Status.SUCCEEDED
        job.done = job.total
        job.step = "fertig"
        job.result = outcome.result
        if outcome.file is not None:
            job.result_file = outcome.file
            job.result_file_name = outcome.file_name
            job.result_content_type = outcome.content_type
    job.save(
        update_fields=[
            "status",
            "done",
            "step",
            "error",
            "result",
            "result_file",
            "result_file_name",
            "result_content_type",
            "finished_at",
            "reported_at",
        ]
    )


def prune_jobs(*, older_than_days: int, now: Any = None) -> int:
    """Delete the finished jobs (done or failed) that ended more than `older_than_days` ago,
    with their files; return how many. Waiting and running jobs stay, however old."""
    if older_than_days < 0:
        raise JobError("Die Zahl der Tage darf nicht negativ sein.")
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    deleted, _by_model = Job.objects.filter(
        status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED], finished_at__lt=cutoff
    ).delete()
    return deleted


# --- reads ----------------------------------------------------------------------------------


def jobs_of(user: User) -> QuerySet[Job]:
    """The user's jobs, newest first (without the files)."""
    return Job.objects.filter(owner=user).defer("result_file", "input_file", "params", "result")


def job_of(user: User, job_id: int) -> Job | None:
    """The job if `user` owns it (nobody else sees it, not even that it exists)."""
    return Job.objects.filter(owner=user, pk=job_id).defer("result_file", "input_file").first()


def job_file(user: User, job_id: int) -> Job | None:
    """The finished job with its file, for its owner only."""
    return (
        Job.objects.filter(owner=user, pk=job_id, status=Job.Status.SUCCEEDED)
        .exclude(result_file_name="")
        .first()
    )


def unfinished_job(kind: str, owner: User | None, params: dict[str, Any]) -> Job | None:
    """The owner's job of `kind` with exactly these `params` that is waiting or running (not
    one whose worker has gone silent: that one may be restarted, not joined)."""
    if owner is None:
        return None
    candidates = Job.objects.filter(
        kind=kind, owner=owner, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    ).defer("result_file", "input_file")
    # compared in Python: JSON equality differs between the databases (key order on SQLite)
    return next((job for job in candidates if job.params == params and not is_stale(job)), None)


def job_under_way(kind: str, param: str, value: Any) -> Job | None:
    """Anyone's job of `kind` whose ``params[param]`` is `value` and that is waiting or
    running (e.g. the adoption of one plan: one at a time, whoever started it)."""
    return (
        Job.objects.filter(
            kind=kind,
            **{f"params__{param}": value},
            status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
        )
        .defer("input_file", "result_file")
        .first()
    )


def is_stale(job: Job, now: Any = None) -> bool:
    """Running, but its worker has not reported for ``JOB_STALE_MINUTES`` (on PostgreSQL the
    heartbeat reports while the worker lives, see the module's notes)."""
    if job.status != Job.Status.RUNNING or job.reported_at is None:
        return False
    now = now or timezone.now()
    return bool(now - job.reported_at > timedelta(minutes=int(settings.JOB_STALE_MINUTES)))


def percent(job: Job) -> int:
    if job.status == Job.Status.SUCCEEDED:
        return 100
    return job.done * 100 // job.total if job.total else 0


def remaining(job: Job, now: Any = None) -> timedelta | None:
    """Estimated time left: the time per item so far times the items left."""
    if job.status != Job.Status.RUNNING or not job.started_at or not job.done or not job.total:
        return None
    now = now or timezone.now()
    elapsed = now - job.started_at
    return elapsed / job.done * (job.total - job.done)
