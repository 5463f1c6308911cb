"""OParl 1.1 at /oparl/v1.1/ (issue 13): every object valid against the draft-7 schemas, and
the rules no schema expresses (ids resolve to themselves, created/modified everywhere, paging,
filters in links, soft deletion, non-public papers absent, CORS, error objects)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from decisions.models import Committee, ConsultationStep, Decision, StatusChange
from decisions.services import decision_change_status
from tests.factories import council_decided
from tests.oparl.conftest import PREFIX, check_object, objects_in, path_of

Status = Decision.Status


@pytest.fixture
def api() -> Client:
    return Client()  # anonymous


def get(api: Client, url: str, status: int = 200) -> Any:
    response = api.get(path_of(url) if url.startswith("http") else url)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def crawl(api: Client, start: str = PREFIX) -> dict[str, dict[str, Any]]:
    """Every object reachable from the system object: list pages followed through `next`,
    referenced objects fetched at their id. Returns the standalone objects by id."""
    seen: dict[str, dict[str, Any]] = {}
    queue = [start]
    visited_pages: set[str] = set()
    while queue:
        url = queue.pop()
        if url in visited_pages or url in seen:
            continue
        data = get(api, url)
        if "data" in data:
            visited_pages.add(url)
            refs = data["data"]
            if "next" in data["links"]:
                queue.append(data["links"]["next"])
        else:
            seen[data["id"]] = data
            assert data["id"] == (url if url.startswith("http") else f"http://testserver{url}")
            refs = [data]
        for obj in objects_in(refs):
            for key, value in obj.items():
                values = value if isinstance(value, list) else [value]
                for item in values:
                    if (
                        isinstance(item, str)
                        and item.startswith("http://testserver" + PREFIX)
                        and key not in ("accessUrl", "downloadUrl")
                    ):
                        queue.append(item)
            if obj["id"] not in seen:
                queue.append(obj["id"])
    return seen


def make_paper(
    number: int, *, status: str = Status.SUBMITTED, public: bool = True, day: date | None = None
) -> Decision:
    """A decision introduced the usual way: its steps, and a status change to eingebracht."""
    day = day or date(2012, 1, 1) + timedelta(days=number % 300)
    decision = Decision.objects.create(
        number=f"{number}/2012" if status != Status.DRAFT else "",
        date=day,
        title=f"Stellenschaffungen Nr. {number}",
        status=status,
    )
    for order, (committee, purpose) in enumerate(
        [
            ("Verwaltungsausschuss", ConsultationStep.Purpose.PRELIMINARY),
            ("Gemeinderat", ConsultationStep.Purpose.RESOLUTION),
        ],
        start=1,
    ):
        ConsultationStep.objects.create(
            decision=decision,
            order=order,
            committee=Committee.objects.get_or_create(name=committee)[0],
            purpose=purpose,
            public=public,
            meeting_date=day + timedelta(days=14 * order),
        )
    if status != Status.DRAFT:
        StatusChange.objects.create(
            decision=decision, from_status=Status.DRAFT, to_status=Status.SUBMITTED, date=day
        )
    return decision


@pytest.fixture
def city(db) -> dict[str, list[Decision]]:
    """50 public papers, 3 drafts, 3 confidential ones (all steps nicht öffentlich) and 2
    withdrawn after their introduction (deleted)."""
    public = [make_paper(n) for n in range(1, 51)]
    drafts = [make_paper(n, status=Status.DRAFT) for n in range(51, 54)]
    secret = [make_paper(n, public=False) for n in range(54, 57)]
    withdrawn = [make_paper(n, status=Status.WITHDRAWN) for n in range(57, 59)]
    return {"public": public, "hidden": drafts + secret, "withdrawn": withdrawn}


def all_pages(api: Client, url: str) -> list[dict[str, Any]]:
    pages = [get(api, url)]
    while "next" in pages[-1]["links"]:
        pages.append(get(api, pages[-1]["links"]["next"]))
    return pages


def paper_url(decision: Decision) -> str:
    return f"http://testserver{PREFIX}paper/{decision.pk}/"


# --- schemas and object rules -----------------------------------------------------------------


def test_every_object_of_the_reference_data_is_valid(seed, api, validators):
    found = crawl(api)
    kinds = {obj["type"].rsplit("/", 1)[-1] for obj in found.values()}
    assert {"System", "Body", "Organization", "Paper", "Consultation", "File", "Meeting"} <= kinds
    assert "AgendaItem" in kinds
    for obj in found.values():
        for inner in objects_in(obj):
            check_object(inner, validators)
            # every object, embedded or not, answers at its id with itself
            assert get(api, inner["id"])["id"] == inner["id"]


def test_every_object_of_a_generated_city_is_valid(city, api, validators):
    found = crawl(api)
    assert sum(1 for o in found.values() if o["type"].endswith("/Paper")) == 50
    for obj in found.values():
        for inner in objects_in(obj):
            check_object(inner, validators)


def test_dates_carry_the_offset_without_microseconds(seed, api):
    decision = Decision.objects.get(number="647/2011")
    Decision.objects.filter(pk=decision.pk).update(
        updated_at=timezone.now().replace(microsecond=123456)
    )
    paper = get(api, paper_url(decision))
    assert "." not in paper["modified"]
    assert paper["modified"][-6] in "+-"
    assert paper["date"] == "2011-09-19"


def test_the_reference_paper(seed, api):
    decision = Decision.objects.get(number="647/2011")
    paper = get(api, paper_url(decision))
    assert paper["reference"] == "647/2011"
    assert paper["paperType"] == "Beschlussvorlage"
    assert paper["underDirectionOf"]
    assert [c["role"] for c in paper["consultation"]] == [
        "Beratung",
        "Vorberatung",
        "Vorberatung",
        "Beschlussfassung",
    ]
    assert [c["authoritative"] for c in paper["consultation"]] == [False, False, False, True]
    assert paper["mainFile"]["accessUrl"] != paper["mainFile"]["downloadUrl"]
    # embedded objects leave out the back reference, standalone ones carry it
    assert "paper" not in paper["consultation"][0]
    alone = get(api, paper["consultation"][0]["id"])
    assert alone["paper"] == paper["id"]
    assert alone["created"] == paper["consultation"][0]["created"]


# --- lists, paging, filters -------------------------------------------------------------------


def test_following_body_to_paper_pages_gets_every_public_paper_once(city, api):
    system = get(api, PREFIX)
    bodies = get(api, system["body"])
    body = bodies["data"][0]
    pages = all_pages(api, body["paper"])
    assert len(pages) == 3  # 20 per page
    ids = [p["id"] for page in pages for p in page["data"]]
    assert len(ids) == len(set(ids)) == 50
    assert set(ids) == {paper_url(d) for d in city["public"]}
    for page in pages[:-1]:
        assert "next" in page["links"]
    assert "next" not in pages[-1]["links"]
    assert all(p["pagination"]["totalElements"] == 50 for p in pages)


def test_a_change_between_two_pages_neither_skips_nor_repeats(city, api):
    first = get(api, f"{PREFIX}body/stadt/paper/?limit=10")
    seen = [p["id"] for p in first["data"]]
    Decision.objects.filter(pk=city["public"][0].pk).update(updated_at=timezone.now())
    url = first["links"]["next"]
    while url:
        page = get(api, url)
        seen += [p["id"] for p in page["data"]]
        url = page["links"].get("next")
    assert sorted(seen) == sorted({paper_url(d) for d in city["public"]})
    assert len(seen) == 50


def test_filters_are_carried_into_every_link(city, api):
    since = "2000-01-01T00:00:00+01:00"
    until = "2100-01-01T00:00:00+01:00"
    url = (
        f"{PREFIX}body/stadt/paper/?created_since={since.replace('+', '%2B')}"
        f"&modified_until={until.replace('+', '%2B')}&omit_internal=true&limit=15"
    )
    pages = all_pages(api, url)
    assert len(pages) == 4
    for page in pages:
        for name in ("first", "self", "next"):
            if name in page["links"]:
                query = parse_qs(urlsplit(page["links"][name]).query)
                assert query["created_since"] == [since]
                assert query["modified_until"] == [until]
                assert query["omit_internal"] == ["true"]
                assert query["limit"] == ["15"]


def test_created_and_modified_filters_select(city, api):
    newest = city["public"][-1]
    cut = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    Decision.objects.filter(pk=newest.pk).update(updated_at=cut)
    stamp = cut.isoformat(timespec="seconds").replace("+", "%2B")
    page = get(api, f"{PREFIX}body/stadt/paper/?modified_since={stamp}")
    assert [p["id"] for p in page["data"]] == [paper_url(newest)]
    page = get(api, f"{PREFIX}body/stadt/paper/?modified_until={stamp}&limit=100")
    assert len(page["data"]) == 50
    page = get(api, f"{PREFIX}body/stadt/paper/?created_until=1999-01-01T00:00:00%2B01:00")
    assert page["data"] == []


def test_a_bad_filter_is_an_error_object(db, api):
    data = get(api, f"{PREFIX}body/stadt/paper/?created_since=gestern", status=400)
    assert data["type"] == "https://schema.oparl.org/1.1/Error"
    assert "created_since" in data["message"]
    get(api, f"{PREFIX}body/stadt/paper/?limit=null", status=400)


def test_omit_internal_leaves_out_the_agenda_items(city, api):
    with_items = get(api, f"{PREFIX}body/stadt/meeting/")
    without = get(api, f"{PREFIX}body/stadt/meeting/?omit_internal=true")
    assert all("agendaItem" in m for m in with_items["data"])
    assert all("agendaItem" not in m for m in without["data"])


def test_the_paper_list_reads_a_constant_number_of_queries(city, api, django_assert_num_queries):
    get(api, f"{PREFIX}body/stadt/paper/?limit=100")  # warm the checksum cache
    # count, page, steps, submitting units, generated annexes
    with django_assert_num_queries(5):
        page = get(api, f"{PREFIX}body/stadt/paper/?limit=100")
    assert len(page["data"]) == 50


def test_the_meeting_list_reads_a_constant_number_of_queries(city, api, django_assert_num_queries):
    # the papers of the agenda items come with their generated annexes (one prefetch query)
    with django_assert_num_queries(7):
        page = get(api, f"{PREFIX}body/stadt/meeting/?limit=100")
    assert sum(len(m["agendaItem"]) for m in page["data"]) == 100
    with django_assert_num_queries(2):
        page = get(api, f"{PREFIX}body/stadt/organization/?limit=100")
    assert {o["organizationType"] for o in page["data"]} == {"Gremium"}


# --- what is not public -----------------------------------------------------------------------


def test_drafts_and_confidential_papers_answer_404_and_are_in_no_list(city, api):
    listed: set[str] = set()
    for url in (
        f"{PREFIX}body/stadt/paper/?limit=100",
        f"{PREFIX}body/stadt/paper/?limit=100&modified_since=2000-01-01T00:00:00%2B01:00",
    ):
        listed |= {p["id"] for page in all_pages(api, url) for p in page["data"]}
    everything = str(crawl(api))
    for decision in city["hidden"]:
        error = get(api, paper_url(decision), status=404)
        assert error["type"] == "https://schema.oparl.org/1.1/Error"
        assert paper_url(decision) not in listed
        assert decision.title not in everything
        get(api, f"{PREFIX}file/vorlage/{decision.pk}/", status=404)
        for step in decision.consultation_steps.all():
            get(api, f"{PREFIX}consultation/{step.pk}/", status=404)
            get(api, f"{PREFIX}agendaitem/{step.pk}/", status=404)


def test_a_withdrawn_paper_is_deleted(city, api):
    decision = city["withdrawn"][0]
    paper = get(api, paper_url(decision))
    assert paper["deleted"] is True
    assert set(paper) == {"id", "type", "created", "modified", "deleted"}
    default = all_pages(api, f"{PREFIX}body/stadt/paper/")
    assert paper["id"] not in {p["id"] for page in default for p in page["data"]}
    since = all_pages(api, f"{PREFIX}body/stadt/paper/?modified_since=2000-01-01T00:00:00%2B01:00")
    listed = {p["id"]: p for page in since for p in page["data"]}
    assert listed[paper["id"]]["deleted"] is True
    assert len(listed) == 52
    step = decision.consultation_steps.first()
    assert get(api, f"{PREFIX}consultation/{step.pk}/")["deleted"] is True
    get(api, f"{PREFIX}file/vorlage/{decision.pk}/pdf", status=410)


def test_withdrawing_a_public_paper_deletes_it_and_bumps_modified(seed, api, django_user_model):
    decision = Decision.objects.get(number="647/2011")
    before = get(api, paper_url(decision))
    user = django_user_model.objects.create_user("Sachbearbeiterin-Geheim")
    decision_change_status(
        decision=decision,
        status=Status.WITHDRAWN,
        acting_user=user,
        expected_version=decision.version,
    )
    after = get(api, paper_url(decision))
    assert after["deleted"] is True
    assert after["created"] == before["created"]
    assert after["modified"] > before["modified"]


def test_a_removed_step_is_a_deleted_consultation(seed, api):
    decision = Decision.objects.get(number="647/2011")
    step = decision.consultation_steps.order_by("order").first()
    pk = step.pk
    step.delete()
    data = get(api, f"{PREFIX}consultation/{pk}/")
    assert data["deleted"] is True
    assert get(api, f"{PREFIX}agendaitem/{pk}/")["deleted"] is True


def test_unknown_urls_and_writes_are_error_objects(db, api):
    assert get(api, f"{PREFIX}gibt-es-nicht", status=404)["type"].endswith("/Error")
    assert get(api, f"{PREFIX}paper/999999/", status=404)["message"]
    response = api.post(f"{PREFIX}body/stadt/paper/")
    assert response.status_code == 405
    assert response["Access-Control-Allow-Origin"] == "*"


# --- an adopted paper -------------------------------------------------------------------------


@pytest.fixture
def adopted(seed, django_user_model) -> tuple[Decision, User]:
    decision = Decision.objects.get(number="647/2011")
    user = django_user_model.objects.create_user("Erika-Geheimname")
    council_decided(decision, on=date(2011, 10, 6))
    decision_change_status(
        decision=decision,
        status=Status.ADOPTED,
        acting_user=user,
        expected_version=decision.version,
        on=date(2011, 10, 6),
    )
    return Decision.objects.get(pk=decision.pk), user


def test_an_adopted_paper_publishes_its_frozen_pdf(adopted, api, validators):
    decision, _user = adopted
    record = decision.adopted_records.get()
    paper = get(api, paper_url(decision))
    main = paper["mainFile"]
    pdf = bytes(record.pdf)
    assert main["size"] == len(pdf)
    assert main["sha512Checksum"] == hashlib.sha512(pdf).hexdigest()
    assert main["date"] == "2011-10-06"
    inline = api.get(path_of(main["accessUrl"]))
    assert inline.content == pdf
    assert "attachment" not in inline.get("Content-Disposition", "")
    download = api.get(path_of(main["downloadUrl"]))
    assert download.content == pdf
    assert download["Content-Disposition"].startswith("attachment; filename=")
    assert paper["stellenplan:stellen"] == "13.50"
    for obj in crawl(api).values():
        for inner in objects_in(obj):
            check_object(inner, validators)


def test_only_a_public_deciding_step_shows_the_resolution(adopted, api):
    decision, _user = adopted
    steps = {s.committee.name: s for s in decision.consultation_steps.all()}
    council = get(api, f"{PREFIX}agendaitem/{steps['Gemeinderat'].pk}/")
    assert council["public"] is True
    assert council["result"] == "beschlossen"
    assert council["resolutionText"]
    assert council["resolutionFile"]["accessUrl"]
    closed = get(api, f"{PREFIX}agendaitem/{steps['Unterausschuss JobCenter'].pk}/")
    assert closed["public"] is False
    for key in ("result", "resolutionText", "resolutionFile", "auxiliaryFile"):
        assert key not in closed


def test_a_closed_session_is_named_nowhere(seed, api, validators):
    """Red-team finding (issue 21): a public paper's nicht öffentlich step (Unterausschuss
    JobCenter, 23.09.2011) shows neither the name nor the date of its session: no meeting, no
    link to one, on no agenda; its consultation and agenda item stay (``public: false``)."""
    decision = Decision.objects.get(number="647/2011")
    closed = decision.consultation_steps.get(committee__name="Unterausschuss JobCenter")
    assert closed.public is False and closed.meeting_date == date(2011, 9, 23)
    everything = crawl(api)
    text = str(everything)
    assert "23.09.2011" not in text
    assert "20110923" not in text and "2011-09-23" not in text
    meetings = [o for o in everything.values() if o["type"].endswith("/Meeting")]
    assert meetings, "the public steps still make meetings"
    assert not any("Unterausschuss" in m["name"] for m in meetings)
    consultation = get(api, f"{PREFIX}consultation/{closed.pk}/")
    assert "meeting" not in consultation
    item = get(api, consultation["agendaItem"])
    assert item["public"] is False and "meeting" not in item
    check_object(item, validators)
    check_object(consultation, validators)
    council = decision.consultation_steps.get(committee__name="Gemeinderat")
    assert get(api, f"{PREFIX}consultation/{council.pk}/")["meeting"].endswith("20111006/")


def test_no_user_name_ever_appears(adopted, api):
    _decision, user = adopted
    everything = str(crawl(api))
    assert user.username not in everything


@pytest.mark.django_db
def test_a_client_gets_every_paper_of_a_generated_city(api, validators):
    """Like Meine Stadt Transparent's importer: system → body → paper pages; the city of
    bench/ (50 decisions; 1,000 positions keep it fast, the papers do not depend on the size)."""
    from bench.city import generate_city

    generate_city(positions=1000, seed=1)
    expected = {
        paper_url(d) for d in Decision.objects.filter(status__in=["eingebracht", "beschlossen"])
    }
    assert len(expected) == 50
    body = get(api, get(api, PREFIX)["body"])["data"][0]
    papers = [p for page in all_pages(api, body["paper"]) for p in page["data"]]
    assert [p["id"] for p in papers] == sorted(expected, key=lambda u: int(u.split("/")[-2]))
    for paper in papers:
        for inner in objects_in(paper):
            check_object(inner, validators)
    meetings = [m for page in all_pages(api, body["meeting"]) for m in page["data"]]
    assert sum(len(m["agendaItem"]) for m in meetings) == 100


def test_a_non_canonical_url_redirects_to_the_id(seed, api):
    decision = Decision.objects.get(number="647/2011")
    response = api.get(f"{PREFIX}paper/0{decision.pk}/")
    assert response.status_code == 301
    assert response["Location"] == paper_url(decision)


def test_a_deleted_amt_is_a_deleted_organization(seed, api, django_user_model):
    from departments.models import OrgUnit
    from departments.services import orgunit_delete

    user = django_user_model.objects.create_user("Personalamt-Geheim")
    unit = OrgUnit.objects.create(kind=OrgUnit.Kind.AMT, code="99", name="Amt für Versuche")
    url = f"http://testserver{PREFIX}organization/amt/{unit.pk}/"
    assert get(api, url)["organizationType"] == "Verwaltungsbereich"
    orgunit_delete(acting_user=user, unit=unit, expected_version=unit.version)
    gone = get(api, url)
    assert gone["deleted"] is True
    listed = [
        o["id"] for p in all_pages(api, f"{PREFIX}body/stadt/organization/") for o in p["data"]
    ]
    assert url not in listed
    since = f"{PREFIX}body/stadt/organization/?modified_since=2000-01-01T00:00:00%2B01:00"
    updates = {o["id"]: o for p in all_pages(api, since) for o in p["data"]}
    assert updates[url]["deleted"] is True


def test_a_change_of_a_part_bumps_the_paper_and_everything_in_it(seed, api, django_user_model):
    from decisions.services import decision_move_position

    decision = Decision.objects.get(number="647/2011")
    before = get(api, paper_url(decision))
    decision_move_position(
        decision=decision,
        link=decision.position_links.order_by("order").first(),
        direction="down",
        acting_user=django_user_model.objects.create_user("Sitzungsdienst-Geheim"),
        expected_version=decision.version,
    )
    after = get(api, paper_url(decision))
    assert after["modified"] > before["modified"]
    assert after["created"] == before["created"]
    for inner in objects_in(after["consultation"]):
        assert inner["modified"] == after["modified"]
    meeting = get(api, after["consultation"][-1]["meeting"])
    assert meeting["modified"] == after["modified"]


@pytest.mark.parametrize(
    "query",
    [
        "limit=%C2%B2",
        "limit=0",
        "after=%C2%B2",
        "after=99999999999999999999999",
        "omit_internal=ja",
        "modified_until=2014-13-01T00:00:00%2B01:00",
        # red team (issue 21): dates outside what a datetime holds once moved to UTC
        "modified_until=0001-01-01T00:00:00%2B14:00",
        "created_since=0001-01-01T00:00:00%2B14:00",
        "created_until=0001-01-01T00:00:00",
        "modified_since=9999-12-31T23:59:59-14:00",
        "created_since=9999-12-31T23:59:59-00:30",
        "modified_until=9999-12-31T23:59:59",
    ],
)
def test_hostile_list_parameters_are_bad_requests(db, api, query):
    data = get(api, f"{PREFIX}body/stadt/paper/?{query}", status=400)
    assert data["type"] == "https://schema.oparl.org/1.1/Error"
    assert "Parameter" in data["message"]


@pytest.mark.parametrize(
    "path",
    [
        "paper/99999999999999999999/",
        "meeting/abc/",
        "meeting/0123456789abcdef-20111399/",
        "organization/gremium/zzz/",
        "file/beschluss/1/pdf",
    ],
)
def test_unknown_objects_are_404_not_500(db, api, path):
    assert get(api, f"{PREFIX}{path}", status=404)["type"].endswith("/Error")


# --- annexes (auxiliaryFile) and File.text ----------------------------------------------------


@pytest.mark.pdf  # the draft mark is a CSS watermark of the real PDF
def test_the_generated_annex_is_an_auxiliary_file_of_its_own(seed, api, validators):
    from decisions.pdf import pdf_text

    decision = Decision.objects.get(number="647/2011")
    annex = decision.annexes.get(generated=True)
    paper = get(api, paper_url(decision))
    [aux] = paper["auxiliaryFile"]
    assert aux["id"] == f"http://testserver{PREFIX}file/anlage/{annex.pk}/"
    assert aux["name"].startswith(f"Anlage {annex.number} zur GRDrs 647/2011")
    assert aux["accessUrl"] != aux["downloadUrl"]
    check_object(aux, validators)
    alone = get(api, aux["id"])
    assert alone["paper"] == [paper["id"]]
    check_object(alone, validators)
    inline = api.get(path_of(aux["accessUrl"]))
    assert inline.status_code == 200
    assert inline["Content-Type"] == "application/pdf"
    assert "attachment" not in inline.get("Content-Disposition", "")
    text = pdf_text(inline.content)
    assert f"Anlage {annex.number}" in text
    assert "Rechnungsprüfungsamt" in text or "Haupt- und Personalamt" in text
    # as the main PDF: marked ENTWURF until adopted
    assert ("ENTWURF" in text) == (decision.status != Status.ADOPTED)
    download = api.get(path_of(aux["downloadUrl"]))
    assert download["Content-Disposition"].startswith("attachment; filename=")
    assert download["Content-Disposition"].endswith('-Anlage-1.pdf"')


def test_an_adopted_papers_annex_is_printed_from_its_record(adopted, api):
    from decisions.pdf import pdf_text
    from stellenplan.models import Position

    decision, _user = adopted
    paper = get(api, paper_url(decision))
    [aux] = paper["auxiliaryFile"]
    before = pdf_text(api.get(path_of(aux["accessUrl"])).content)
    assert "beschlossen am 06.10.2011" in before
    Position.objects.update(title="Nachher geändert")
    after = pdf_text(api.get(path_of(aux["accessUrl"])).content)
    assert "Nachher geändert" not in after
    assert after == before


def test_the_frozen_file_carries_its_text(adopted, api, validators):
    decision, _user = adopted
    record = decision.adopted_records.get()
    paper = get(api, paper_url(decision))
    assert "text" not in paper["mainFile"]  # not repeated in every list entry
    alone = get(api, paper["mainFile"]["id"])
    check_object(alone, validators)
    assert alone["id"] == f"http://testserver{PREFIX}file/beschluss/{record.pk}/"
    assert "GRDrs 647/2011" in alone["text"]
    assert "1.128.560" in alone["text"]


def test_a_non_public_papers_annex_answers_404(city, api):
    hidden = city["hidden"][0]
    annex = hidden.annexes.create(number=1, title="Stellen", generated=True)
    get(api, f"{PREFIX}file/anlage/{annex.pk}/", status=404)
    response = api.get(f"{PREFIX}file/anlage/{annex.pk}/pdf")
    assert response.status_code == 404
