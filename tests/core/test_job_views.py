"""Meine Aufträge (front/views/jobs.py): own jobs only, a progress page that refreshes itself
while the job runs, the result file for its owner only, restart of a failed job."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core import jobs
from core.models import Job
from tests.core.test_jobs import fail_at  # registers the test kinds

pytestmark = pytest.mark.django_db


@pytest.fixture
def eva(client, django_user_model):
    user = django_user_model.objects.create_user("eva")
    client.force_login(user)
    return user


def test_it_lists_only_my_jobs(client, eva, django_user_model):
    mine = jobs.start_job("test_count", eva, {"n": 10})
    other = jobs.start_job("test_count", django_user_model.objects.create_user("otto"), {"n": 10})
    page = client.get("/auftraege/").content.decode()
    assert f"/auftraege/{mine.pk}/" in page and "Zählen (Test)" in page
    assert f"/auftraege/{other.pk}/" not in page
    assert 'aria-current="page">Meine Aufträge' in page
    for url in (f"/auftraege/{other.pk}/", f"/auftraege/{other.pk}/ergebnis/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/auftraege/{other.pk}/neu-starten/").status_code == 404


def test_a_running_job_shows_progress_and_refreshes_itself(client, eva):
    job = Job.objects.create(
        kind="test_count",
        owner=eva,
        status=Job.Status.RUNNING,
        started_at=timezone.now() - timedelta(seconds=60),
        reported_at=timezone.now(),
    )
    jobs.report_progress(job, 3000, 12000, "Zeile 3.000 von 12.000 geprüft")
    page = client.get(f"/auftraege/{job.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress id="fortschritt" max="100" value="25">' in page
    assert "25 %" in page and "3.000 von 12.000" in page
    assert "Zeile 3.000 von 12.000 geprüft; noch etwa 3 Minuten." in page
    assert "Neu starten" not in page


def test_a_finished_job_offers_its_file_to_its_owner(client, eva, django_user_model):
    job = jobs.start_job("test_count", eva, {"n": 10})
    page = client.get(f"/auftraege/{job.pk}/").content.decode()
    assert "http-equiv" not in page
    assert "Der Auftrag ist fertig. 10 gezählt" in page
    response = client.get(f"/auftraege/{job.pk}/ergebnis/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    assert response.content == b"a;b\n1;2\n"
    client.force_login(django_user_model.objects.create_user("otto"))
    assert client.get(f"/auftraege/{job.pk}/ergebnis/").status_code == 404


def test_a_failed_job_shows_its_message_and_can_be_restarted(client, eva):
    fail_at["write"] = 1
    job = jobs.start_job("test_write", eva, {})
    page = client.get(f"/auftraege/{job.pk}/").content.decode()
    assert "es wurde nichts gespeichert" in page and "Neu starten" in page
    response = client.post(f"/auftraege/{job.pk}/neu-starten/", follow=True)
    assert "wurde neu gestartet" in response.content.decode()
    assert Job.objects.get(pk=job.pk).status == Job.Status.SUCCEEDED
    # a finished job is not started again
    response = client.post(f"/auftraege/{job.pk}/neu-starten/", follow=True)
    assert "kann nicht neu gestartet werden" in response.content.decode()


def test_a_silent_job_counts_as_stopped(client, eva):
    job = Job.objects.create(
        kind="test_count",
        owner=eva,
        status=Job.Status.RUNNING,
        started_at=timezone.now() - timedelta(hours=2),
        reported_at=timezone.now() - timedelta(hours=1),
    )
    page = client.get(f"/auftraege/{job.pk}/").content.decode()
    assert "vermutlich abgebrochen" in page and "Neu starten" in page
    assert "http-equiv" not in page
