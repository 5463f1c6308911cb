"""The Sitzungsdienst's worklist (issue 22): Gremien, Sitzungen with their agendas (the results
entered per meeting in one form), and putting a step of a paper on an agenda.

Everyone logged in reads; the Sitzungsdienst (the right to change decisions' models,
core/roles.py) writes. Thin views: the rules are in decisions/council.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.concurrency import ConcurrentEditError
from core.formatting import counted
from core.permissions import get_for_user, require_right, rights
from core.users import request_user
from decisions import council
from decisions.models import Committee, ConsultationStep, Decision, Meeting
from decisions.selectors import (
    committees_for_list,
    meeting_agenda,
    meetings_for_list,
    schedulable_meetings,
)
from front.forms.council import (
    CommitteeForm,
    MeetingForm,
    ResultFormSet,
    ScheduleForm,
    WorklistVersionForm,
    result_initial,
)
from front.tables import CommitteeTable, MeetingTable, paginate
from front.views.common import versioned_edit

#: The one create/edit page of a Gremium or a Sitzung, and what it says for each.
FORM = "council/object_form.html"
COMMITTEE_PAGE = {
    "kind": "Gremium",
    "list_label": "Gremien",
    "list_url": reverse_lazy("council:committee_list"),
    "update_name": "council:committee_update",
}
MEETING_PAGE = {
    "kind": "Sitzung",
    "list_label": "Sitzungen",
    "list_url": reverse_lazy("council:meeting_list"),
    "update_name": "council:meeting_update",
}

# --- Gremien ---------------------------------------------------------------------------------


@login_required
@require_GET
def committee_list(request: HttpRequest) -> HttpResponse:
    require_right(request.user, Committee, "view")
    queryset = committees_for_list()
    table = CommitteeTable(queryset, can_change=rights(request.user, Committee).change)
    paginate(request, table, count=queryset.count())
    return render(
        request,
        "council/committee_list.html",
        {"table": table, "rights": rights(request.user, Committee)},
    )


def _committee_done(committee: Committee, verb: str) -> tuple[str, str]:
    return f"Das Gremium „{committee.name}“ wurde {verb}.", reverse("council:committee_list")


@login_required
@require_http_methods(["GET", "POST"])
def committee_create_view(request: HttpRequest) -> HttpResponse:
    require_right(request.user, Committee, "add")
    return versioned_edit(
        request,
        CommitteeForm,
        None,
        save=council.committee_create,
        template=FORM,
        name="object",
        done=lambda saved: _committee_done(saved, "angelegt"),
        context=COMMITTEE_PAGE,
    )


@login_required
@require_http_methods(["GET", "POST"])
def committee_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    committee = get_for_user(request.user, Committee, pk, "change")
    return versioned_edit(
        request,
        CommitteeForm,
        committee,
        save=council.committee_update,
        template=FORM,
        name="object",
        done=lambda saved: _committee_done(saved, "gespeichert"),
        gone_url=reverse("council:committee_list"),
        context=COMMITTEE_PAGE,
    )


# --- Sitzungen -------------------------------------------------------------------------------


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    require_right(request.user, Meeting, "view")
    queryset = meetings_for_list()
    committee = request.GET.get("gremium", "")
    if committee.isdigit():
        queryset = queryset.filter(committee_id=int(committee))
    table = MeetingTable(queryset)
    paginate(request, table, count=queryset.count())
    return render(
        request,
        "council/meeting_list.html",
        {
            "table": table,
            "rights": rights(request.user, Meeting),
            "committees": Committee.objects.order_by("name"),
            "chosen": committee,
        },
    )


def _meeting_done(meeting: Meeting, verb: str) -> tuple[str, str]:
    return f"Die Sitzung „{meeting}“ wurde {verb}.", reverse(
        "council:meeting_detail", args=[meeting.pk]
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create_view(request: HttpRequest) -> HttpResponse:
    require_right(request.user, Meeting, "add")
    chosen = request.GET.get("gremium", "")
    return versioned_edit(
        request,
        MeetingForm,
        None,
        save=council.meeting_create,
        template=FORM,
        name="object",
        done=lambda saved: _meeting_done(saved, "angelegt"),
        initial={"committee": int(chosen)} if chosen.isdigit() else None,
        context=MEETING_PAGE,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(
        request.user, Meeting, pk, "change", Meeting.objects.select_related("committee")
    )
    return versioned_edit(
        request,
        MeetingForm,
        meeting,
        save=council.meeting_update,
        template=FORM,
        name="object",
        done=lambda saved: _meeting_done(saved, "gespeichert"),
        gone_url=reverse("council:meeting_list"),
        context={
            **MEETING_PAGE,
            "back_url": reverse("council:meeting_detail", args=[meeting.pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting with its agenda; the Sitzungsdienst enters every item's TOP, result and
    date in one form (POST)."""
    meeting = get_for_user(
        request.user, Meeting, pk, "view", Meeting.objects.select_related("committee")
    )
    can_change = rights(request.user, Meeting).change
    items = meeting_agenda(meeting)
    if request.method == "POST":
        require_right(request.user, Meeting, "change")
        version_form = WorklistVersionForm(request.POST)
        formset = ResultFormSet(request.POST, prefix="top")
        if version_form.is_valid() and formset.is_valid():
            try:
                outcome = council.meeting_record_results(
                    meeting=meeting,
                    entries=[form.entry() for form in formset],
                    acting_user=request_user(request),
                    expected_version=version_form.cleaned_data["version"],
                )
            except ConcurrentEditError as error:
                messages.error(request, str(error))
                return redirect("council:meeting_detail", pk=meeting.pk)
            except ValidationError as error:
                formset_errors = error.messages
            else:
                _report(request, outcome)
                return redirect("council:meeting_detail", pk=meeting.pk)
        else:
            formset_errors = ["Bitte die markierten Eingaben prüfen; nichts wurde gespeichert."]
    else:
        version_form = WorklistVersionForm(initial={"version": meeting.version})
        formset = ResultFormSet(initial=result_initial(items), prefix="top")
        formset_errors = []
    rows = list(zip(items, formset.forms, strict=False)) if can_change else []
    return render(
        request,
        "council/meeting_detail.html",
        {
            "meeting": meeting,
            "items": items,
            "rows": rows,
            "formset": formset,
            "version_form": version_form,
            "errors": formset_errors,
            "can_change": can_change,
        },
    )


