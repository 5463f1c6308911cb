"""The Beratungsfolge as a worklist (issue 22): models, constraints and services of
decisions/council.py and the status rules of decisions/services.py."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from decisions.council import (
    ResultEntry,
    decision_amend,
    meeting_create,
    meeting_record_results,
    meeting_update,
    step_schedule,
)
from decisions.models import AdoptedRecord, Committee, ConsultationStep, Decision, Meeting
from decisions.services import decision_change_status, decision_reopen

BERLIN = ZoneInfo("Europe/Berlin")
Status = Decision.Status
Result = ConsultationStep.Result


def at(day: date, hour: int = 16) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN)


def meeting_of(name: str, day: date) -> Meeting:
    return meeting_create(
        acting_user=None,
        data={"committee": Committee.objects.get(name=name), "start": at(day)},
    )


def step_of(decision: Decision, name: str) -> ConsultationStep:
    return decision.consultation_steps.exclude(result=Result.POSTPONED).get(committee__name=name)


def version(decision: Decision) -> int:
    return Decision.objects.get(pk=decision.pk).version


def schedule(decision: Decision, name: str, meeting: Meeting, top: str = "") -> ConsultationStep:
    return step_schedule(
        step=step_of(decision, name),
        meeting=meeting,
        agenda_number=top,
        acting_user=None,
        expected_version=version(decision),
    )


def enter(meeting: Meeting, step: ConsultationStep, result: str, on: date | None, note=""):
    meeting.refresh_from_db()
    return meeting_record_results(
        meeting=meeting,
        entries=[ResultEntry(step.pk, result, on, note)],
        acting_user=None,
        expected_version=meeting.version,
    )


# --- models and constraints ------------------------------------------------------------------


def test_the_reference_steps_point_to_committee_rows_that_print_the_same_names(reference):
    names = [step.committee.name for step in reference.consultation_steps.all()]
    assert names == [
        "Unterausschuss JobCenter",
        "Ausschuss für Wirtschaft und Wohnen",
        "Verwaltungsausschuss",
        "Gemeinderat",
    ]
    council = Committee.objects.get(name="Gemeinderat")
    assert council.classification == Committee.Classification.MAIN
    deciding = [
        step.committee.name for step in reference.consultation_steps.all() if step.authoritative
    ]
    assert deciding == ["Gemeinderat"]


def test_a_top_is_unique_within_a_meeting(reference):
    meeting = meeting_of("Verwaltungsausschuss", date(2011, 10, 5))
    schedule(reference, "Verwaltungsausschuss", meeting, "13")
    other = Decision.objects.create(number="648/2011", date=date(2011, 9, 20), title="Andere")
    ConsultationStep.objects.create(
        decision=other,
        committee=Committee.objects.get(name="Verwaltungsausschuss"),
        purpose=ConsultationStep.Purpose.PRELIMINARY,
    )
    with pytest.raises(ValidationError) as raised:
        schedule(other, "Verwaltungsausschuss", meeting, "13")
    assert "Der TOP 13 ist in dieser Sitzung schon vergeben." in raised.value.messages
    assert step_of(other, "Verwaltungsausschuss").meeting is None
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationStep.objects.filter(decision=other).update(meeting=meeting, agenda_number="13")


def test_a_result_needs_a_meeting_and_a_date(reference):
    step = step_of(reference, "Gemeinderat")
    step.result = Result.APPROVED
    with pytest.raises(ValidationError) as raised:
        step.full_clean()
    assert "erst nach seiner Sitzung" in str(raised.value)
    assert "Ergebnis und Datum des Ergebnisses gehören zusammen" in str(raised.value)


def test_a_meeting_does_not_end_before_it_starts(reference):
    with pytest.raises(ValidationError, match="Ende der Sitzung darf nicht vor ihrem Beginn"):
        meeting_create(
            acting_user=None,
            data={
                "committee": Committee.objects.get(name="Gemeinderat"),
                "start": at(date(2027, 1, 28), 16),
                "end": at(date(2027, 1, 28), 15),
            },
        )


# --- scheduling -----------------------------------------------------------------------------


def test_a_step_goes_on_a_meeting_of_its_committee_and_takes_its_day(reference):
    meeting = meeting_of("Verwaltungsausschuss", date(2011, 10, 12))
    step = schedule(reference, "Verwaltungsausschuss", meeting, "13")
    assert (step.meeting, step.agenda_number, step.meeting_date) == (
        meeting,
        "13",
        date(2011, 10, 12),
    )
    assert step.agenda_label == "Ö 13"
    elsewhere = meeting_of("Gemeinderat", date(2011, 10, 13))
    with pytest.raises(ValidationError, match="Sitzung des Gremiums Gemeinderat"):
        schedule(reference, "Verwaltungsausschuss", elsewhere)
    # a meeting moved to another day takes its agenda along: one truth for the date
    meeting_update(
        acting_user=None,
        instance=meeting,
        expected_version=meeting.version,
        data={"start": at(date(2011, 10, 5))},
    )
    assert step_of(reference, "Verwaltungsausschuss").meeting_date == date(2011, 10, 5)


# --- results and the paper's status -----------------------------------------------------------


def test_beschlossen_is_refused_before_the_deciding_meeting_and_without_its_result(reference):
    def adopt(on: date):
        return decision_change_status(
            decision=reference,
            status=Status.ADOPTED,
            acting_user=None,
            expected_version=version(reference),
            on=on,
        )

    with pytest.raises(ValidationError, match="steht noch auf keiner Tagesordnung"):
        adopt(date(2011, 10, 6))
    council = meeting_of("Gemeinderat", date(2011, 10, 6))
    schedule(reference, "Gemeinderat", council, "5")
    with pytest.raises(ValidationError, match="frühestens am Tag der Sitzung"):
        adopt(date(2011, 10, 5))
    with pytest.raises(ValidationError, match="Ergebnis: noch keines"):
        adopt(date(2011, 10, 6))
    with pytest.raises(ValidationError, match="Ergebnis: noch keines"):
        decision_change_status(
            decision=reference,
            status=Status.REJECTED,
            acting_user=None,
            expected_version=version(reference),
            on=date(2011, 10, 6),
        )
    reference.refresh_from_db()
    assert reference.status == Status.SUBMITTED


def test_a_preparatory_result_is_recorded_and_does_not_move_the_paper(reference):
    meeting = meeting_of("Verwaltungsausschuss", date(2011, 10, 5))
    step = schedule(reference, "Verwaltungsausschuss", meeting, "13")
    outcome = enter(meeting, step, Result.APPROVED, date(2011, 10, 5), "einstimmig")
    step.refresh_from_db()
    assert (step.result, step.result_date, step.result_note) == (
        Result.APPROVED,
        date(2011, 10, 5),
        "einstimmig",
    )
    assert outcome.adoptions == [] and outcome.rejected == []
    reference.refresh_from_db()
    assert reference.status == Status.SUBMITTED


def test_the_deciding_result_adopts_the_paper_on_the_result_date(reference):
    council = meeting_of("Gemeinderat", date(2011, 10, 6))
    step = schedule(reference, "Gemeinderat", council, "5")
    outcome = enter(council, step, Result.APPROVED_AMENDED, date(2011, 10, 6), "Ziffer 2 geändert")
    reference.refresh_from_db()
    assert reference.status == Status.ADOPTED
    assert [job.status for job in outcome.adoptions] == ["succeeded"]
    record = AdoptedRecord.objects.get(decision=reference)
    assert record.adopted_on == date(2011, 10, 6)
    change = reference.status_changes.last()
    assert (change.to_status, change.date, change.comment) == (
        Status.ADOPTED,
        date(2011, 10, 6),
        "Gemeinderat am 06.10.2011, TOP 5",
    )
    # decided: its result stays (only reopening changes it)
    with pytest.raises(ValidationError, match="schon beschlossen"):
        enter(council, step, Result.REJECTED, date(2011, 10, 6))


def test_reopen_keeps_working_after_an_adoption_from_the_worklist(reference, django_user_model):
    council = meeting_of("Gemeinderat", date(2011, 10, 6))
    step = schedule(reference, "Gemeinderat", council, "5")
    enter(council, step, Result.APPROVED, date(2011, 10, 6))
    admin = django_user_model.objects.create_superuser("chefin")
    decision_reopen(
        decision=reference, reason="Fehler", acting_user=admin, expected_version=version(reference)
    )
    reference.refresh_from_db()
    assert reference.status == Status.SUBMITTED
    decision_change_status(
        decision=reference,
        status=Status.ADOPTED,
        acting_user=admin,
        expected_version=version(reference),
        on=date(2011, 10, 7),
    )
    assert AdoptedRecord.objects.filter(decision=reference).count() == 2


def test_abgelehnt_rejects_the_paper(reference):
    council = meeting_of("Gemeinderat", date(2011, 10, 6))
    step = schedule(reference, "Gemeinderat", council, "5")
    outcome = enter(council, step, Result.REJECTED, date(2011, 10, 6))
    reference.refresh_from_db()
    assert reference.status == Status.REJECTED and outcome.rejected == [reference]
    assert not AdoptedRecord.objects.filter(decision=reference).exists()


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (date(2011, 10, 5), "liegt vor der Sitzung am 06.10.2011"),
        (None, "bitte das Datum des Ergebnisses angeben"),
        ("tomorrow", "liegt in der Zukunft"),
    ],
)
def test_a_result_before_the_meeting_in_the_future_or_undated_changes_nothing(
    reference, on, message
):
    council = meeting_of("Gemeinderat", date(2011, 10, 6))
    step = schedule(reference, "Gemeinderat", council, "5")
    if on == "tomorrow":
        on = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match=message):
        enter(council, step, Result.APPROVED, on)
    step.refresh_from_db()
    reference.refresh_from_db()
    assert (step.result, reference.status) == ("", Status.SUBMITTED)


def test_a_meeting_that_has_not_taken_place_has_no_result_yet(reference):
    """The tester's case: the Gemeinderat meets on 28.01.2027; on 06.12.2026 nothing may be
    beschlossen, neither by the worklist nor by the status form."""
    today = timezone.localdate()
    future = meeting_of("Gemeinderat", today + timedelta(days=50))
    step = schedule(reference, "Gemeinderat", future, "5")
    with pytest.raises(ValidationError, match="liegt vor der Sitzung"):
        enter(future, step, Result.APPROVED, today)
    with pytest.raises(ValidationError, match="frühestens am Tag der Sitzung"):
        decision_change_status(
            decision=reference,
            status=Status.ADOPTED,
            acting_user=None,
            expected_version=version(reference),
            on=today,
        )


def test_vertagt_keeps_the_item_and_the_paper_continues_on_a_later_meeting(reference):
    first = meeting_of("Gemeinderat", date(2011, 10, 6))
    step = schedule(reference, "Gemeinderat", first, "5")
    outcome = enter(first, step, Result.POSTPONED, date(2011, 10, 6))
    reference.refresh_from_db()
    assert reference.status == Status.SUBMITTED
    [follow] = outcome.continued
    assert (follow.committee.name, follow.purpose, follow.meeting, follow.postponed_from) == (
        "Gemeinderat",
        ConsultationStep.Purpose.RESOLUTION,
        None,
        step,
    )
    # the first meeting's agenda keeps the item with its result
    assert list(first.agenda_items.values_list("agenda_number", "result")) == [
        ("5", Result.POSTPONED)
    ]
    with pytest.raises(ValidationError, match="das Ergebnis bleibt"):
        enter(first, step, Result.APPROVED, date(2011, 10, 6))
    second = meeting_of("Gemeinderat", date(2011, 10, 20))
    follow = schedule(reference, "Gemeinderat", second, "3")
    enter(second, follow, Result.APPROVED, date(2011, 10, 20))
    reference.refresh_from_db()
    assert reference.status == Status.ADOPTED
    assert AdoptedRecord.objects.get(decision=reference).adopted_on == date(2011, 10, 20)


def test_a_mitteilungsvorlage_is_never_beschlossen(reference):
    notice = Decision.objects.create(
        number="700/2011",
        date=date(2011, 9, 1),
        title="Bericht",
        kind=Decision.Kind.NOTICE,
        status=Status.SUBMITTED,
    )
    with pytest.raises(ValidationError, match="Mitteilungsvorlage wird nicht beschlossen"):
        decision_change_status(
            decision=notice,
            status=Status.ADOPTED,
            acting_user=None,
            expected_version=notice.version,
            on=date(2011, 10, 1),
        )


# --- Ergänzungs- und Austauschvorlagen ------------------------------------------------------


def test_amendments_keep_the_number_with_a_suffix_and_link_both_ways(reference):
    first = decision_amend(original=reference, kind="ergaenzung", acting_user=None)
    second = decision_amend(original=reference, kind="ergaenzung", acting_user=None)
    swap = decision_amend(original=reference, kind="austausch", acting_user=None)
    assert [d.grdrs_label for d in (first, second, swap)] == [
        "GRDrs 647/2011 Ergänzung",
        "GRDrs 647/2011 Ergänzung 2",
        "GRDrs 647/2011 Austausch",
    ]
    assert set(reference.amendments.all()) == {first, second, swap}
    assert swap.amends == reference and swap.status == Status.DRAFT
    # the Austauschvorlage takes the text to replace; the Ergänzung starts without it
    assert swap.proposal_points.count() == reference.proposal_points.count() > 0
    assert first.proposal_points.count() == 0
    assert [s.committee.name for s in swap.consultation_steps.all()] == [
        s.committee.name for s in reference.consultation_steps.all()
    ]
    assert swap.position_links.count() == reference.position_links.count()
    # the original stays as it was
    reference.refresh_from_db()
    assert (reference.number, reference.number_suffix, reference.status) == (
        "647/2011",
        "",
        Status.SUBMITTED,
    )
    with pytest.raises(ValidationError, match="ursprünglichen Vorlage"):
        decision_amend(original=swap, kind="ergaenzung", acting_user=None)
