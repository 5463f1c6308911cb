"""OParl Person (issue 22): the signatories of public papers, with the name and the office the
paper prints and nothing else; linked from ``Paper.originatorPerson``."""

from __future__ import annotations

from decisions.models import Decision
from decisions.services import decision_change_status
from tests.oparl.conftest import PREFIX, all_pages, check_object, get, paper_url

PERSONS = f"{PREFIX}body/stadt/person/"


def test_the_person_list_holds_the_signatories_of_public_papers(seed, api, validators):
    [page] = all_pages(api, PERSONS)
    people = {p["name"]: p for p in page["data"]}
    assert set(people) == {"Michael Föll", "Werner Wölfle"}
    assert people["Michael Föll"]["status"] == ["Erster Bürgermeister"]
    assert people["Werner Wölfle"]["status"] == ["Bürgermeister"]
    for person in people.values():
        check_object(person, validators)
        # only what the paper prints
        assert set(person) <= {"id", "type", "body", "name", "status", "created", "modified"}
        assert get(api, person["id"]) == person
    paper = get(api, paper_url(Decision.objects.get(number="647/2011")))
    assert sorted(paper["originatorPerson"]) == sorted(p["id"] for p in people.values())


def test_one_person_per_name_with_every_office_printed(seed, api):
    from tests.oparl.test_oparl import make_paper

    other = make_paper(701)
    other.signatories.create(order=1, name="Michael  Föll", office="Bürgermeister")
    [page] = all_pages(api, PERSONS)
    people = {p["name"]: p for p in page["data"]}
    assert len(people) == 2
    # the newest paper's office first
    assert people["Michael Föll"]["status"] == ["Bürgermeister", "Erster Bürgermeister"]
    assert get(api, paper_url(other))["originatorPerson"] == [people["Michael Föll"]["id"]]


def test_drafts_and_confidential_papers_name_no_person(seed, api):
    from tests.oparl.test_oparl import make_paper

    draft = make_paper(702, status=Decision.Status.DRAFT)
    draft.signatories.create(order=1, name="Erika Entwurf", office="Bürgermeisterin")
    secret = make_paper(703, public=False)
    secret.signatories.create(order=1, name="Gustav Geheim", office="Bürgermeister")
    text = str(all_pages(api, f"{PERSONS}?modified_since=2000-01-01T00:00:00%2B01:00"))
    assert "Erika" not in text and "Gustav" not in text
    assert len(all_pages(api, PERSONS)[0]["data"]) == 2


def test_a_person_of_a_withdrawn_paper_only_is_deleted(seed, api, django_user_model):
    decision = Decision.objects.get(number="647/2011")
    [page] = all_pages(api, PERSONS)
    urls = [p["id"] for p in page["data"]]
    decision_change_status(
        decision=decision,
        status=Decision.Status.WITHDRAWN,
        acting_user=django_user_model.objects.create_user("Sitzungsdienst-Geheim"),
        expected_version=decision.version,
    )
    for url in urls:
        gone = get(api, url)
        assert gone["deleted"] is True
        assert set(gone) == {"id", "type", "created", "modified", "deleted"}
    assert all_pages(api, PERSONS)[0]["data"] == []
    since = all_pages(api, f"{PERSONS}?modified_since=2000-01-01T00:00:00%2B01:00")
    assert sorted(p["id"] for p in since[0]["data"]) == sorted(urls)
