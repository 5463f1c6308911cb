"""The Sitzungsdienst's pages of the worklist (issue 22), through the client: Gremien,
Sitzungen, the agenda with its results, "auf Tagesordnung setzen", amendments, and the printed
Beratungsfolge."""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from pypdf import PdfReader

from decisions.models import Committee, ConsultationStep, Decision, Meeting

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def council_meeting(reference) -> Meeting:
    return Meeting.objects.create(
        committee=Committee.objects.get(name="Gemeinderat"),
        start=datetime(2011, 10, 6, 16, tzinfo=BERLIN),
        location="Rathaus, Großer Sitzungssaal",
    )


def gr_step(decision: Decision) -> ConsultationStep:
    return decision.consultation_steps.get(committee__name="Gemeinderat")


def test_it_lists_and_creates_and_edits_committees(sitzungsdienst, reference):
    html = sitzungsdienst.get(reverse("council:committee_list")).content.decode()
    assert "Ausschuss für Wirtschaft und Wohnen" in html and "Hauptorgan (Gemeinderat)" in html
    response = sitzungsdienst.post(
        reverse("council:committee_create"),
        {
            "name": "  Bezirksbeirat   Mitte ",
            "short_name": "BBR Mitte",
            "classification": "bezirksbeirat",
            "active": "on",
        },
    )
    assert response.status_code == 302
    created = Committee.objects.get(name="Bezirksbeirat Mitte")
    response = sitzungsdienst.post(
        reverse("council:committee_update", args=[created.pk]),
        {
            "name": "Bezirksbeirat Mitte",
            "short_name": "BBR Mitte",
            "classification": "bezirksbeirat",
            "version": created.version,
        },
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert (created.active, created.version) == (False, 2)
    # a name taken: the model's German message on the form, nothing saved
    response = sitzungsdienst.post(
        reverse("council:committee_create"),
        {"name": "Gemeinderat", "classification": "hauptorgan", "active": "on"},
    )
    assert "Ein Gremium mit diesem Namen gibt es schon." in response.content.decode()
    assert Committee.objects.filter(name="Gemeinderat").count() == 1


def test_only_the_sitzungsdienst_edits_committees(personalamt, reference):
    assert personalamt.get(reverse("council:committee_list")).status_code == 200
    assert personalamt.get(reverse("council:committee_create")).status_code == 403


def test_it_creates_a_meeting_from_german_date_and_time(sitzungsdienst, reference):
    council = Committee.objects.get(name="Gemeinderat")
    response = sitzungsdienst.post(
        reverse("council:meeting_create"),
        {
            "committee": council.pk,
            "day": "28.01.2027",
            "start_time": "16:00",
            "end_time": "19:30",
            "location": "Rathaus",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(committee=council)
    assert meeting.start == datetime(2027, 1, 28, 16, tzinfo=BERLIN)
    assert meeting.end == datetime(2027, 1, 28, 19, 30, tzinfo=BERLIN)
    response = sitzungsdienst.post(
        reverse("council:meeting_create"),
        {"committee": council.pk, "day": "31.02.2027", "start_time": "16:00"},
    )
    assert "„31.02.2027“ ist kein gültiges Datum" in response.content.decode()


def test_the_meeting_list_shows_coming_meetings_first(sitzungsdienst, council_meeting):
    coming = Meeting.objects.create(
        committee=Committee.objects.get(name="Verwaltungsausschuss"),
        start=datetime(2099, 1, 28, 16, tzinfo=BERLIN),
    )
    html = sitzungsdienst.get(reverse("council:meeting_list")).content.decode()
    assert html.index("28.01.2099") < html.index("06.10.2011")
    assert reverse("council:meeting_detail", args=[coming.pk]) in html


def test_the_paper_page_schedules_a_step_and_shows_meeting_top_and_result(
    sitzungsdienst, reference, council_meeting
):
    step = gr_step(reference)
    url = reverse("council:step_schedule", args=[reference.pk, step.pk])
    html = sitzungsdienst.get(reverse("decisions:detail", args=[reference.pk])).content.decode()
    assert f'href="{url}"' in html and "auf Tagesordnung setzen" in html
    assert str(council_meeting) in sitzungsdienst.get(url).content.decode()
    version = Decision.objects.get(pk=reference.pk).version
    response = sitzungsdienst.post(
        url, {"meeting": council_meeting.pk, "agenda_number": "5", "version": version}
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert (step.meeting, step.agenda_number, step.meeting_date) == (
        council_meeting,
        "5",
        date(2011, 10, 6),
    )
    html = sitzungsdienst.get(reverse("decisions:detail", args=[reference.pk])).content.decode()
    assert "06.10.2011, 16:00 Uhr" in html and "Ö 5" in html


def test_the_worklist_enters_results_and_the_deciding_one_adopts_the_paper(
    sitzungsdienst, reference, council_meeting
):
    step = gr_step(reference)
    ConsultationStep.objects.filter(pk=step.pk).update(
        meeting=council_meeting, agenda_number="5", meeting_date=date(2011, 10, 6)
    )
    url = reverse("council:meeting_detail", args=[council_meeting.pk])
    html = sitzungsdienst.get(url).content.decode()
    assert "GRDrs 647/2011" in html and 'name="top-0-result"' in html

    def post(**row):
        return sitzungsdienst.post(
            url,
            {
                "version": Meeting.objects.get(pk=council_meeting.pk).version,
                "top-TOTAL_FORMS": "1",
                "top-INITIAL_FORMS": "1",
                "top-0-step": str(step.pk),
                "top-0-agenda_number": "5",
                **{f"top-0-{key}": value for key, value in row.items()},
            },
            follow=True,
        )

    # before the meeting: refused with a German message naming the TOP, nothing changed
    response = post(result="zugestimmt", result_date="05.10.2011")
    html = response.content.decode()
    assert (
        "TOP 5: das Datum des Ergebnisses (05.10.2011) liegt vor der Sitzung am 06.10.2011." in html
    )
    reference.refresh_from_db()
    assert reference.status == "eingebracht" and gr_step(reference).result == ""
    response = post(result="zugestimmt", result_date="06.10.2011", note="einstimmig")
    html = response.content.decode()
    assert "Status geändert: beschlossen am 06.10.2011" in html
    reference.refresh_from_db()
    assert reference.status == "beschlossen"
    assert gr_step(reference).result_note == "einstimmig"


def test_others_read_the_agenda_but_cannot_enter_results(personalamt, council_meeting):
    url = reverse("council:meeting_detail", args=[council_meeting.pk])
    html = personalamt.get(url).content.decode()
    assert "Tagesordnung" in html and "Ergebnisse speichern" not in html
    assert personalamt.post(url, {}).status_code == 403


def test_the_paper_page_starts_an_austauschvorlage_and_links_both_versions(
    sitzungsdienst, reference
):
    response = sitzungsdienst.post(
        reverse("council:amend", args=[reference.pk]), {"kind": "austausch"}
    )
    swap = Decision.objects.get(amends=reference)
    assert response.url == reverse("decisions:edit", args=[swap.pk])
    original = sitzungsdienst.get(reverse("decisions:detail", args=[reference.pk])).content.decode()
    assert "ersetzt durch" in original and "GRDrs 647/2011 Austausch" in original
    page = sitzungsdienst.get(reverse("decisions:detail", args=[swap.pk])).content.decode()
    assert "Austauschvorlage zu" in page and "GRDrs 647/2011</a>" in page


def test_the_printed_paper_keeps_its_beratungsfolge(sitzungsdienst, reference, council_meeting):
    ConsultationStep.objects.filter(pk=gr_step(reference).pk).update(
        meeting=council_meeting,
        agenda_number="5",
        result="zugestimmt",
        result_date=date(2011, 10, 6),
    )
    response = sitzungsdienst.get(reverse("decisions:pdf", args=[reference.pk]))
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.getvalue())).pages)
    for printed in (
        "Unterausschuss JobCenter",
        "Ausschuss für Wirtschaft und Wohnen",
        "Beschlussfassung",
        "nicht öffentlich",
        "06.10.2011",
    ):
        assert printed in text


def test_the_editor_keeps_committee_and_date_of_a_scheduled_step(
    sitzungsdienst, reference, council_meeting
):
    from tests.decisions.test_views import edit_data

    step = gr_step(reference)
    ConsultationStep.objects.filter(pk=step.pk).update(
        meeting=council_meeting, agenda_number="5", meeting_date=date(2011, 10, 6)
    )
    data = edit_data(reference)
    data["beratung-3-committee"] = "Verwaltungsausschuss"
    data["beratung-3-meeting_date"] = "01.01.2012"
    response = sitzungsdienst.post(reverse("decisions:edit", args=[reference.pk]), data)
    assert response.status_code == 302
    step.refresh_from_db()
    assert (step.committee.name, step.meeting_date) == ("Gemeinderat", date(2011, 10, 6))
