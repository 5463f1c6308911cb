"""Adopting a paper as a job (issue 21): the status form checks and starts the job, the job
renders the record's PDF/A outside any transaction and stores status change and record all or
nothing."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from core import jobs
from core.models import Job
from decisions import adoption_jobs, services
from decisions.models import AdoptedRecord, Decision, StatusChange
from stellenplan.models import Position


def status_post(decision: Decision, **changes) -> dict:
    data = {
        "status": "beschlossen",
        "date": "06.10.2011",
        "comment": "GR",
        "confirm": "on",
        "version": Decision.objects.get(pk=decision.pk).version,
    }
    return {**data, **changes}


@pytest.fixture
def steps(monkeypatch) -> list[str]:
    seen: list[str] = []
    report = adoption_jobs.report_progress

    def record(job, done, total, step=""):
        seen.append(step)
        report(job, done, total, step)

    monkeypatch.setattr(adoption_jobs, "report_progress", record)
    return seen


def adopt_job() -> Job:
    return Job.objects.get(kind=adoption_jobs.ADOPT)


def test_it_adopts_through_a_job_that_links_the_paper(sitzungsdienst, reference, decided, steps):
    url = reverse("decisions:status", args=[reference.pk])
    response = sitzungsdienst.post(url, status_post(reference))
    job = adopt_job()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.SUCCEEDED
    assert steps == ["Dokument zusammenstellen", "PDF/A rendern", "Festhalten"]
    record = AdoptedRecord.objects.get(decision=reference)
    assert record.acting_user == sitzungsdienst.user
    assert record.status_change.comment == "GR"
    assert record.pdf_sha256 == hashlib.sha256(bytes(record.pdf)).hexdigest()
    page = sitzungsdienst.get(response.url).content.decode()
    assert "Status geändert: beschlossen am 06.10.2011." in page
    assert f'href="{reverse("decisions:detail", args=[reference.pk])}"' in page


def test_what_the_request_can_check_is_refused_at_once(sitzungsdienst, reference):
    url = reverse("decisions:status", args=[reference.pk])
    html = sitzungsdienst.post(
        url, status_post(reference, date="18.09.2011"), follow=True
    ).content.decode()
    assert "Status nicht geändert – " in html and "liegt vor dem Datum" in html
    stale = status_post(reference, version=Decision.objects.get(pk=reference.pk).version + 1)
    html = sitzungsdienst.post(url, stale, follow=True).content.decode()
    assert "Status nicht geändert – Die Beschlussvorlage wurde inzwischen" in html
    assert not Job.objects.exists()
    assert Decision.objects.get(pk=reference.pk).status == Decision.Status.SUBMITTED


def test_a_worker_killed_while_rendering_leaves_it_eingebracht_and_a_restart_adopts(
    sitzungsdienst, reference, decided, monkeypatch
):
    def killed(html, **options):
        raise RuntimeError("Worker beendet (Test)")

    monkeypatch.setattr(services, "render_pdf", killed)
    changes_before = StatusChange.objects.filter(decision=reference).count()
    sitzungsdienst.post(reverse("decisions:status", args=[reference.pk]), status_post(reference))
    job = adopt_job()
    assert (job.status, job.error) == (Job.Status.FAILED, jobs.INTERNAL_ERROR)
    assert Decision.objects.get(pk=reference.pk).status == Decision.Status.SUBMITTED
    assert StatusChange.objects.filter(decision=reference).count() == changes_before
    assert not AdoptedRecord.objects.filter(decision=reference).exists()

    monkeypatch.undo()
    job = jobs.job_restart(job_id=job.pk, acting_user=sitzungsdienst.user)
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2
    assert Decision.objects.get(pk=reference.pk).status == Decision.Status.ADOPTED
    assert AdoptedRecord.objects.filter(decision=reference).count() == 1
    # delivered again after the commit: reported, not adopted twice
    again = jobs.start_job(adoption_jobs.ADOPT, sitzungsdienst.user, job.params)
    assert again.status == Job.Status.SUCCEEDED
    assert AdoptedRecord.objects.filter(decision=reference).count() == 1
    later = jobs.start_job(adoption_jobs.ADOPT, None, {**job.params, "on": "2011-10-07"})
    assert later.status == Job.Status.FAILED and "ist schon beschlossen" in later.error


def test_a_paper_changed_while_rendering_is_rendered_again(
    sitzungsdienst, reference, decided, monkeypatch
):
    render = services.render_pdf
    rendered: list[str] = []
    position = Position.objects.filter(decision_links__decision=reference).first()

    def render_while_someone_edits(html, **options):
        rendered.append(html)
        if len(rendered) == 1:  # a linked position is renamed during the first rendering
            Position.objects.filter(pk=position.pk).update(title="Umbenannte Stelle")
        return render(html, **options)

    monkeypatch.setattr(services, "render_pdf", render_while_someone_edits)
    sitzungsdienst.post(reverse("decisions:status", args=[reference.pk]), status_post(reference))
    assert adopt_job().status == Job.Status.SUCCEEDED
    assert len(rendered) == 2
    assert "Umbenannte Stelle" not in rendered[0] and "Umbenannte Stelle" in rendered[1]
    record = AdoptedRecord.objects.get(decision=reference)
    assert b"Umbenannte Stelle" in bytes(record.pdf)
