"""OParl Meeting, AgendaItem, Consultation and the committees from the council's own records
(issue 22): Sitzungen with start, end, place, state and agenda (TOP, result, resolution), the
Gremien with their classification, and nothing published ever answering 404."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from decisions.models import Committee, ConsultationStep, Decision, Meeting
from tests.oparl.conftest import PREFIX, all_pages, check_object, crawl, get, objects_in
from tests.oparl.consumers.bonn import import_object

Result = ConsultationStep.Result
MEETINGS = f"{PREFIX}body/stadt/meeting/"
SINCE = "modified_since=2000-01-01T00:00:00%2B01:00"


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def place(step: ConsultationStep, meeting: Meeting, number: str = "") -> ConsultationStep:
    """Put `step` on `meeting`'s agenda as the services do (the date follows the meeting)."""
    step.meeting = meeting
    step.meeting_date = meeting.day
    step.agenda_number = number
    step.updated_at = timezone.now()
    step.save()
    return step


@pytest.fixture
def reference(seed) -> Decision:
    return Decision.objects.get(number="647/2011")


@pytest.fixture
def sitzungen(reference) -> dict[str, ConsultationStep]:
    """The reference paper's steps on real Sitzungen with TOPs; the closed one too."""
    steps = {s.committee.name: s for s in reference.consultation_steps.all()}
    for name, step in steps.items():
        day = step.meeting_date
        meeting = Meeting.objects.create(
            committee=step.committee,
            start=at(day, 15 if name == "Gemeinderat" else 9),
            end=at(day, 19) if name == "Gemeinderat" else None,
            location="Rathaus, Großer Sitzungssaal" if name == "Gemeinderat" else "",
        )
        place(step, meeting, "7" if name == "Gemeinderat" else "3")
    return steps


def meeting_of(api, step: ConsultationStep) -> dict[str, Any]:
    return get(api, get(api, f"{PREFIX}consultation/{step.pk}/")["meeting"])


def test_a_sitzung_is_published_with_its_time_place_and_agenda(sitzungen, api, validators):
    council = sitzungen["Gemeinderat"]
    meeting = meeting_of(api, council)
    assert meeting["id"] == f"http://testserver{PREFIX}meeting/{council.meeting_id}/"
    assert meeting["name"] == "Gemeinderat, Sitzung am 06.10.2011"
    assert meeting["start"] == "2011-10-06T15:00:00+02:00"
    assert meeting["end"] == "2011-10-06T19:00:00+02:00"
    assert meeting["cancelled"] is False
    assert meeting["meetingState"] == "eingeladen"  # past, no result entered
    assert meeting["location"]["description"] == "Rathaus, Großer Sitzungssaal"
    [item] = meeting["agendaItem"]
    assert item["number"] == "7" and item["order"] == 0
    assert item["start"] == meeting["start"]
    assert "meeting" not in item  # embedded: no back reference
    alone = get(api, item["id"])
    assert alone["meeting"] == meeting["id"]
    place_obj = get(api, meeting["location"]["id"])
    assert place_obj["meetings"] == [meeting["id"]]
    for obj in (meeting, alone, place_obj):
        for inner in objects_in(obj):
            check_object(inner, validators)
        import_object(obj)


def test_the_agenda_follows_the_tops(sitzungen, api):
    council = sitzungen["Gemeinderat"]
    from tests.oparl.test_oparl import make_paper

    others = [make_paper(n) for n in (710, 711, 712)]
    for paper, number in zip(others, ("10", "2", "7.1"), strict=True):
        step = paper.consultation_steps.get(purpose="beschlussfassung")
        step.committee = council.committee
        place(step, council.meeting, number)
    meeting = meeting_of(api, council)
    assert [i["number"] for i in meeting["agendaItem"]] == ["2", "7", "7.1", "10"]
    assert [i["order"] for i in meeting["agendaItem"]] == [0, 1, 2, 3]


def test_results_and_the_resolution_are_shown_on_public_items(sitzungen, api, reference):
    council = sitzungen["Gemeinderat"]
    committee = sitzungen["Verwaltungsausschuss"]
    for step, result in ((committee, Result.APPROVED), (council, Result.APPROVED_AMENDED)):
        step.result = result
        step.result_date = step.meeting.day
        step.result_note = "Ziffer 2 gestrichen." if step is council else ""
        step.save()
    item = get(api, f"{PREFIX}agendaitem/{council.pk}/")
    assert item["result"] == "mit Änderungen zugestimmt"
    assert item["resolutionText"].endswith("Änderungen: Ziffer 2 gestrichen.")
    first_point = reference.proposal_points.order_by("order").first().text
    assert item["resolutionText"].startswith(first_point)
    before = get(api, f"{PREFIX}agendaitem/{committee.pk}/")
    assert before["result"] == "zugestimmt"
    assert "resolutionText" not in before  # a Vorberatung resolves nothing
    assert meeting_of(api, council)["meetingState"] == "durchgeführt"


def test_a_closed_step_on_a_sitzung_names_no_meeting(sitzungen, api):
    closed = sitzungen["Unterausschuss JobCenter"]
    closed.result, closed.result_date = Result.NOTED, closed.meeting.day
    closed.save()
    consultation = get(api, f"{PREFIX}consultation/{closed.pk}/")
    assert "meeting" not in consultation
    item = get(api, consultation["agendaItem"])
    assert item["public"] is False
    assert item["number"] == "nicht öffentlich"
    for key in ("meeting", "result", "resolutionText", "start"):
        assert key not in item
    import_object(item)
    text = str(crawl(api))
    assert "2011-09-23" not in text and "23.09.2011" not in text
    get(api, f"{PREFIX}meeting/{closed.meeting_id}/", status=404)


