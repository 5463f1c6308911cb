"""Adopting a Stellenplan: refuse while Erläuterungen are missing, else freeze it.

``adopt_plan`` sets status "beschlossen", the date of the Haushaltssatzung and the GRDrs, and
writes a StaffingPlanRecord in the same transaction: the document of every plan year (figures,
Erläuterungen, the 30-June occupation snapshot, Teilstellenpläne, Veränderungsnachweis) as
JSON and its PDF (PDF/A-3a + PDF/UA-1) with SHA-256. From then on screen, PDF and Excel of the
plan come from that record (``plan_document.document_for_output``), so later changes to
positions or occupations do not change the adopted plan.

Rendering a city's plan as PDF/A takes the better part of a minute, so the page adopts through
a job (``stellenplan.adoption_jobs``): the request only checks (``check_adoption``), the job
builds and renders outside any transaction (``prepare_adoption``) and then stores record and
status in one short transaction (``adopt_plan(..., prepared=...)``), which refuses a prepared
document the data no longer matches (``AdoptionOutdated``: the job prepares again).

For generated data (generate_city, the bench) ``adopt_for_bench(plan)`` adopts a plan as the
system, writing the Erläuterungen that are missing as "Erläuterung (generiert)".
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from core.concurrency import versioned_delete, versioned_update
from core.dataversion import current_token
from core.history import acting_as
from core.users import User
from stellenplan.models import PlanExplanation, StaffingPlan, StaffingPlanRecord
from stellenplan.plan_document import (
    PLAN_RECORD,
    PlanDocument,
    build_full_document,
    document_for_output,
)
from stellenplan.plan_pdf import render_plan_pdf


class AdoptionRefused(ValidationError):
    """The plan cannot be adopted; the message is German and names what is missing."""


def _refuse_missing(plan: StaffingPlan, document: PlanDocument) -> None:
    """AdoptionRefused naming every (year, grade) whose change exceeds the threshold without
    an Erläuterung."""
    missing = [text for year in document.years for text in year.missing_explanations]
    if missing:
        raise AdoptionRefused(
            f"Der Stellenplan {plan.label} kann nicht beschlossen werden: es fehlen "
            f"Erläuterungen zu {len(missing)} Veränderungen – " + "; ".join(missing) + "."
        )


def check_adoption(plan: StaffingPlan, *, adopted_on: date | None) -> None:
    """Refuse (AdoptionRefused, German) what cannot be adopted, writing nothing and rendering
    nothing: cheap enough for the request that starts an adoption job."""
    if plan.status == StaffingPlan.Status.ADOPTED:
        raise AdoptionRefused(f"Der Stellenplan {plan.label} ist schon beschlossen.")
    if adopted_on is None:
        raise AdoptionRefused("Bitte das Datum der Haushaltssatzung angeben.")
    # the document the adopt page showed (cached by the data version): one query after it
    _refuse_missing(plan, document_for_output(plan))


@dataclass(frozen=True)
class PreparedAdoption:
    """The document of a plan as adopted and its PDF/A, made before the transaction that
    stores them (rendering a city's plan takes the better part of a minute), with the data
    version they were built from."""

    adopted_on: date
    grdrs: str
    document: PlanDocument
    pdf: bytes
    data_version: str


class AdoptionOutdated(Exception):
    """The plan's data changed while its document was rendered: prepare it again."""


def _as_adopted(plan: StaffingPlan, adopted_on: date, grdrs: str) -> StaffingPlan:
    """The plan freshly read, with the values of its adoption set (not saved): its document
    is the one the record holds."""
    adopted = StaffingPlan.objects.get(pk=plan.pk)
    adopted.status = StaffingPlan.Status.ADOPTED
    adopted.adopted_on = adopted_on
    adopted.grdrs = grdrs.strip()
    return adopted


def prepare_adoption(
    plan: StaffingPlan,
    *,
    adopted_on: date | None,
    grdrs: str = "",
    rendering: Callable[[], None] | None = None,
) -> PreparedAdoption:
    """Build the document of `plan` as adopted and render its PDF/A, writing nothing (the slow
    part of an adoption). AdoptionRefused (German) while it cannot be adopted; `rendering` is
    called when the document is built and the PDF/A is next (a job's progress)."""
    if plan.status == StaffingPlan.Status.ADOPTED:
        raise AdoptionRefused(f"Der Stellenplan {plan.label} ist schon beschlossen.")
    if adopted_on is None:
        raise AdoptionRefused("Bitte das Datum der Haushaltssatzung angeben.")
    token = current_token()
    document = build_full_document(_as_adopted(plan, adopted_on, grdrs))
    _refuse_missing(plan, document)
    if rendering is not None:
        rendering()
    pdf = render_plan_pdf(document, archive=True)
    return PreparedAdoption(adopted_on, grdrs.strip(), document, pdf, token)


def _still_current(plan: StaffingPlan, prepared: PreparedAdoption) -> bool:
    """Whether the plan's document now is the prepared one: yes if no watched data was written
    since (one query), else if building it again gives the same document."""
    if current_token() == prepared.data_version:
        return True
    again = build_full_document(_as_adopted(plan, prepared.adopted_on, prepared.grdrs))
    return again == prepared.document


@transaction.atomic
def adopt_plan(
    plan: StaffingPlan,
    *,
    acting_user: User | None,
    adopted_on: date,
    grdrs: str = "",
    expected_version: int,
    reason: str = "",
    prepared: PreparedAdoption | None = None,
) -> StaffingPlanRecord:
    """Adopt `plan` and freeze it; AdoptionRefused (German) while it cannot be adopted.

    With `prepared` (``prepare_adoption``, done by a job before this short transaction) its
    document and PDF/A are stored if the plan's data is still what they show, else
    AdoptionOutdated and nothing is written; without, both are made here.
    """
    if prepared is None:
        prepared = prepare_adoption(plan, adopted_on=adopted_on, grdrs=grdrs)
    else:
        if (prepared.adopted_on, prepared.grdrs) != (adopted_on, grdrs.strip()):
            raise ValueError("prepared for another date or GRDrs")
        if plan.status == StaffingPlan.Status.ADOPTED:
            raise AdoptionRefused(f"Der Stellenplan {plan.label} ist schon beschlossen.")
        if not _still_current(plan, prepared):
            raise AdoptionOutdated(plan.pk)
    versioned_update(
        plan,
        acting_user=acting_user,
        expected_version=expected_version,
        data={
            "status": StaffingPlan.Status.ADOPTED,
            "adopted_on": adopted_on,
            "grdrs": grdrs.strip(),
        },
    )
    last = plan.records.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    with acting_as(acting_user):
        return StaffingPlanRecord.objects.create(
            plan=plan,
            sequence=last + 1,
            acting_user=acting_user,
            reason=reason or "Beschluss der Haushaltssatzung",
            document=PLAN_RECORD.write(prepared.document),
            pdf=prepared.pdf,
            pdf_sha256=hashlib.sha256(prepared.pdf).hexdigest(),
        )


def adopt_for_bench(plan: StaffingPlan, adopted_on: date | None = None) -> StaffingPlanRecord:
    """Adopt a generated plan as the system (generate_city): missing Erläuterungen are written
    as "Erläuterung (generiert)" first."""
    for year in build_full_document(plan).years:
        for part in year.parts:
            for row in part.rows:
                if row.kind == "grade" and row.explanation_missing and row.grade_id:
                    PlanExplanation.objects.update_or_create(
                        plan=plan,
                        year=year.year,
                        pay_grade_id=row.grade_id,
                        defaults={"text": "Erläuterung (generiert)"},
                    )
    plan.refresh_from_db()
    return adopt_plan(
        plan,
        acting_user=None,
        adopted_on=adopted_on or date(plan.first_year - 1, 12, 15),
        expected_version=plan.version,
    )


EXPLANATION_MAX = 4000


@transaction.atomic
def explanation_save(
    plan: StaffingPlan,
    *,
    acting_user: User | None,
    year: int,
    pay_grade_id: int,
    text: str,
    expected_version: int | None,
) -> PlanExplanation | None:
    """Write, change or (empty text) remove the Erläuterung of (plan, year, grade).

    Refused for an adopted plan (its Erläuterungen are frozen in the record), for a year
    outside the plan and for too long a text; a change made by someone else since the page
    was opened (`expected_version`) raises ConcurrentEditError.
    """
    if plan.status == StaffingPlan.Status.ADOPTED:
        raise AdoptionRefused(
            f"Der Stellenplan {plan.label} ist beschlossen: seine Erläuterungen sind "
            "festgehalten und können nicht mehr geändert werden."
        )
    if year not in plan.years:
        raise AdoptionRefused(f"Das Jahr {year} gehört nicht zum Stellenplan {plan.label}.")
    text = text.strip()
    if len(text) > EXPLANATION_MAX:
        raise AdoptionRefused(
            f"Die Erläuterung ist {len(text)} Zeichen lang; erlaubt sind höchstens "
            f"{EXPLANATION_MAX} Zeichen."
        )
    existing = PlanExplanation.objects.filter(
        plan=plan, year=year, pay_grade_id=pay_grade_id
    ).first()
    if existing is None:
        if not text:
            return None
        with acting_as(acting_user):
            return PlanExplanation.objects.create(
                plan=plan, year=year, pay_grade_id=pay_grade_id, text=text
            )
    if existing.text == text:
        return existing
    version = existing.version if expected_version is None else expected_version
    if not text:
        versioned_delete(
            existing, acting_user=acting_user, expected_version=version, label="Die Erläuterung"
        )
        return None
    return versioned_update(
        existing, acting_user=acting_user, expected_version=version, data={"text": text}
    )
