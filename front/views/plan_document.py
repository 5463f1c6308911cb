"""The Stellenplan document: screen, PDF, Excel, Erläuterungen, adoption, comparison.

Everyone logged in reads and exports; the Personalamt writes Erläuterungen (rights on
PlanExplanation) and adopts (permission stellenplan.adopt_staffingplan; a job renders the
PDF/A and stores the record, the page leads to its progress). An adopted plan is
shown, printed and exported from its record; its PDF is the stored one, byte for byte. The PDF
and Excel of a plan of many positions are written by a job (issue 21, stellenplan/plan_jobs.py):
the answer leads to the job's page.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.concurrency import ConcurrentEditError, DeleteRefusedError
from core.jobs import start_or_join_job
from core.parsing import parse_id, parse_year
from core.permissions import require_right, rights
from core.users import request_user
from core.xlsx import ImportFailed, xlsx_response
from costing.plan_compare import compare_plans
from decisions.departures import Departure, all_departures
from departments.models import OrgUnit
from front.forms.imports import XlsxUploadForm, uploaded_file
from front.forms.plan_document import (
    AdoptForm,
    CompareForm,
    PreviousFiguresForm,
    TraineeFormSet,
)
from stellenplan import plan_jobs
from stellenplan.adoption_jobs import start_plan_adoption
from stellenplan.models import (
    PayGrade,
    PlanExplanation,
    PreviousYearFigure,
    StaffingPlan,
    TraineeCount,
)
from stellenplan.plan_adoption import explanation_save
from stellenplan.plan_document import document_for_output, document_order, newest_record
from stellenplan.plan_excel import plan_xlsx_filename, write_plan_workbook
from stellenplan.plan_pdf import plan_pdf_filename, render_plan_pdf
from stellenplan.plan_selectors import (
    previous_figures_by_unit,
    previous_figures_of_unit,
    trainees_of_year,
)
from stellenplan.plan_services import (
    FigureInput,
    TraineeInput,
    baseline_refusal,
    previous_figures_save,
    trainees_save,
)
from stellenplan.previous_year_import import (
    PlannedFigure,
    previous_figures_workbook,
)
from stellenplan.previous_year_import import (
    plan_previous_figures as plan_previous_figures_file,
)

ADOPT_PERMISSION = "stellenplan.adopt_staffingplan"


def _plan(pk: int) -> StaffingPlan:
    return get_object_or_404(StaffingPlan, pk=pk)


def _year(request: HttpRequest, plan: StaffingPlan) -> tuple[int, str | None]:
    """The plan year asked for in ?year=, else the first, with a German message if unusable."""
    text = request.GET.get("year")
    if not text:
        return plan.first_year, None
    year = parse_year(text.strip())
    if year in plan.years:
        return year, None
    return plan.first_year, (
        f"„{text.strip()[:20]}“ ist kein Jahr des Stellenplans {plan.label}; angezeigt wird "
        f"{plan.first_year}."
    )


def _draft_year(
    request: HttpRequest, pk: int, what: str
) -> tuple[StaffingPlan, int, HttpResponse | None]:
    """The plan, the year asked for and, for an adopted plan, the redirect that refuses to
    change `what` (its figures are frozen in the record)."""
    plan = _plan(pk)
    year, problem = _year(request, plan)
    if problem:
        messages.warning(request, problem)
    if plan.status != StaffingPlan.Status.ADOPTED:
        return plan, year, None
    messages.error(
        request, f"Der Stellenplan {plan.label} ist beschlossen: {what} sind festgehalten."
    )
    return plan, year, redirect("plandoc:detail", pk=plan.pk)


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "stellenplan/plan_list.html",
        {"plans": StaffingPlan.objects.order_by("-first_year"), "compare_form": CompareForm()},
    )


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(pk)
    year, problem = _year(request, plan)
    if problem:
        messages.warning(request, problem)
    document = document_for_output(plan)
    doc = document.year(year)
    return render(
        request,
        "stellenplan/plan_detail.html",
        {
            "plan": plan,
            "doc": doc,
            "years": plan.years,
            "record": newest_record(plan) if plan.status == StaffingPlan.Status.ADOPTED else None,
            "can_explain": rights(request.user, PlanExplanation).change,
            "can_enter_previous": rights(request.user, PreviousYearFigure).change,
            "baseline_year": plan.first_year - 1,
            "can_enter_trainees": rights(request.user, TraineeCount).change,
            "can_adopt": request.user.has_perm(ADOPT_PERMISSION),
        },
    )


def _job_redirect(request: HttpRequest, kind: str, plan: StaffingPlan) -> HttpResponseBase:
    """A large plan's file is written by a job (issue 21): to its page."""
    job = start_or_join_job(kind, request_user(request), {"plan_id": plan.pk})
    return HttpResponseRedirect(reverse("jobs:detail", args=[job.pk]), status=303)


