"""Meine Aufträge (issue 21): the long jobs of the signed-in person, each with a page that shows
its progress (refreshing itself, no JavaScript needed), its result or its German error, and
the download of its file. Everything here belongs to its owner only: another person's job is
404, as if it did not exist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from core import jobs
from core.formatting import duration_de
from core.models import Job
from core.users import request_user
from core.xlsx import ImportIssue

MAX_JOBS_SHOWN = 100

#: Keys of a job's result that name an object with a page of its own: (URL name, link text).
RESULT_LINKS: dict[str, tuple[str, str]] = {
    "import_batch_id": ("excel:import_batch", "Zum Import"),
    "plan_id": ("plandoc:detail", "Zum Stellenplan"),
    "decision_id": ("decisions:detail", "Zur Beschlussvorlage"),
}


def _job_or_404(request: HttpRequest, pk: int) -> Job:
    job = jobs.job_of(request_user(request), pk)
    if job is None:
        raise Http404("Diesen Auftrag gibt es nicht.")
    return job


@require_GET
@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    own = list(jobs.jobs_of(request_user(request))[:MAX_JOBS_SHOWN])
    rows = [
        {"job": job, "label": jobs.job_label(job.kind), "percent": jobs.percent(job)} for job in own
    ]
    running = any(not job.is_finished for job in own)
    return render(request, "jobs/job_list.html", {"rows": rows, "refresh": running})


@require_GET
@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    left = jobs.remaining(job)
    links = [
        (reverse(name, args=[job.result[key]]), text)
        for key, (name, text) in RESULT_LINKS.items()
        if isinstance(job.result.get(key), int)
    ]
    issues = [ImportIssue(**item) for item in job.result.get("issues", [])]
    issue_count = int(job.result.get("issue_count", len(issues)))
    stale = jobs.is_stale(job)
    context = {
        "job": job,
        "label": jobs.job_label(job.kind),
        "percent": jobs.percent(job),
        "remaining": duration_de(left) if left is not None else "",
        "refresh": not job.is_finished and not stale,
        "stale": stale,
        "may_restart": job.status == Job.Status.FAILED or stale,
        "links": links,
        "message": job.result.get("message", ""),
        "issues": issues,
        "issue_count": issue_count,
        "issues_hidden": max(0, issue_count - len(issues)),
        "failure": job.result.get("failure", ""),
    }
    return render(request, "jobs/job_detail.html", context)


@require_GET
@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = jobs.job_file(request_user(request), pk)
    if job is None or job.result_file is None:
        raise Http404("Dieser Auftrag hat (noch) keine Datei.")
    response = HttpResponse(bytes(job.result_file), content_type=job.result_content_type)
    response["Content-Disposition"] = (
        content_disposition_header(True, job.result_file_name) or "attachment"
    )
    return response


@login_required
@require_POST
def job_restart(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    try:
        jobs.job_restart(job_id=job.pk, acting_user=request_user(request))
    except jobs.JobError as error:
        messages.error(request, str(error))
    else:
        messages.info(request, f"Auftrag {job.pk} wurde neu gestartet.")
    return redirect("jobs:detail", pk=job.pk)