def _report(request: HttpRequest, outcome: council.ResultsOutcome) -> None:
    if not outcome.changed:
        messages.info(request, "Keine Änderung: nichts wurde gespeichert.")
        return
    messages.success(
        request, f"{counted(len(outcome.changed), 'Ergebnis', 'Ergebnisse')} gespeichert."
    )
    for decision in outcome.rejected:
        messages.success(request, f"{decision.grdrs_label} ist abgelehnt.")
    for job in outcome.adoptions:
        message = (job.result or {}).get("message") or job.error or "Beschluss wird festgehalten."
        if job.status == job.Status.FAILED:
            messages.error(
                request,
                f"Beschluss nicht festgehalten: {message} Das Ergebnis ist eingetragen; nach "
                "der Korrektur die Vorlage auf ihrer Seite unter „Status“ beschließen.",
            )
        else:
            messages.success(request, message)
    for step in outcome.continued:
        messages.info(
            request,
            f"{step.decision.grdrs_label} ist vertagt und wartet auf eine neue Sitzung "
            f"des Gremiums {step.committee.name}.",
        )


# --- auf Tagesordnung setzen -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def step_schedule_view(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    """Put one step of a paper's Beratungsfolge on a meeting of its committee."""
    decision = get_for_user(request.user, Decision, pk, "change")
    step = get_object_or_404(
        ConsultationStep.objects.select_related("committee", "meeting"),
        pk=step_pk,
        decision=decision,
    )
    form = ScheduleForm(
        request.POST or None,
        step=step,
        initial={
            "version": decision.version,
            "meeting": step.meeting_id,
            "agenda_number": step.agenda_number,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            council.step_schedule(
                step=step,
                meeting=form.cleaned_data["meeting"],
                agenda_number=form.cleaned_data["agenda_number"],
                acting_user=request_user(request),
                expected_version=form.cleaned_data["version"],
            )
        except ConcurrentEditError as error:
            messages.error(request, str(error))
            return redirect("decisions:detail", pk=decision.pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            meeting = form.cleaned_data["meeting"]
            messages.success(
                request,
                f"{decision.grdrs_label} steht auf der Tagesordnung: {meeting}"
                + (
                    f", TOP {form.cleaned_data['agenda_number']}"
                    if form.cleaned_data["agenda_number"]
                    else ""
                )
                + ".",
            )
            return redirect("decisions:detail", pk=decision.pk)
    return render(
        request,
        "council/step_schedule.html",
        {
            "decision": decision,
            "step": step,
            "form": form,
            "meetings": schedulable_meetings(step),
            "can_add_meeting": rights(request.user, Meeting).add,
        },
    )


# --- Ergänzungs- und Austauschvorlage --------------------------------------------------------


@login_required
@require_POST
def decision_amend_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Start an Ergänzungs- or Austauschvorlage of the paper (a new draft, then its editor)."""
    original = get_for_user(request.user, Decision, pk, "change")
    require_right(request.user, Decision, "add")
    try:
        amendment = council.decision_amend(
            original=original,
            kind=request.POST.get("kind", ""),
            acting_user=request_user(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("decisions:detail", pk=original.pk)
    messages.success(
        request,
        f"{amendment.get_amendment_kind_display()} {amendment.grdrs_label} angelegt (Entwurf); "
        f"{original.grdrs_label} bleibt unverändert.",
    )
    return redirect("decisions:edit", pk=amendment.pk)