@login_required
@require_GET
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    plan = _plan(pk)
    record = newest_record(plan) if plan.status == StaffingPlan.Status.ADOPTED else None
    if record is not None and record.pdf:
        # an adopted plan's PDF is the one stored at adoption, byte for byte (its document is
        # not read: the PDF stays available even to a release that cannot read the record)
        response = HttpResponse(bytes(record.pdf), content_type="application/pdf")
        response["X-Content-SHA256"] = record.pdf_sha256
        label = plan.label
    elif plan_jobs.is_large_plan(plan):
        return _job_redirect(request, plan_jobs.PDF, plan)
    else:
        document = document_for_output(plan)
        response = HttpResponse(render_plan_pdf(document), content_type="application/pdf")
        label = document.label
    response["Content-Disposition"] = f'inline; filename="{plan_pdf_filename(label)}"'
    return response


@login_required
@require_GET
def plan_excel(request: HttpRequest, pk: int) -> HttpResponseBase:
    plan = _plan(pk)
    if plan_jobs.is_large_plan(plan):
        return _job_redirect(request, plan_jobs.EXCEL, plan)
    document = document_for_output(plan)
    return xlsx_response(
        lambda handle: write_plan_workbook(handle, document), plan_xlsx_filename(document)
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_explanations(request: HttpRequest, pk: int) -> HttpResponse:
    require_right(request.user, PlanExplanation, "change")
    plan, year, refused = _draft_year(request, pk, "Erläuterungen")
    if refused is not None:
        return refused
    existing = {e.pay_grade_id: e for e in PlanExplanation.objects.filter(plan=plan, year=year)}
    status = 200
    errors: list[str] = []
    if request.method == "POST":
        doc = document_for_output(plan).year(year)
        assert doc is not None
        grade_rows = [r for part in doc.parts for r in part.rows if r.kind == "grade"]
        saved, conflict = 0, False
        with transaction.atomic():  # all or nothing
            for row in grade_rows:
                key = f"text_{row.grade_id}"
                if key not in request.POST or row.grade_id is None:
                    continue
                before = existing.get(row.grade_id)
                try:
                    result = explanation_save(
                        plan,
                        acting_user=request_user(request),
                        year=year,
                        pay_grade_id=row.grade_id,
                        text=request.POST[key],
                        expected_version=parse_id(request.POST.get(f"version_{row.grade_id}")),
                    )
                except ValidationError as error:
                    errors.append(f"{row.label}: {'; '.join(error.messages)}")
                    continue
                except (ConcurrentEditError, DeleteRefusedError) as error:
                    conflict = True
                    errors.append(f"{row.label}: {error}")
                    continue
                if (before.text if before else "") != (result.text if result else ""):
                    saved += 1
            if errors:
                transaction.set_rollback(True)
        if not errors:
            messages.success(request, f"{saved} Erläuterungen zu {year} gespeichert.")
            return redirect(f"{request.path}?year={year}")
        status = 409 if conflict else 400
    doc = document_for_output(plan).year(year)
    return render(
        request,
        "stellenplan/plan_explanations.html",
        {
            "plan": plan,
            "doc": doc,
            "years": plan.years,
            "existing": existing,
            "errors": errors,
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm(ADOPT_PERMISSION):
        raise PermissionDenied("Ihre Rolle darf Stellenpläne nicht beschließen.")
    plan = _plan(pk)
    if plan.status == StaffingPlan.Status.ADOPTED:
        messages.error(request, f"Der Stellenplan {plan.label} ist schon beschlossen.")
        return redirect("plandoc:detail", pk=plan.pk)
    form = AdoptForm(request.POST or None, initial={"version": plan.version, "grdrs": plan.grdrs})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = start_plan_adoption(
                    plan,
                    acting_user=request_user(request),
                    adopted_on=form.cleaned_data["adopted_on"],
                    grdrs=form.cleaned_data["grdrs"],
                    expected_version=form.cleaned_data["version"],
                )
            except ConcurrentEditError as error:
                form.add_error(None, str(error))
                status = 409
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                messages.info(
                    request,
                    f"Der Stellenplan {plan.label} wird beschlossen: sein Dokument wird "
                    "zusammengestellt, als PDF/A gerendert und festgehalten.",
                )
                return redirect("jobs:detail", pk=job.pk)
        else:
            status = 400
    return render(
        request,
        "stellenplan/plan_adopt.html",
        {
            "plan": plan,
            "form": form,
            "missing": _missing(plan),
            "departures": plan_departures(plan),
        },
        status=status,
    )


def plan_departures(plan: StaffingPlan) -> list[Departure]:
    """The check before a plan's adoption that stellenplan cannot make itself (it sits below
    decisions): the decided positions that depart from their paper (Abweichungen seit
    Beschluss) and would count in the plan's years – decided to begin by its last year."""
    last_day = date(plan.last_year, 12, 31)
    return [d for d in all_departures() if d.decided_start <= last_day]


def _missing(plan: StaffingPlan) -> list[str]:
    document = document_for_output(plan)
    return [text for year in document.years for text in year.missing_explanations]


@login_required
@require_GET
def plan_compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET or None)
    comparison = None
    status = 200
    if request.GET:
        if form.is_valid():
            (plan_a, year_a), (plan_b, year_b) = form.selected("a"), form.selected("b")
            comparison = compare_plans(plan_a, year_a, plan_b, year_b)
        else:
            status = 400
    return render(
        request,
        "stellenplan/plan_compare.html",
        {"form": form, "comparison": comparison},
        status=status,
    )


def _department(request: HttpRequest, departments: list[OrgUnit]) -> OrgUnit | None:
    """The Amt asked for in ?amt= (its id), else the first."""
    wanted = parse_id(request.GET.get("amt"))
    return next((d for d in departments if d.pk == wanted), departments[0] if departments else None)


#: The signed preview of an Excel import of Vorjahreszahlen (what the confirmation saves).
PREVIEW_SALT = "stellenplan.previous-figures-import"
PREVIEW_MAX_AGE = 3600


def _preview_payload(year: int, planned: list[PlannedFigure]) -> str:
    return signing.dumps(
        {
            "year": year,
            "rows": [
                [
                    p.figure.org_unit_id,
                    p.figure.pay_grade_id,
                    None if p.figure.fte is None else str(p.figure.fte),
                    None if p.figure.occupied is None else str(p.figure.occupied),
                    p.figure.expected_version,
                    p.figure.label,
                ]
                for p in planned
                if p.changed
            ],
        },
        salt=PREVIEW_SALT,
    )


def _confirmed_figures(payload: str, year: int) -> list[FigureInput]:
    data = signing.loads(payload, salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
    if data.get("year") != year:
        raise signing.BadSignature("year")
    return [
        FigureInput(
            org_unit_id=unit,
            pay_grade_id=grade,
            fte=None if fte is None else Decimal(fte),
            occupied=None if occupied is None else Decimal(occupied),
            expected_version=version,
            label=label,
        )
        for unit, grade, fte, occupied, version, label in data["rows"]
    ]


@login_required
@require_http_methods(["GET", "POST"])
def plan_previous_figures(request: HttpRequest, pk: int) -> HttpResponse:
    """Vorjahreszahlen of the year before the plan: one Amt at a time in the browser, or all
    from an Excel file (preview, then all or nothing)."""
    require_right(request.user, PreviousYearFigure, "change")
    plan = _plan(pk)
    year = plan.first_year - 1
    refusal = baseline_refusal(year)
    departments = list(OrgUnit.objects.filter(parent__isnull=True).order_by("code"))
    unit = _department(request, departments)
    existing = previous_figures_of_unit(year, unit.pk) if unit else {}
    grades = document_order(PayGrade.objects.all())
    initial: dict[str, Decimal | None] = {}
    for grade_id, figure in existing.items():
        initial[f"fte_{grade_id}"] = figure.fte
        initial[f"occupied_{grade_id}"] = figure.occupied
    action = request.POST.get("action", "save")
    form = PreviousFiguresForm(
        request.POST if request.method == "POST" and action == "save" else None,
        grades=grades,
        year=year,
        initial=initial,
    )
    upload = XlsxUploadForm(
        request.POST if action == "import" else None,
        request.FILES if action == "import" else None,
    )
    status = 200
    errors: list[str] = []
    preview: list[PlannedFigure] | None = None
    payload = ""
    if request.method == "POST":
        if refusal or unit is None:
            messages.error(request, refusal or "Es gibt kein Amt.")
            return redirect("plandoc:detail", pk=plan.pk)
        if action == "import":
            status = 400
            if upload.is_valid():
                try:
                    preview = plan_previous_figures_file(
                        BytesIO(uploaded_file(upload)[0]), year=year
                    )
                except ImportFailed as failed:
                    errors = [str(failed), *(str(issue) for issue in failed.issues[:100])]
                else:
                    status, payload = 200, _preview_payload(year, preview)
            else:
                errors = [str(m) for ms in upload.errors.values() for m in ms]
        else:
            try:
                if action == "confirm":
                    inputs = _confirmed_figures(request.POST.get("payload", ""), year)
                elif form.is_valid():
                    inputs = [
                        FigureInput(
                            org_unit_id=unit.pk,
                            pay_grade_id=grade.pk,
                            fte=form.cleaned_data[f"fte_{grade.pk}"],
                            occupied=form.cleaned_data[f"occupied_{grade.pk}"],
                            expected_version=parse_id(request.POST.get(f"version_{grade.pk}")),
                            label=f"{unit.code}, {grade.code}",
                        )
                        for grade in grades
                        if f"fte_{grade.pk}" in request.POST
                    ]
                else:
                    raise ValidationError(
                        [str(m) for field_errors in form.errors.values() for m in field_errors]
                    )
                changed = previous_figures_save(
                    acting_user=request_user(request), year=year, figures=inputs
                )
            except signing.BadSignature:
                errors, status = (
                    [
                        "Die Vorschau ist abgelaufen oder verändert; bitte die Datei noch einmal "
                        "hochladen. Es wurde nichts gespeichert."
                    ],
                    400,
                )
            except ValidationError as error:
                errors, status = error.messages, 400
            except (ConcurrentEditError, DeleteRefusedError) as error:
                errors, status = [str(error)], 409
            else:
                where = "aus der Datei" if action == "confirm" else f"für {unit.code}"
                messages.success(
                    request, f"Vorjahreszahlen {year} {where}: {changed} Gruppen gespeichert."
                )
                return redirect(f"{request.path}?amt={unit.pk}")
    return render(
        request,
        "stellenplan/plan_previous_figures.html",
        {
            "plan": plan,
            "year": year,
            "form": form,
            "upload": upload,
            "unit": unit,
            "departments": departments,
            "existing": existing,
            "summary": previous_figures_by_unit(year),
            "refusal": refusal,
            "errors": errors,
            "preview": preview,
            "payload": payload,
        },
        status=status,
    )


@login_required
def plan_previous_figures_excel(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The Vorjahreszahlen as the file to fill in and import (internal: "besetzt am 30.06."
    per Amt and group, hence only for those who enter them: the right is checked first)."""
    require_right(request.user, PreviousYearFigure, "change")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    plan = _plan(pk)
    year = plan.first_year - 1
    workbook = previous_figures_workbook(year)
    return xlsx_response(workbook.save, f"Vorjahreszahlen-{year}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def plan_trainees(request: HttpRequest, pk: int) -> HttpResponse:
    """The Nachwuchskräfte of a plan year (annex, persons, not Stellen)."""
    require_right(request.user, TraineeCount, "change")
    plan, year, refused = _draft_year(request, pk, "Nachwuchskräfte")
    if refused is not None:
        return refused
    existing = trainees_of_year(year)
    initial = [
        {
            "pk": t.pk,
            "version": t.version,
            "category": t.category,
            "training": t.training,
            "number": t.number,
            "number_previous": t.number_previous,
        }
        for t in existing
    ]
    formset = TraineeFormSet(
        request.POST if request.method == "POST" else None, initial=initial, prefix="line"
    )
    status = 200
    errors: list[str] = []
    if request.method == "POST":
        if formset.is_valid():
            lines = [
                TraineeInput(
                    pk=data.get("pk"),
                    category=data["category"],
                    training=data.get("training") or "",
                    number=data.get("number"),
                    number_previous=data.get("number_previous"),
                    expected_version=data.get("version"),
                )
                for data in formset.cleaned_data
                if data and (data.get("pk") or data.get("number") is not None)
            ]
            try:
                changed = trainees_save(acting_user=request_user(request), year=year, lines=lines)
            except ValidationError as error:
                errors, status = error.messages, 400
            except (ConcurrentEditError, DeleteRefusedError) as error:
                errors, status = [str(error)], 409
            else:
                messages.success(request, f"Nachwuchskräfte {year}: {changed} Zeilen gespeichert.")
                return redirect(f"{request.path}?year={year}")
        else:
            status = 400
            errors = [
                str(m)
                for form in formset.forms
                for messages_ in form.errors.values()
                for m in messages_
            ] + [str(m) for m in formset.non_form_errors()]
    return render(
        request,
        "stellenplan/plan_trainees.html",
        {
            "plan": plan,
            "year": year,
            "years": plan.years,
            "formset": formset,
            "errors": errors,
        },
        status=status,
    )
