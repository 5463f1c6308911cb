"""The position import as jobs (issue 21): a large file is checked and saved by the worker,
not in the request (core.jobs). Small files still finish within the request
(front/views/excel.py decides by ``settings.IMPORT_TASK_MIN_ROWS``).

Both jobs keep the import's rules: the check saves nothing but the pending batch; the
confirmation checks the file again outside any transaction (with progress on the job page),
then saves all or nothing in one short transaction (``confirm_positions``, step „Speichern …“),
so a worker that is killed or loses its database connection mid-way leaves the data as
before, and starting the job again does the whole import. A job whose import was saved already
(the worker died after the commit, or a restarted run beside a live one: the batch's lock
makes the second wait) finds the batch saved and reports that, without saving it twice.
"""

from __future__ import annotations

import io
from datetime import date

from django.conf import settings

from core.concurrency import ConcurrentEditError
from core.jobs import JobFailed, JobOutcome, register_job_kind, report_progress
from core.models import Job
from core.xlsx import ImportFailed, has_rows
from stellenplan.imports import SHEET_POSITIONS, confirm_positions, issues_json, preview_positions
from stellenplan.models import ImportBatch
from stellenplan.services import ImportBatchError, PositionsRefused

PREVIEW = "positions_import_preview"
CONFIRM = "positions_import_confirm"
#: Issues a job keeps for its page (the count is always complete).
MAX_ISSUES_KEPT = 500


def is_large_file(content: bytes) -> bool:
    """Whether a file of positions is checked by a job (at least IMPORT_TASK_MIN_ROWS rows)."""
    minimum = int(settings.IMPORT_TASK_MIN_ROWS)
    return has_rows(io.BytesIO(content), minimum + 1, preferred_sheet=SHEET_POSITIONS)


def is_large_batch(batch: ImportBatch) -> bool:
    counts = (batch.preview or {}).get("counts", {})
    rows = sum(int(counts.get(name, 0)) for name in ("created", "updated", "unchanged"))
    return rows >= int(settings.IMPORT_TASK_MIN_ROWS)


@register_job_kind(PREVIEW, "Stellenimport prüfen")
def preview_job(job: Job) -> JobOutcome:
    content = bytes(job.input_file or b"")

    def progress(done: int, total: int, step: str) -> None:
        report_progress(job, done, total, step)

    try:
        plan, batch = preview_positions(
            content,
            file_name=job.params["file_name"],
            default_start=date.fromisoformat(job.params["default_start"]),
            acting_user=job.owner,
            progress=progress,
        )
    except ImportFailed as failed:
        raise JobFailed(f"{failed} Es wurde nichts gespeichert.") from None
    if batch is None:
        refused = len({issue.row for issue in plan.issues})
        return JobOutcome(
            result={
                "message": f"{refused} Zeilen abgelehnt; es wurde nichts gespeichert.",
                "failure": str(ImportFailed(plan.issues)),
                "issues": issues_json(plan.issues[:MAX_ISSUES_KEPT]),
                "issue_count": len(plan.issues),
            }
        )
    return JobOutcome(
        result={
            "import_batch_id": batch.pk,
            "message": (
                f"Datei geprüft: {len(plan.new)} Stellen neu, {len(plan.updates)} geändert, "
                f"{len(plan.unchanged)} unverändert. Bitte die Vorschau prüfen und bestätigen."
            ),
        }
    )


def _already_saved(batch_id: int) -> JobOutcome | None:
    """The outcome of a confirmation whose batch is saved already (by an earlier attempt whose
    worker stopped before it could say so, or by a run beside this one), else None."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status != ImportBatch.Status.APPLIED:
        return None
    return JobOutcome(
        result={
            "import_batch_id": batch.pk,
            "message": (
                f"Import {batch.pk} ist gespeichert: {batch.created} Stellen neu, "
                f"{batch.updated} geändert, {batch.unchanged} unverändert übersprungen."
            ),
            "applied": True,
            "already_saved": True,
        }
    )


@register_job_kind(CONFIRM, "Stellenimport speichern")
def confirm_job(job: Job) -> JobOutcome:
    """Check the file again with progress (outside any transaction), then save it in one short
    transaction, shown as the step ``SAVING_STEP`` (``confirm_positions``). A second run of the
    same confirmation, after or beside the first (a restart), waits for the batch's lock and
    finds it saved: success, nothing saved twice."""
    batch_id = int(job.params["batch_id"])
    saved = _already_saved(batch_id)
    if saved is not None:
        return saved
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    rows = 0
    if batch is not None:
        counts = (batch.preview or {}).get("counts", {})
        rows = sum(int(counts.get(name, 0)) for name in ("created", "updated", "unchanged"))
    report_progress(job, 0, rows, "Datei neu prüfen")

    def progress(done: int, total: int, step: str) -> None:
        report_progress(job, done, total, step)

    try:
        confirmation = confirm_positions(
            batch_id=batch_id, acting_user=job.owner, progress=progress
        )
    except (ImportBatchError, ConcurrentEditError) as error:
        saved = _already_saved(batch_id)  # saved by another run while this one checked
        if saved is not None:
            return saved
        raise JobFailed(f"{error} Es wurde nichts gespeichert.") from None
    except PositionsRefused as refused:
        raise JobFailed(f"{refused} Es wurde nichts gespeichert.") from None
    return JobOutcome(
        result={
            "import_batch_id": confirmation.batch.pk,
            "message": confirmation.message,
            "applied": confirmation.applied,
        }
    )