def test_committees_carry_their_classification(sitzungen, api, validators):
    organizations = {
        o["name"]: o
        for page in all_pages(api, f"{PREFIX}body/stadt/organization/?limit=100")
        for o in page["data"]
    }
    assert organizations["Gemeinderat"]["classification"] == "Parlament"
    assert organizations["Gemeinderat"]["shortName"] == "GR"
    assert organizations["Verwaltungsausschuss"]["classification"] == "Ausschuss"
    assert organizations["Unterausschuss JobCenter"]["classification"] == "Unterausschuss"
    for organization in organizations.values():
        assert organization["classification"]
        check_object(organization, validators)
        import_object(organization)


def test_a_future_and_a_cancelled_sitzung(reference, api):
    step = reference.consultation_steps.get(committee__name="Verwaltungsausschuss")
    future = Meeting.objects.create(
        committee=step.committee, start=timezone.now() + timedelta(days=30), cancelled=True
    )
    place(step, future, "1")
    meeting = meeting_of(api, step)
    assert meeting["meetingState"] == "terminiert"
    assert meeting["cancelled"] is True


def test_a_sitzung_that_loses_its_last_public_item_is_deleted(sitzungen, api):
    step = sitzungen["Ausschuss für Wirtschaft und Wohnen"]
    old = meeting_of(api, step)
    later = Meeting.objects.create(committee=step.committee, start=at(date(2011, 10, 20), 9))
    place(step, later, "1")
    gone = get(api, old["id"])
    assert gone["deleted"] is True
    assert gone["modified"] >= old["modified"]
    updates = {m["id"]: m for p in all_pages(api, f"{MEETINGS}?{SINCE}") for m in p["data"]}
    assert updates[old["id"]]["deleted"] is True
    assert old["id"] not in {m["id"] for p in all_pages(api, MEETINGS) for m in p["data"]}
    assert meeting_of(api, step)["agendaItem"][0]["id"] == old["agendaItem"][0]["id"]


def test_a_step_taken_off_the_agenda_is_a_deleted_agenda_item(sitzungen, api):
    step = sitzungen["Verwaltungsausschuss"]
    item_url = get(api, f"{PREFIX}consultation/{step.pk}/")["agendaItem"]
    step.meeting, step.meeting_date, step.agenda_number = None, None, ""
    step.save()
    assert get(api, item_url)["deleted"] is True
    assert "agendaItem" not in get(api, f"{PREFIX}consultation/{step.pk}/")


def test_the_day_published_before_sitzungen_existed_is_deleted_once_placed(reference, api):
    """The seed's steps have dates but no Sitzung: OParl published the committee's day; once
    the step is on a Sitzung, that day answers as deleted and the Sitzung is published."""
    step = reference.consultation_steps.get(committee__name="Gemeinderat")
    step.save()  # its history as the app writes it (the seed is loaded without)
    day_meeting = meeting_of(api, step)
    assert day_meeting["stellenplan:ohneUhrzeit"] is True
    assert day_meeting["start"] == "2011-10-06T00:00:00+02:00"
    sitzung = Meeting.objects.create(committee=step.committee, start=at(step.meeting_date, 16))
    place(step, sitzung, "4")
    assert get(api, day_meeting["id"])["deleted"] is True
    assert meeting_of(api, step)["id"].endswith(f"/meeting/{sitzung.pk}/")


def test_a_committee_that_loses_its_last_step_is_deleted(reference, api):
    step = reference.consultation_steps.get(committee__name="Verwaltungsausschuss")
    step.save()  # its history as the app writes it (the seed is loaded without)
    url = get(api, f"{PREFIX}consultation/{step.pk}/")["organization"][0]
    step.committee = Committee.objects.get(name="Jugendhilfeausschuss")
    step.save()
    assert get(api, url)["deleted"] is True


def test_the_place_only_where_the_city_publishes_it(sitzungen, api, settings):
    settings.OPARL = {**settings.OPARL, "meeting_location": False}
    meeting = meeting_of(api, sitzungen["Gemeinderat"])
    assert "location" not in meeting
    assert get(api, f"{meeting['id']}ort/")["deleted"] is True


def test_the_meeting_list_reads_a_constant_number_of_queries(
    sitzungen, api, django_assert_num_queries
):
    from tests.oparl.test_oparl import make_paper

    for n in range(720, 730):
        paper = make_paper(n)
        for step in paper.consultation_steps.all():
            sitzung = Meeting.objects.create(
                committee=step.committee, start=at(date(2012, 3, 1), 9)
            )
            place(step, sitzung, "1")
    # step history, steps, committees, Sitzungen and their agendas; the papers of the agenda
    # items with their steps, units, annexes, signatories; resolution texts
    with django_assert_num_queries(11):
        page = get(api, f"{MEETINGS}?limit=100")
    assert len(page["data"]) == 23
    assert f"GRDrs {paper.number}: " in str(page)


def test_a_full_crawl_with_sitzungen_is_valid_and_kept_by_bonn(sitzungen, api, validators):
    council = sitzungen["Gemeinderat"]
    council.result, council.result_date = Result.APPROVED, council.meeting.day
    council.save()
    found = crawl(api)
    kinds = {obj["type"].rsplit("/", 1)[-1] for obj in found.values()}
    assert {"Meeting", "AgendaItem", "Location", "Person", "Organization"} <= kinds
    for obj in found.values():
        for inner in objects_in(obj):
            check_object(inner, validators)
            if inner["type"].rsplit("/", 1)[-1] not in ("System", "Body"):
                import_object(inner)
    meetings = [o for o in found.values() if o["type"].endswith("/Meeting")]
    assert len(meetings) == 3 and all(m["agendaItem"] for m in meetings)
