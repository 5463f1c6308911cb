"""manage.py prune_jobs: finished jobs older than the kept days go, with their files; newer
ones and jobs still waiting or running stay."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.models import Job

pytestmark = pytest.mark.django_db


def job(status: str, days_ago: int | None, owner=None) -> Job:
    finished = timezone.now() - timedelta(days=days_ago) if days_ago is not None else None
    return Job.objects.create(
        kind="test_count",
        owner=owner,
        status=status,
        finished_at=finished,
        result_file=b"x" if status == "succeeded" else None,
        result_file_name="x.xlsx" if status == "succeeded" else "",
    )


def test_it_deletes_finished_jobs_older_than_the_kept_days(settings):
    settings.JOB_KEEP_DAYS = 30
    old_done, old_failed = job("succeeded", 31), job("failed", 40)
    kept = [job("succeeded", 29), job("failed", 1), job("queued", None), job("running", None)]
    out = StringIO()
    call_command("prune_jobs", stdout=out)
    assert "2 Aufträge gelöscht, die vor mehr als 30 Tagen endeten." in out.getvalue()
    assert set(Job.objects.values_list("pk", flat=True)) == {j.pk for j in kept}
    assert not Job.objects.filter(pk__in=[old_done.pk, old_failed.pk]).exists()

    call_command("prune_jobs", "--days", "0", stdout=out)
    assert set(Job.objects.values_list("status", flat=True)) == {"queued", "running"}


def test_it_refuses_negative_days():
    with pytest.raises(CommandError, match="nicht negativ"):
        call_command("prune_jobs", "--days", "-1")
