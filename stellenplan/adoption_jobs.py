"""Adopting a Stellenplan as a job (issue 21): the PDF/A of a city's plan takes the better part
of a minute to render, too long for a request.

The page checks what it can cheaply (``check_adoption``: already adopted, date, missing
Erläuterungen; the version the user opened) and starts the job. The job builds the document
and renders its PDF/A outside any transaction, then writes the record and the status in one
transaction (``adopt_plan(..., prepared=...)``): a worker killed before that commit leaves the
plan a draft and the job can be started again; one killed after it finds the plan adopted as
asked and reports that, without adopting it twice. Data changed during the rendering makes the
job prepare again (at most ``ATTEMPTS`` times).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

from core.concurrency import ConcurrentEditError, stale_edit_error
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
from stellenplan.models import StaffingPlan
from stellenplan.plan_adoption import (
    AdoptionOutdated,
    adopt_plan,
    check_adoption,
    prepare_adoption,
)

ADOPT = "plan_adopt"
STEPS = ("Dokument zusammenstellen", "PDF/A rendern", "Festhalten")
ATTEMPTS = 3


def running_adoption(plan: StaffingPlan) -> Job | None:
    """The adoption job of `plan` that is waiting or running, if any."""
    return job_under_way(ADOPT, "plan_id", plan.pk)


def start_plan_adoption(
    plan: StaffingPlan,
    *,
    acting_user: User | None,
    adopted_on: date | None,
    grdrs: str = "",
    expected_version: int,
) -> Job:
    """Check the adoption (AdoptionRefused, ConcurrentEditError: German) and start its job;
    an adoption of the plan already under way is returned instead of starting a second."""
    check_adoption(plan, adopted_on=adopted_on)
    assert adopted_on is not None  # checked
    if plan.version != expected_version:
        raise stale_edit_error(StaffingPlan, plan.pk, yours={"status": StaffingPlan.Status.ADOPTED})
    under_way = running_adoption(plan)
    if under_way is not None:
        return under_way
    params = {
        "plan_id": plan.pk,
        "adopted_on": adopted_on.isoformat(),
        "grdrs": grdrs.strip(),
        "expected_version": expected_version,
    }
    return start_job(ADOPT, acting_user, params)


def _outcome(plan: StaffingPlan, message: str) -> JobOutcome:
    return JobOutcome(result={"plan_id": plan.pk, "message": message})


@register_job_kind(ADOPT, "Stellenplan beschließen")
def adopt_job(job: Job) -> JobOutcome:
    adopted_on = date.fromisoformat(job.params["adopted_on"])
    grdrs = str(job.params.get("grdrs", ""))
    for _attempt in range(ATTEMPTS):
        report_progress(job, 0, len(STEPS), STEPS[0])
        plan = StaffingPlan.objects.filter(pk=job.params["plan_id"]).first()
        if plan is None:
            raise JobFailed("Diesen Stellenplan gibt es nicht mehr; nichts wurde beschlossen.")
        if plan.status == StaffingPlan.Status.ADOPTED:
            if (plan.adopted_on, plan.grdrs) == (adopted_on, grdrs):
                # adopted by an earlier attempt whose worker stopped before it could say so
                return _outcome(plan, f"Der Stellenplan {plan.label} ist beschlossen.")
            raise JobFailed(
                f"Der Stellenplan {plan.label} ist schon beschlossen; nichts wurde geändert."
            )
        try:
            prepared = prepare_adoption(
                plan,
                adopted_on=adopted_on,
                grdrs=grdrs,
                rendering=lambda: report_progress(job, 1, len(STEPS), STEPS[1]),
            )
            report_progress(job, 2, len(STEPS), STEPS[2])
            adopt_plan(
                plan,
                acting_user=job.owner,
                adopted_on=adopted_on,
                grdrs=grdrs,
                expected_version=int(job.params["expected_version"]),
                prepared=prepared,
            )
        except AdoptionOutdated:
            continue  # changed while rendering: build and render the new state
        except ConcurrentEditError as error:
            raise JobFailed(f"{error} Der Stellenplan wurde nicht beschlossen.") from None
        except ValidationError as error:
            raise JobFailed(" ".join(error.messages)) from None
        return _outcome(plan, f"Der Stellenplan {plan.label} ist beschlossen und festgehalten.")
    raise JobFailed(
        f"Die Daten des Stellenplans wurden während der Erstellung seines PDF {ATTEMPTS}-mal "
        "geändert; nichts wurde beschlossen. Bitte den Auftrag neu starten."
    )
