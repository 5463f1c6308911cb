"""Adopting a Stellenplan as a job (issue 21): the page checks and starts the job, the job
renders the PDF/A outside any transaction and stores record and status all or nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from core import jobs
from core.models import Job
from stellenplan import adoption_jobs, plan_adoption
from stellenplan.models import Position, StaffingPlan
from tests.stellenplan.plan_fixtures import reference_plan
from tests.stellenplan.test_plan_document_output import explain_all

pytestmark = pytest.mark.usefixtures("seed")


@pytest.fixture
def personalamt(client, django_user_model):
    user = django_user_model.objects.create_user(username="pa")
    user.groups.add(Group.objects.get(name="Personalamt"))
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def plan():
    plan = reference_plan()
    explain_all(plan)
    plan.refresh_from_db()
    return plan


@pytest.fixture
def steps(monkeypatch):
    """The steps the adoption job reports, in order."""
    seen: list[str] = []
    report = adoption_jobs.report_progress

    def record(job, done, total, step=""):
        seen.append(step)
        report(job, done, total, step)

    monkeypatch.setattr(adoption_jobs, "report_progress", record)
    return seen


def post_adoption(client, plan):
    return client.post(
        reverse("plandoc:adopt", args=[plan.pk]),
        {"adopted_on": "15.12.2011", "grdrs": "900/2011", "version": plan.version},
    )


def test_it_adopts_through_a_job_that_links_the_plan(personalamt, plan, steps):
    response = post_adoption(personalamt, plan)
    job = Job.objects.get(kind=adoption_jobs.ADOPT)
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.SUCCEEDED and job.owner == personalamt.user
    assert steps == ["Dokument zusammenstellen", "PDF/A rendern", "Festhalten"]
    plan.refresh_from_db()
    assert (plan.status, plan.adopted_on, plan.grdrs) == (
        "beschlossen",
        date(2011, 12, 15),
        "900/2011",
    )
    record = plan.records.get()
    assert record.acting_user == personalamt.user
    assert {year["status"] for year in record.document["years"]} == {"beschlossen"}
    page = personalamt.get(response.url).content.decode()
    assert "ist beschlossen und festgehalten" in page
    assert f'href="{reverse("plandoc:detail", args=[plan.pk])}"' in page


def test_a_worker_killed_while_rendering_leaves_a_draft_and_a_restart_adopts(
    personalamt, plan, monkeypatch
):
    def killed(document, *, archive=False):
        raise RuntimeError("Worker beendet (Test)")

    monkeypatch.setattr(plan_adoption, "render_plan_pdf", killed)
    post_adoption(personalamt, plan)
    job = Job.objects.get(kind=adoption_jobs.ADOPT)
    assert (job.status, job.error) == (Job.Status.FAILED, jobs.INTERNAL_ERROR)
    plan.refresh_from_db()
    assert plan.status == "entwurf" and not plan.records.exists()

    monkeypatch.undo()
    job = jobs.job_restart(job_id=job.pk, acting_user=personalamt.user)
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2
    plan.refresh_from_db()
    assert plan.status == "beschlossen" and plan.records.count() == 1


def test_data_changed_while_rendering_is_rendered_again(personalamt, plan, monkeypatch):
    render = plan_adoption.render_plan_pdf
    calls = []

    def render_while_someone_edits(document, *, archive=False):
        calls.append(document)
        if len(calls) == 1:  # a position changes during the first rendering
            Position.objects.filter(pay_grade__code="A 14").update(fte=Decimal("0.5"))
        return render(document, archive=archive)

    monkeypatch.setattr(plan_adoption, "render_plan_pdf", render_while_someone_edits)
    post_adoption(personalamt, plan)
    assert Job.objects.get(kind=adoption_jobs.ADOPT).status == Job.Status.SUCCEEDED
    assert len(calls) == 2 and calls[0] != calls[1]
    record = plan.records.get()
    assert plan_adoption.PLAN_RECORD.read(record.document) == calls[1]


def test_a_finished_adoption_is_not_done_twice_and_a_second_one_is_refused(personalamt, plan):
    post_adoption(personalamt, plan)
    done = Job.objects.get(kind=adoption_jobs.ADOPT)
    # the task delivered again after the worker died past the commit: reported, not repeated
    again = jobs.start_job(adoption_jobs.ADOPT, personalamt.user, done.params)
    assert again.status == Job.Status.SUCCEEDED
    assert StaffingPlan.objects.get(pk=plan.pk).records.count() == 1
    other = jobs.start_job(
        adoption_jobs.ADOPT, personalamt.user, {**done.params, "adopted_on": "2011-12-20"}
    )
    assert other.status == Job.Status.FAILED and "ist schon beschlossen" in other.error
    # the page refuses at once
    response = post_adoption(personalamt, StaffingPlan.objects.get(pk=plan.pk))
    assert response.status_code == 302 and response.url == reverse("plandoc:detail", args=[plan.pk])
    assert StaffingPlan.objects.get(pk=plan.pk).records.count() == 1


def test_a_stale_version_is_refused_in_the_request(personalamt, plan):
    response = personalamt.post(
        reverse("plandoc:adopt", args=[plan.pk]),
        {"adopted_on": "15.12.2011", "version": plan.version + 1},
    )
    assert response.status_code == 409 and "inzwischen" in response.content.decode()
    assert not Job.objects.exists()


def test_an_adoption_under_way_is_shown_instead_of_starting_a_second(personalamt, plan):
    waiting = Job.objects.create(
        kind=adoption_jobs.ADOPT, owner=personalamt.user, params={"plan_id": plan.pk}
    )
    response = post_adoption(personalamt, plan)
    assert response.url == reverse("jobs:detail", args=[waiting.pk])
    assert Job.objects.count() == 1
    assert StaffingPlan.objects.get(pk=plan.pk).status == "entwurf"
