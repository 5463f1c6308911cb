"""Pages of the council office: list, detail, edit, linked positions, status, printing.

Thin views: parse input, check the right (decisions.permissions), call one service or
selector, render or redirect. Everyone logged in reads; the Sitzungsdienst edits.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.concurrency import ConcurrentEditError
from core.forms import hide_errors
from core.permissions import get_for_user, require_right, rights
from core.users import request_user
from decisions import services
from decisions.adoption_jobs import start_decision_adoption
from decisions.consistency import NumberCheck, number_check
from decisions.departures import paper_departures
from decisions.markup import render_markdown
from decisions.models import Decision, DecisionPosition
from decisions.pdf import pdf_filename
from decisions.public_pdf import pdf_for_print
from decisions.records import FrozenDocument, decision_content, frozen_document
from decisions.selectors import (
    DecisionDocument,
    adopted_records,
    committees_in_use,
    current_record,
    decision_document,
    decision_for_page,
    decision_version,
    decisions_for_list,
)
from front.filters import DecisionFilter, PositionFilter
from front.forms.decisions import (
    DecisionForm,
    DecisionVersionForm,
    MoveForm,
    PositionLinkForm,
    ReasonForm,
    StatusForm,
    editor_formsets,
    editor_page_sections,
    form_data,
    part_changes,
    sections_with_errors,
    submitted_parts,
    with_added_row,
)
from front.tables import DecisionTable, paginate
from stellenplan.models import Position

SEARCH_LIMIT = 50


def _validation_message(error: ValidationError) -> str:
    return " ".join(error.messages)


def _number_check(doc: DecisionDocument | FrozenDocument) -> NumberCheck | None:
    if isinstance(doc, FrozenDocument) or doc.finance is None:
        return None  # an adopted record is shown as decided, not checked again
    return number_check(doc.decision, doc.finance)


def _document(decision: Decision) -> DecisionDocument | FrozenDocument:
    """An adopted decision as its record froze it; any other one computed now."""
    record = current_record(decision)
    if record is not None:
        return frozen_document(decision, record)
    return decision_document(decision)


def _form_problems(form) -> str:
    return "; ".join(
        (f"{form.fields[name].label}: " if name in form.fields else "") + " ".join(map(str, errors))
        for name, errors in form.errors.items()
        if name != "version"
    )


@require_GET
@login_required
def decision_list(request: HttpRequest) -> HttpResponse:
    require_right(request.user, Decision, "view")
    filterset = DecisionFilter(request.GET or None, queryset=decisions_for_list())
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else decisions_for_list()
    table = DecisionTable(queryset)
    # front.tables.paginate reads ?page= and ?per_page= without trusting them (a huge number)
    paginate(request, table, count=queryset.count())
    return render(
        request,
        "decisions/decision_list.html",
        {
            "filter": filterset,
            "table": table,
            "can_add": rights(request.user, Decision).add,
        },
    )


@require_GET
@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_for_user(request.user, Decision, pk, "view", decision_for_page(pk))
    doc = _document(decision)
    check = _number_check(doc)
    can_change = rights(request.user, Decision).change
    status_form = None
    if can_change and services.allowed_statuses(decision):
        status_form = StatusForm(
            choices=services.allowed_statuses(decision),
            initial={"date": timezone.localdate(), "version": decision.version},
        )
    can_reopen = services.can_reopen(request.user)
    reason_form = ReasonForm(initial={"version": decision.version}) if can_reopen else None
    return render(
        request,
        "decisions/decision_detail.html",
        {
            "doc": doc,
            "decision": decision,
            # the text as adopted for a frozen record, else as saved now
            "content": doc.content
            if isinstance(doc, FrozenDocument)
            else decision_content(decision),
            "record": doc.record if isinstance(doc, FrozenDocument) else None,
            "records": list(adopted_records(decision)),
            "check": check,
            "findings": check.findings if check else [],
            "departures": paper_departures(decision) if isinstance(doc, FrozenDocument) else [],
            "can_change": can_change and decision.is_editable,
            "can_amend": can_change and rights(request.user, Decision).add,
            "status_form": status_form,
            "reason_form": reason_form,
            "can_reopen": can_reopen and decision.status in services.REOPENABLE,
            "can_record_again": can_reopen and decision.status == Decision.Status.ADOPTED,
        },
    )


EDITOR = "decisions/decision_form.html"


def _edit_page(request: HttpRequest, decision: Decision | None, title: str) -> HttpResponse:
    """The one-page editor: every section of the paper in one form, saved at once."""
    if decision is not None:
        try:
            services.ensure_editable(decision)
        except ValidationError as error:
            messages.error(request, _validation_message(error))
            return redirect("decisions:detail", pk=decision.pk)
    data = request.POST if request.method == "POST" else None
    instance = decision or Decision()
    # an older page of one part, or a script, sends only some parts: the rest stays as saved
    with_form = data is None or decision is None or "title" in data
    form = DecisionForm(data if with_form else None, instance=decision)
    formsets = editor_formsets(data, instance=instance)
    sent = submitted_parts(formsets)
    version_form = DecisionVersionForm(
        data, initial={"version": decision.version if decision else 1}
    )
    conflict: ConcurrentEditError | None = None
    # "Zeile hinzufügen" and "Vorschau" re-show the page with the input, nothing saved
    redisplay = request.method == "POST" and ("_add" in request.POST or "_preview" in request.POST)
    if redisplay and "_add" in request.POST:
        added = _with_added_row(request, formsets)
        if added is not None:
            data = added
            form = DecisionForm(data if with_form else None, instance=decision)
            formsets = editor_formsets(data, instance=instance)
            sent = submitted_parts(formsets)
            version_form = DecisionVersionForm(data)
    if request.method == "POST" and not redisplay:
        valid = (not with_form or form.is_valid()) and all(f.is_valid() for f in sent.values())
        if decision is not None and not version_form.is_valid():
            messages.error(
                request, "Die Fassung der geöffneten Seite fehlt; nichts wurde gespeichert."
            )
        elif valid:
            try:
                if decision is None:
                    decision = services.decision_create(
                        data=form_data(form),
                        parts=[part_changes(f) for f in sent.values()],
                        acting_user=request_user(request),
                    )
                    messages.success(request, "Die Beschlussvorlage wurde angelegt.")
                else:
                    services.decision_save(
                        decision=decision,
                        expected_version=version_form.cleaned_data["version"],
                        acting_user=request_user(request),
                        data=form_data(form) if with_form else None,
                        parts=[part_changes(f) for f in sent.values()],
                    )
                    messages.success(request, "Die Änderungen wurden gespeichert.")
                if "_continue" in request.POST:  # stay in the editor (the check beside updated)
                    return redirect("decisions:edit", pk=decision.pk)
                return redirect("decisions:detail", pk=decision.pk)
            except ConcurrentEditError as error:
                conflict = error
            except ValidationError as error:
                if (
                    with_form
                    and hasattr(error, "error_dict")
                    and set(error.error_dict) <= set(form.fields)
                ):
                    form.add_error(None, error)  # e.g. the number taken meanwhile
                else:
                    messages.error(request, _validation_message(error))
        elif (
            decision is not None
            and decision_version(decision.pk) != version_form.cleaned_data["version"]
        ):
            # Invalid input against an outdated page (e.g. a row deleted meanwhile): explain that.
            conflict = services.stale_error(decision.pk, version_form.cleaned_data["version"])
        else:
            wrong = ", ".join(s.title for s in sections_with_errors(form, formsets))
            messages.error(
                request,
                "Bitte prüfen Sie die markierten Felder"
                + (f" (Abschnitte: {wrong})" if wrong else "")
                + "; nichts wurde gespeichert.",
            )
    if redisplay and conflict is None:  # the input again, its errors only when saving
        hide_errors(form, *(f for fs in formsets.values() for f in fs))
    if conflict is not None:
        current = conflict.current
        if current is None or decision is None:
            messages.error(request, str(conflict))
            return redirect("decisions:list")
        # The saved state, freshly loaded: the stale input is not shown again, so it can
        # neither overwrite nor resurrect rows changed or deleted meanwhile.
        decision = current
        form = DecisionForm(instance=current)
        formsets = editor_formsets(None, instance=current)
        version_form = DecisionVersionForm(initial={"version": current.version})
    quiet = redisplay and conflict is None
    check: NumberCheck | None = None
    doc: DecisionDocument | None = None
    if decision is not None:
        doc = decision_document(decision)  # the saved state: what the check beside reads
        check = _number_check(doc)
    return render(
        request,
        EDITOR,
        {
            "decision": decision,
            "form": form,
            "version_form": version_form,
            "conflict": conflict,
            "sections": editor_page_sections(form, formsets, quiet=quiet),
            "title": title,
            "reload_url": request.path,
            "committees": committees_in_use(),
            "redisplay": quiet,
            "preview": redisplay and "_preview" in request.POST,
            "doc": doc,
            "check": check,
            "findings": check.findings if check else [],
        },
        status=409 if conflict is not None else 200,
    )


def _with_added_row(request: HttpRequest, formsets: dict):
    """The submitted data with one more row in the formset whose "Zeile hinzufügen" was pressed."""
    prefix = request.POST.get("_add", "")
    formset = next((fs for fs in formsets.values() if fs.prefix == prefix), None)
    if formset is None:
        return None
    return with_added_row(request.POST, prefix, formset.order_field)


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request: HttpRequest) -> HttpResponse:
    require_right(request.user, Decision, "add")
    return _edit_page(request, None, "Neue Beschlussvorlage")


@login_required
@require_http_methods(["GET", "POST"])
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_for_user(request.user, Decision, pk, "change")
    return _edit_page(request, decision, "Beschlussvorlage bearbeiten")


def _section_of_editor(request: HttpRequest, pk: int, anchor: str) -> HttpResponse:
    """A former page of one part: opened, the editor at its section; a form still sent to
    it (an open tab) is saved as the editor saves it (only the parts it sent)."""
    decision = get_for_user(request.user, Decision, pk, "change")
    if request.method == "POST":
        return _edit_page(request, decision, "Beschlussvorlage bearbeiten")
    return redirect(reverse("decisions:edit", args=[decision.pk]) + f"#{anchor}")


@login_required
@require_http_methods(["GET", "POST"])
def decision_edit_text(request: HttpRequest, pk: int) -> HttpResponse:
    return _section_of_editor(request, pk, "begruendung")


@login_required
@require_http_methods(["GET", "POST"])
def decision_edit_finance(request: HttpRequest, pk: int) -> HttpResponse:
    return _section_of_editor(request, pk, "finanzen")


def _search_positions(request: HttpRequest, decision: Decision) -> tuple[PositionFilter, QuerySet]:
    linked = DecisionPosition.objects.filter(decision=decision).values("position_id")
    base = Position.objects.select_related("org_unit", "pay_grade").exclude(pk__in=linked)
    filterset = PositionFilter(request.GET or None, queryset=base)
    if not filterset.is_bound or not filterset.is_valid():
        return filterset, Position.objects.none()
    return filterset, filterset.qs.order_by("org_unit__code", "id")[:SEARCH_LIMIT]


@require_GET
@login_required
def decision_positions(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_for_user(request.user, Decision, pk, "view")
    can_change = rights(request.user, Decision).change and decision.is_editable
    filterset, results = _search_positions(request, decision) if can_change else (None, [])
    links = (
        DecisionPosition.objects.filter(decision=decision)
        .select_related("position__org_unit", "position__pay_grade")
        .order_by("order", "id")
    )
    return render(
        request,
        "decisions/decision_positions.html",
        {
            "decision": decision,
            "links": links,
            "filter": filterset,
            "results": list(results),
            "limit": SEARCH_LIMIT,
            "can_change": can_change,
        },
    )


def _back_to_positions(request: HttpRequest, decision: Decision) -> HttpResponse:
    url = reverse("decisions:positions", args=[decision.pk])
    query = request.POST.get("next_query", "")
    return redirect(f"{url}?{query}" if query and "\n" not in query else url)


def _version_of(request: HttpRequest) -> int | None:
    form = DecisionVersionForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else None


MISSING_VERSION = "Die Fassung der geöffneten Seite fehlt; bitte die Seite neu laden."


@login_required
@require_POST
def decision_position_add(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_for_user(request.user, Decision, pk, "change")
    form = PositionLinkForm(request.POST)
    if not form.is_valid():
        if "position" in form.errors:
            messages.error(request, "Keine gültige Stelle angegeben; nichts wurde verknüpft.")
        else:
            messages.error(request, MISSING_VERSION)
        return _back_to_positions(request, decision)
    position = (
        Position.objects.filter(pk=form.cleaned_data["position"]).select_related("org_unit").first()
    )
    if position is None:
        messages.error(request, f"Die Stelle Nr. {form.cleaned_data['position']} gibt es nicht.")
        return _back_to_positions(request, decision)
    try:
        services.decision_add_position(
            decision=decision,
            position=position,
            acting_user=request_user(request),
            expected_version=form.cleaned_data["version"],
        )
        messages.success(
            request, f"Stelle {position.org_unit.code} „{position.title}“ hinzugefügt."
        )
    except (ValidationError, ConcurrentEditError) as error:
        messages.error(request, _error_message(error))
    return _back_to_positions(request, decision)


def _error_message(error: ValidationError | ConcurrentEditError) -> str:
    if isinstance(error, ValidationError):
        return _validation_message(error)
    return str(error)


@login_required
@require_POST
def decision_position_remove(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    decision = get_for_user(request.user, Decision, pk, "change")
    link = get_object_or_404(DecisionPosition, pk=link_pk, decision=decision)
    version = _version_of(request)
    if version is None:
        messages.error(request, MISSING_VERSION)
        return _back_to_positions(request, decision)
    try:
        services.decision_remove_position(
            decision=decision,
            link=link,
            acting_user=request_user(request),
            expected_version=version,
        )
        messages.success(request, "Die Stelle wurde aus der Beschlussvorlage entfernt.")
    except (ValidationError, ConcurrentEditError) as error:
        messages.error(request, _error_message(error))
    return _back_to_positions(request, decision)


@login_required
@require_POST
def decision_position_move(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    decision = get_for_user(request.user, Decision, pk, "change")
    link = get_object_or_404(DecisionPosition, pk=link_pk, decision=decision)
    form = MoveForm(request.POST)
    if not form.is_valid():
        if "direction" in form.errors:
            messages.error(request, "Unbekannte Richtung; nichts wurde verschoben.")
        else:
            messages.error(request, MISSING_VERSION)
        return _back_to_positions(request, decision)
    try:
        services.decision_move_position(
            decision=decision,
            link=link,
            direction=form.cleaned_data["direction"],
            acting_user=request_user(request),
            expected_version=form.cleaned_data["version"],
        )
    except (ValidationError, ConcurrentEditError) as error:
        messages.error(request, _error_message(error))
    return _back_to_positions(request, decision)


@login_required
@require_POST
def decision_status(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmed status change (nothing preselected; the checkbox is required)."""
    decision = get_for_user(request.user, Decision, pk, "change")
    form = StatusForm(request.POST, choices=services.allowed_statuses(decision))
    if not form.is_valid():
        messages.error(
            request, f"Status nicht geändert – {_form_problems(form) or MISSING_VERSION}"
        )
        return redirect("decisions:detail", pk=decision.pk)
    if form.cleaned_data["status"] == Decision.Status.ADOPTED:
        return _start_adoption(request, decision, form)
    try:
        change = services.decision_change_status(
            decision=decision,
            status=form.cleaned_data["status"],
            acting_user=request_user(request),
            expected_version=form.cleaned_data["version"],
            on=form.cleaned_data["date"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(
            request, f"Status geändert: {change.get_to_status_display()} am {change.date:%d.%m.%Y}."
        )
    except (ValidationError, ConcurrentEditError) as error:
        messages.error(request, f"Status nicht geändert – {_error_message(error)}")
    return redirect("decisions:detail", pk=decision.pk)


def _start_adoption(request: HttpRequest, decision: Decision, form: StatusForm) -> HttpResponse:
    """ "beschlossen" freezes the record with its PDF/A: a job does it, the page shows its
    progress (the checks that need no rendering answer at once)."""
    try:
        job = start_decision_adoption(
            decision,
            acting_user=request_user(request),
            expected_version=form.cleaned_data["version"],
            on=form.cleaned_data["date"],
            comment=form.cleaned_data["comment"],
        )
    except (ValidationError, ConcurrentEditError) as error:
        messages.error(request, f"Status nicht geändert – {_error_message(error)}")
        return redirect("decisions:detail", pk=decision.pk)
    messages.info(
        request,
        f"Die Beschlussvorlage {decision.grdrs_label} wird beschlossen: die Beschlussfassung "
        "wird als PDF/A gerendert und festgehalten.",
    )
    return redirect("jobs:detail", pk=job.pk)


def _require_reopen_right(request: HttpRequest) -> None:
    if not services.can_reopen(request.user):
        raise PermissionDenied(
            "Nur eine Administratorin oder ein Administrator darf einen endgültigen Status "
            "wieder öffnen oder eine Beschlussfassung neu festhalten."
        )


@login_required
@require_POST
def decision_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator reopens beschlossen/abgelehnt (back to eingebracht) with a reason."""
    _require_reopen_right(request)
    decision = get_for_user(request.user, Decision, pk, "view")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, f"Nicht wieder geöffnet – {_form_problems(form) or MISSING_VERSION}"
        )
        return redirect("decisions:detail", pk=decision.pk)
    try:
        services.decision_reopen(
            decision=decision,
            reason=form.cleaned_data["reason"],
            acting_user=request_user(request),
            expected_version=form.cleaned_data["version"],
        )
        messages.success(
            request,
            "Die Beschlussvorlage ist wieder eingebracht; festgehaltene Beschlussfassungen "
            "bleiben als Historie erhalten.",
        )
    except (ValidationError, ConcurrentEditError) as error:
        messages.error(request, f"Nicht wieder geöffnet – {_error_message(error)}")
    return redirect("decisions:detail", pk=decision.pk)


@login_required
@require_POST
def decision_record_again(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator stores a new version of the adopted record, with a reason."""
    _require_reopen_right(request)
    decision = get_for_user(request.user, Decision, pk, "view")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, f"Nicht neu festgehalten – {_form_problems(form) or MISSING_VERSION}"
        )
        return redirect("decisions:detail", pk=decision.pk)
    try:
        record = services.decision_record_again(
            decision=decision,
            reason=form.cleaned_data["reason"],
            acting_user=request_user(request),
            expected_version=form.cleaned_data["version"],
        )
        messages.success(
            request,
            f"Die Beschlussfassung wurde als Fassung {record.sequence} neu festgehalten; die "
            "bisherige bleibt erhalten.",
        )
    except (ValidationError, ConcurrentEditError) as error:
        messages.error(request, f"Nicht neu festgehalten – {_error_message(error)}")
    return redirect("decisions:detail", pk=decision.pk)


#: The longest text the preview renders (a Beschlussantrag or Begründung is far shorter).
PREVIEW_MAX_CHARS = 200_000


@login_required
@require_POST
def decision_preview(request: HttpRequest) -> HttpResponse:
    """The Markdown of one text field as the detail page and the PDF render it (not saved):
    the editor's "Vorschau" button fetches it. Only for those who edit decisions."""
    require_right(request.user, Decision, "change")
    text = request.POST.get("text", "")
    if len(text) > PREVIEW_MAX_CHARS:
        return HttpResponse(
            f"<p>Der Text ist {len(text)} Zeichen lang; die Vorschau zeigt höchstens "
            f"{PREVIEW_MAX_CHARS} Zeichen.</p>",
            status=400,
        )
    return HttpResponse(render_markdown(text), content_type="text/html; charset=utf-8")


@require_GET
@login_required
def decision_print(request: HttpRequest, pk: int) -> HttpResponse:
    """Before printing: the open findings of the consistency check, then the download.

    An adopted decision prints its record: no findings, marked with the adoption date."""
    decision = get_for_user(request.user, Decision, pk, "view", decision_for_page(pk))
    doc = _document(decision)
    check = _number_check(doc)
    return render(
        request,
        "decisions/decision_print.html",
        {
            "decision": decision,
            "doc": doc,
            "record": doc.record if isinstance(doc, FrozenDocument) else None,
            "check": check,
            "findings": check.findings if check else [],
        },
    )


@require_GET
@login_required
def decision_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF (also with open findings, and with a costing error printed in its place).

    An adopted decision's PDF is the one stored at adoption, byte for byte; another paper's is
    the stored public rendering when that is of the paper as it stands, else rendered now."""
    decision = get_for_user(request.user, Decision, pk, "view")
    record = current_record(decision)
    content = bytes(record.pdf) if record is not None else pdf_for_print(decision)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(decision)}"'
    if record is not None:
        response["X-Content-SHA256"] = record.pdf_sha256
    return response
