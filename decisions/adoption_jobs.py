"""Adopting a paper as a job (issue 21): its record holds a PDF/A, whose rendering takes
seconds (a paper with a long Anlage much longer), too long for a request.

The page checks the status change cheaply (``check_status_change``: transition, GRDrs number,
date, the version the user opened, complete figures) and starts the job. The job renders the
PDF/A outside any transaction (``decision_prepare_record``), then writes the status change and
the record in one transaction (``decision_change_status(..., prepared=...)``): a worker killed
before that commit leaves the paper eingebracht and the job can be started again; one killed
after it finds the paper adopted on the date asked and reports that, without a second record.
A paper whose printed document changed during the rendering (a linked position, a cost table)
is rendered again (at most ``ATTEMPTS`` times).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

from core.concurrency import ConcurrentEditError
from core.jobs import (
    JobFailed,
    JobOutcome,
    job_under_way,
    register_job_kind,
    report_progress,
    start_job,
)
from core.models import Job
from core.users import User
from decisions.models import Decision, StatusChange
from decisions.services import (
    RecordOutdated,
    check_status_change,
    decision_change_status,
    decision_prepare_record,
)

ADOPT = "decision_adopt"
STEPS = ("Dokument zusammenstellen", "PDF/A rendern", "Festhalten")
ATTEMPTS = 3


def running_adoption(decision: Decision) -> Job | None:
    """The adoption job of `decision` that is waiting or running, if any."""
    return job_under_way(ADOPT, "decision_id", decision.pk)


def start_decision_adoption(
    decision: Decision,
    *,
    acting_user: User | None,
    expected_version: int,
    on: date | None = None,
    comment: str = "",
) -> Job:
    """Check the change to "beschlossen" (ValidationError, ConcurrentEditError: German) and
    start its job; an adoption of the paper already under way is returned instead."""
    on = check_status_change(
        decision=decision, status=Decision.Status.ADOPTED, expected_version=expected_version, on=on
    )
    under_way = running_adoption(decision)
    if under_way is not None:
        return under_way
    params = {
        "decision_id": decision.pk,
        "on": on.isoformat(),
        "comment": comment,
        "expected_version": expected_version,
    }
    return start_job(ADOPT, acting_user, params)


def _done(decision: Decision, on: date) -> JobOutcome:
    return JobOutcome(
        result={
            "decision_id": decision.pk,
            "message": f"Status geändert: beschlossen am {on:%d.%m.%Y}. Die Beschlussfassung "
            "ist festgehalten.",
        }
    )


@register_job_kind(ADOPT, "Beschlussvorlage beschließen")
def adopt_job(job: Job) -> JobOutcome:
    on = date.fromisoformat(job.params["on"])
    expected_version = int(job.params["expected_version"])
    for _attempt in range(ATTEMPTS):
        report_progress(job, 0, len(STEPS), STEPS[0])
        decision = Decision.objects.filter(pk=job.params["decision_id"]).first()
        if decision is None:
            raise JobFailed("Diese Beschlussvorlage gibt es nicht mehr; nichts wurde beschlossen.")
        if decision.status == Decision.Status.ADOPTED:
            newest = (
                StatusChange.objects.filter(decision=decision, to_status=Decision.Status.ADOPTED)
                .order_by("-recorded_at", "-id")
                .first()
            )
            if newest is not None and newest.date == on and decision.adopted_records.exists():
                # adopted by an earlier attempt whose worker stopped before it could say so
                return _done(decision, on)
            raise JobFailed(
                f"Die Beschlussvorlage {decision.grdrs_label} ist schon beschlossen; nichts "
                "wurde geändert."
            )
        try:
            if decision.version != expected_version:
                # changed since the page was opened: refused with who changed it (nothing
                # is rendered for a change that cannot be saved)
                check_status_change(
                    decision=decision,
                    status=Decision.Status.ADOPTED,
                    expected_version=expected_version,
                    on=on,
                )
            report_progress(job, 1, len(STEPS), STEPS[1])
            prepared = decision_prepare_record(decision, adopted_on=on)
            report_progress(job, 2, len(STEPS), STEPS[2])
            decision_change_status(
                decision=decision,
                status=Decision.Status.ADOPTED,
                acting_user=job.owner,
                expected_version=expected_version,
                on=on,
                comment=str(job.params.get("comment", "")),
                prepared=prepared,
            )
        except RecordOutdated:
            continue  # changed while rendering: render the new state
        except ConcurrentEditError as error:
            raise JobFailed(f"Status nicht geändert – {error}") from None
        except ValidationError as error:
            raise JobFailed(f"Status nicht geändert – {' '.join(error.messages)}") from None
        return _done(decision, on)
    raise JobFailed(
        f"Die Beschlussvorlage wurde während der Erstellung ihres PDF {ATTEMPTS}-mal geändert; "
        "der Status wurde nicht geändert. Bitte den Auftrag neu starten."
    )
