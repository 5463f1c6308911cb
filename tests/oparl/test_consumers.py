"""OParl read by software nobody here wrote (issue 22): the City of Bonn's importer
(stadt-bonn-oparl 1.8.5, tests/oparl/consumers) keeps every object of a full crawl, meetings
with their agenda items included; after a withdrawal its incremental update
(``modified_since``) sees every deleted object."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.utils import timezone

from decisions.models import Decision
from decisions.services import decision_change_status
from tests.oparl.conftest import PREFIX, all_pages, crawl, get, objects_in, paper_url
from tests.oparl.consumers.bonn import import_object
from tests.oparl.consumers.stadt_bonn_oparl.api.models import (
    MeetingResponse,
    OParlEntity,
    OrganizationResponse,
)

Status = Decision.Status
LISTS = ("paper", "meeting", "organization", "person")


def kind(obj: dict[str, Any]) -> str:
    return obj["type"].rsplit("/", 1)[-1]


def importable(found: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every object of a crawl, standalone and embedded, but System and Body (the importer
    starts at them and has no model for the Body)."""
    objects: dict[str, dict[str, Any]] = {}
    for obj in found.values():
        for inner in objects_in(obj):
            if kind(inner) not in ("System", "Body"):
                objects.setdefault(f"{inner['id']}|{id(inner)}", inner)
    return list(objects.values())


def incremental(api, since: str) -> dict[str, dict[str, Any]]:
    """What an update run fetches: every external list of the body with ``modified_since``."""
    seen: dict[str, dict[str, Any]] = {}
    for name in LISTS:
        url = f"{PREFIX}body/stadt/{name}/?modified_since={quote(since, safe='')}"
        for page in all_pages(api, url):
            for obj in page["data"]:
                seen[obj["id"]] = obj
    return seen


@pytest.fixture
def second_paper(seed) -> Decision:
    """Another public paper on the agenda of the reference paper's Gemeinderat meeting."""
    from tests.oparl.test_oparl import make_paper

    reference = Decision.objects.get(number="647/2011")
    council = reference.consultation_steps.get(purpose="beschlussfassung")
    other = make_paper(700)
    other.consultation_steps.filter(purpose="beschlussfassung").update(
        meeting_date=council.meeting_date
    )
    return other


def test_bonn_keeps_every_object_of_a_full_crawl(second_paper, api):
    found = crawl(api)
    imported = [import_object(obj) for obj in importable(found)]
    kinds = {type(model).__name__ for model in imported}
    assert {
        "PaperResponse",
        "Consultation",
        "MeetingResponse",
        "AgendaItemResponse",
        "OrganizationResponse",
        "PersonResponse",
        "FileResponse",
    } <= kinds
    meetings = [m for m in imported if isinstance(m, MeetingResponse)]
    assert meetings and all(m.agendaItem for m in meetings)
    assert all(item.number for m in meetings for item in m.agendaItem or [])
    assert all(m.start is not None for m in meetings)
    assert all(o.classification for o in imported if isinstance(o, OrganizationResponse)), (
        "every organization has a classification"
    )


def test_after_a_withdrawal_an_incremental_update_sees_every_deleted_object(
    second_paper, api, django_user_model
):
    reference = Decision.objects.get(number="647/2011")
    before = crawl(api)
    known = {obj["id"]: obj for obj in before.values()}
    for obj in before.values():
        for inner in objects_in(obj):
            known.setdefault(inner["id"], inner)
    since = max(obj["modified"] for obj in known.values() if "modified" in obj)
    # OParl shows whole seconds: withdraw in the next second, so that "a new modified" can be
    # told from the old one (within the same second both read the same)
    time.sleep(1.01 - time.time() % 1)
    decision_change_status(
        decision=reference,
        status=Status.WITHDRAWN,
        acting_user=django_user_model.objects.create_user("Sitzungsdienst-Geheim"),
        expected_version=reference.version,
    )
    updates = incremental(api, since)
    for obj in updates.values():
        import_object(obj)  # the importer keeps what it is sent, deleted or not
    assert updates[paper_url(reference)]["deleted"] is True
    paper = known[paper_url(reference)]
    # the meetings and committees that only the withdrawn paper put on the record are deleted
    # (not 404) and listed; the shared Gemeinderat meeting is listed with a new modified and
    # without the withdrawn agenda item
    withdrawn_items = {c["agendaItem"] for c in paper["consultation"] if "agendaItem" in c}
    meetings = {c["meeting"] for c in paper["consultation"] if "meeting" in c}
    committees = {o for c in paper["consultation"] for o in c["organization"]}
    assert len(meetings) == 3
    shared = next(m for m in meetings if not updates[m].get("deleted"))
    assert updates[shared]["modified"] > known[shared]["modified"]
    assert {item["id"] for item in updates[shared]["agendaItem"]}.isdisjoint(withdrawn_items)
    assert [item["name"].split(":")[0] for item in updates[shared]["agendaItem"]] == [
        "GRDrs 700/2012"
    ]
    for url in meetings - {shared}:
        assert updates[url]["deleted"] is True
        assert get(api, url)["deleted"] is True
    for url in committees:
        if url in updates and updates[url].get("deleted"):
            assert get(api, url)["deleted"] is True
    gone = [u for u in committees if updates.get(u, {}).get("deleted")]
    assert len(gone) == 2  # Ausschuss für Wirtschaft und Wohnen, Verwaltungsausschuss
    for person in paper["originatorPerson"]:
        assert updates[person]["deleted"] is True
    # what was embedded answers at its id as deleted, never 404
    for consultation in paper["consultation"]:
        data = get(api, consultation["id"])
        assert isinstance(import_object(data), OParlEntity) and data["deleted"] is True
    for url in withdrawn_items:
        assert get(api, url)["deleted"] is True
    # nothing deleted is in the plain lists
    current = {
        obj["id"]
        for name in LISTS
        for page in all_pages(api, f"{PREFIX}body/stadt/{name}/")
        for obj in page["data"]
    }
    assert paper_url(reference) not in current
    assert not (meetings - {shared}) & current


def test_the_incremental_update_misses_nothing_modified_in_the_same_second(second_paper, api):
    """The update run asks from the newest ``modified`` it has seen: an edit in that same
    second (the database keeps microseconds) is still listed."""
    paper = get(api, paper_url(second_paper))
    shown = paper["modified"]
    moment = timezone.localtime(second_paper.updated_at).replace(microsecond=999999)
    Decision.objects.filter(pk=second_paper.pk).update(updated_at=moment)
    shown = get(api, paper_url(second_paper))["modified"]
    assert paper_url(second_paper) in incremental(api, shown)
    later = (moment + timedelta(seconds=1)).replace(microsecond=0).isoformat()
    assert paper_url(second_paper) not in incremental(api, later)
