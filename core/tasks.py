"""The tasks of Stellenplan (Django's Tasks framework, ``settings.TASKS``): one, which runs a
job (core.jobs). What a job does is registered per kind by the app that does it."""

from __future__ import annotations

from django_tasks import task

from core import jobs


@task()
def run_job(job_id: int) -> None:
    jobs.execute(job_id)
