"""The Stellenplan document's PDF and Excel as jobs (issue 21): for a plan of many positions
(at least ``settings.PLAN_TASK_MIN_POSITIONS``, counted by ``plan_size``) the worker writes the
file and its owner downloads it from the job page; smaller plans are still written within the
request (front/views/plan_document.py decides). An adopted plan's stored PDF is always served
as stored, never by a job.

The job writes the file the request would write (the same document, the same writer), saves
nothing else, and keeps the file only when it is complete: a failure leaves no file.
"""

from __future__ import annotations

import tempfile

from django.conf import settings

from core.jobs import JobFailed, JobOutcome, register_job_kind, report_progress
from core.models import Job
from core.xlsx import XLSX_CONTENT_TYPE
from stellenplan.models import StaffingPlan
from stellenplan.plan_document import document_for_output, plan_size
from stellenplan.plan_excel import plan_xlsx_filename, write_plan_workbook
from stellenplan.plan_pdf import plan_pdf_filename, render_plan_pdf

PDF = "plan_pdf"
EXCEL = "plan_excel"


def is_large_plan(plan: StaffingPlan) -> bool:
    """Whether the plan's PDF and Excel are written by a job."""
    return plan_size(plan) >= int(settings.PLAN_TASK_MIN_POSITIONS)


def _plan(job: Job) -> StaffingPlan:
    plan = StaffingPlan.objects.filter(pk=int(job.params["plan_id"])).first()
    if plan is None:
        raise JobFailed("Diesen Stellenplan gibt es nicht mehr; es wurde keine Datei erstellt.")
    return plan


def _progress(job: Job):
    def progress(done: int, total: int, step: str) -> None:
        report_progress(job, done, total, step)

    return progress


@register_job_kind(PDF, "Stellenplan als PDF")
def plan_pdf_job(job: Job) -> JobOutcome:
    plan = _plan(job)
    report_progress(job, 0, 100, "Stellenplan zusammenstellen")
    document = document_for_output(plan)
    content = render_plan_pdf(document, progress=_progress(job))
    name = plan_pdf_filename(document.label)
    return JobOutcome(
        result={"message": f"Das PDF „{name}“ ist fertig."},
        file=content,
        file_name=name,
        content_type="application/pdf",
    )


@register_job_kind(EXCEL, "Stellenplan als Excel-Datei")
def plan_excel_job(job: Job) -> JobOutcome:
    plan = _plan(job)
    report_progress(job, 0, 1, "Stellenplan zusammenstellen")
    document = document_for_output(plan)
    with tempfile.TemporaryFile() as handle:
        write_plan_workbook(handle, document, progress=_progress(job))
        handle.seek(0)
        content = handle.read()
    name = plan_xlsx_filename(document)
    return JobOutcome(
        result={"message": f"Die Arbeitsmappe „{name}“ ist fertig."},
        file=content,
        file_name=name,
        content_type=XLSX_CONTENT_TYPE,
    )
