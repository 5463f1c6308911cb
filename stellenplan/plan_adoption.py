"""Adopting a Stellenplan: refuse while Erläuterungen are missing, else freeze it.

``adopt_plan`` sets status "beschlossen", the date of the Haushaltssatzung and the GRDrs, and
writes a StaffingPlanRecord in the same transaction: the document of every plan year (figures,
Erläuterungen, the 30-June occupation snapshot, Teilstellenpläne, Veränderungsnachweis) as
JSON and its PDF (PDF/A-3a + PDF/UA-1) with SHA-256. From then on screen, PDF and Excel of the
plan come from that record (``plan_document.document_for_output``), so later changes to
positions or occupations do not change the adopted plan.

For generated data (generate_city, the bench) ``adopt_for_bench(plan)`` adopts a plan as the
system, writing the Erläuterungen that are missing as "Erläuterung (generiert)".
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from core.concurrency import versioned_delete, versioned_update
from core.history import acting_as
from core.users import User
from stellenplan.models import PlanExplanation, StaffingPlan, StaffingPlanRecord
from stellenplan.plan_document import PLAN_RECORD, build_full_document
from stellenplan.plan_pdf import render_plan_pdf


class AdoptionRefused(ValidationError):
    """The plan cannot be adopted; the message is German and names what is missing."""


def missing_explanations(plan: StaffingPlan) -> list[str]:
    """Every (year, grade) whose change exceeds the threshold without an Erläuterung."""
    document = build_full_document(plan)
    return [text for year in document.years for text in year.missing_explanations]


@transaction.atomic
def adopt_plan(
    plan: StaffingPlan,
    *,
    acting_user: User | None,
    adopted_on: date,
    grdrs: str = "",
    expected_version: int,
    reason: str = "",
) -> StaffingPlanRecord:
    """Adopt `plan` and freeze it; AdoptionRefused (German) while it cannot be adopted."""
    if plan.status == StaffingPlan.Status.ADOPTED:
        raise AdoptionRefused(f"Der Stellenplan {plan.label} ist schon beschlossen.")
    if adopted_on is None:
        raise AdoptionRefused("Bitte das Datum der Haushaltssatzung angeben.")
    missing = missing_explanations(plan)
    if missing:
        raise AdoptionRefused(
            f"Der Stellenplan {plan.label} kann nicht beschlossen werden: es fehlen "
            f"Erläuterungen zu {len(missing)} Veränderungen – " + "; ".join(missing) + "."
        )
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
    document = build_full_document(plan)
    pdf = render_plan_pdf(document, archive=True)
    last = plan.records.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    with acting_as(acting_user):
        return StaffingPlanRecord.objects.create(
            plan=plan,
            sequence=last + 1,
            acting_user=acting_user,
            reason=reason or "Beschluss der Haushaltssatzung",
            document=PLAN_RECORD.write(document),
            pdf=pdf,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
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
