"""The Bürgerinfo (issue 23): the public HTML pages of what OParl publishes, read as an
anonymous visitor, compared with the OParl interface of the same world."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decisions import oparl_selectors as sel
from decisions.models import Decision
from decisions.services import decision_save
from front.views.buergerinfo import PAGES
from tests.oparl.conftest import PREFIX, all_pages, get, path_of
from tests.oparl.test_meetings import reference, sitzungen  # noqa: F401 (fixtures)
from tests.oparl.test_oparl import adopted, make_paper  # noqa: F401 (a fixture)

Status = Decision.Status
START = "/buergerinfo/"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test reads its own world (the cache is keyed by the published version, which a
    rolled-back test may share with the next)."""
    PAGES.clear()
    yield
    PAGES.clear()


@pytest.fixture
def visitor() -> Client:
    return Client()  # anonymous


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.links


DETAIL = re.compile(rf"{START}(vorlagen|sitzungen|gremien)/[^/?]+/$")


def walk(client: Client, *, details: bool = True) -> dict[str, str]:
    """Every Bürgerinfo page reachable from the start page (list pages followed), by URL;
    without `details` the object pages are listed (value "") but not read."""
    seen: dict[str, str] = {}
    queue = [START]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        if not details and DETAIL.match(url):
            seen[url] = ""
            continue
        seen[url] = html = page(client, url)
        for link in links(html):
            if link.startswith("?"):
                link = url.split("?")[0] + link
            if link.startswith(START) and link not in seen:
                queue.append(link.replace("&amp;", "&"))
    return seen


def text(html: str) -> str:
    """The visible text, tags as spaces (no space before a comma or colon)."""
    return re.sub(r" ([,:])", r"\1", re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def city(db) -> dict[str, list[Decision]]:
    """21 public papers (two list pages with the reference paper), a draft, a confidential
    paper (steps nicht öffentlich) and a withdrawn one (deleted in OParl)."""
    return {
        "public": [make_paper(n) for n in range(1, 22)],
        "hidden": [make_paper(31, status=Status.DRAFT), make_paper(32, public=False)],
        "withdrawn": [make_paper(33, status=Status.WITHDRAWN)],
    }


# --- the reference paper ----------------------------------------------------------------------


def test_it_shows_the_reference_paper_with_its_beratungsfolge(seed, visitor):
    decision = Decision.objects.get(number="647/2011")
    html = page(visitor, reverse("buergerinfo:paper", args=[decision.pk]))
    shown = text(html)
    assert '<html lang="de">' in html
    assert "GRDrs 647/2011: Stadtweite Stellenbedarfe im Zusammenhang mit Option" in shown
    assert "Beschlussvorlage" in shown and "eingebracht" in shown and "19.09.2011" in shown
    table = html.split("Beratungsfolge der")[1].split("</table>")[0]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", table, flags=re.S)
    steps = [text(row) for row in rows]
    assert len(steps) == 4
    assert "Unterausschuss JobCenter" in steps[0] and "nicht öffentlich" in steps[0]
    assert "Ausschuss für Wirtschaft und Wohnen" in steps[1] and "30.09.2011" in steps[1]
    assert "Verwaltungsausschuss" in steps[2] and "05.10.2011" in steps[2]
    assert "Gemeinderat" in steps[3] and "Beschlussfassung" in steps[3]
    assert "06.10.2011" in steps[3] and " öffentlich" in steps[3]
    # the PDFs are the files OParl serves (stored, never rendered for the page)
    paper = get(visitor, f"{PREFIX}paper/{decision.pk}/")
    assert path_of(paper["mainFile"]["accessUrl"]) in html or paper["mainFile"]["accessUrl"] in html
    for annex in paper.get("auxiliaryFile", []):
        assert annex["accessUrl"] in html


def test_a_closed_sessions_meeting_is_named_nowhere(seed, visitor):
    """The nicht öffentlich step (Unterausschuss JobCenter, 23.09.2011) names its committee, as
    OParl's consultation does, but neither the date nor a meeting of the closed session."""
    pages = walk(visitor)
    assert len(pages) >= 8
    everything = "\n".join(text(html) for html in pages.values())
    assert "23.09.2011" not in everything
    assert "Unterausschuss JobCenter, Sitzung" not in everything
    assert "Unterausschuss JobCenter" in everything  # the Beratungsfolge names the committee
    meetings = page(visitor, reverse("buergerinfo:meeting_list"))
    assert "06.10.2011" in text(meetings) and "Unterausschuss" not in text(meetings)


def test_an_adopted_paper_shows_its_result_resolution_and_frozen_pdf(
    adopted,  # noqa: F811  (the fixture of test_oparl.py)
    visitor,
):
    decision, user = adopted
    record = decision.adopted_records.get()
    html = page(visitor, reverse("buergerinfo:paper", args=[decision.pk]))
    shown = text(html)
    assert "beschlossen am 06.10.2011" in shown
    assert "13,5" in shown and "1.128.560" in shown
    assert f"{PREFIX}file/beschluss/{record.pk}/pdf" in html
    assert "Beschluss (Gemeinderat, 06.10.2011)" in shown
    everything = "\n".join(walk(visitor).values())
    assert user.username not in everything
    meeting = get(visitor, f"{PREFIX}body/stadt/meeting/")["data"]
    council = next(m for m in meeting if m["name"].startswith("Gemeinderat"))
    key = council["id"].rstrip("/").rsplit("/", 1)[-1]
    agenda = text(page(visitor, reverse("buergerinfo:meeting", args=[key])))
    assert "GRDrs 647/2011" in agenda and "beschlossen" in agenda


def test_sitzungen_show_time_place_tops_and_results_and_a_closed_one_nothing(
    sitzungen,  # noqa: F811  (the fixture of test_meetings.py)
    visitor,
):
    """The council's records (issue 22): a Sitzung with time, place, TOP and result; the
    nicht öffentlich step on a Sitzung of the Unterausschuss names neither it nor its result."""
    Result = sitzungen["Gemeinderat"].Result
    for name, result in (
        ("Gemeinderat", Result.APPROVED_AMENDED),
        ("Unterausschuss JobCenter", Result.NOTED),
    ):
        step = sitzungen[name]
        step.result, step.result_date = result, step.meeting.day
        step.result_note = "Ziffer 2 gestrichen." if name == "Gemeinderat" else ""
        step.updated_at = timezone.now()
        step.save()
    council = sitzungen["Gemeinderat"]
    paper = text(page(visitor, reverse("buergerinfo:paper", args=[council.decision_id])))
    assert "06.10.2011, TOP 7" in paper
    assert "mit Änderungen zugestimmt am 06.10.2011" in paper
    assert "Änderungen: Ziffer 2 gestrichen." in paper
    meeting = text(page(visitor, reverse("buergerinfo:meeting", args=[str(council.meeting_id)])))
    assert "Gemeinderat, Sitzung am 06.10.2011" in meeting
    assert "06.10.2011, 15:00 Uhr bis 19:00 Uhr" in meeting
    assert "Rathaus, Großer Sitzungssaal" in meeting
    assert "7 GRDrs 647/2011" in meeting and "mit Änderungen zugestimmt" in meeting
    closed = sitzungen["Unterausschuss JobCenter"]
    page(visitor, reverse("buergerinfo:meeting", args=[str(closed.meeting_id)]), status=404)
    everything = "\n".join(text(html) for html in walk(visitor).values())
    assert "23.09.2011" not in everything
    assert "zur Kenntnis genommen" not in everything
    assert "Unterausschuss JobCenter, Sitzung" not in everything


# --- the same data as OParl -------------------------------------------------------------------


def test_it_shows_exactly_the_papers_meetings_and_committees_oparl_lists(city, seed, visitor):
    kinds: dict[str, set[str]] = {}
    for kind, part in (
        ("Paper", "paper"),
        ("Meeting", "meeting"),
        ("Organization", "organization"),
    ):
        listed = all_pages(visitor, f"{PREFIX}body/stadt/{part}/?limit=100")
        kinds[kind] = {
            obj["id"].rstrip("/").rsplit("/", 1)[-1]
            for page_ in listed
            for obj in page_["data"]
            if "/organization/amt/" not in obj["id"]
        }
    pages = walk(visitor, details=False)
    shown = {
        kind: {
            url.rstrip("/").rsplit("/", 1)[-1]
            for url in pages
            if re.fullmatch(rf"{START}{part}/[^/?]+/", url)
        }
        for kind, part in (
            ("Paper", "vorlagen"),
            ("Meeting", "sitzungen"),
            ("Organization", "gremien"),
        )
    }
    assert shown == kinds
    assert len(shown["Paper"]) == 22
    everything = "\n".join(pages.values())
    for decision in city["hidden"] + city["withdrawn"]:
        assert decision.title not in everything


def test_drafts_and_confidential_papers_are_not_found(city, visitor):
    for decision in city["hidden"]:
        page(visitor, reverse("buergerinfo:paper", args=[decision.pk]), status=404)
        get(visitor, f"{PREFIX}paper/{decision.pk}/", status=404)
    listed = text(page(visitor, reverse("buergerinfo:paper_list") + "?suche=Nr.+31"))
    assert "0 Vorlagen gefunden" in listed


def test_a_withdrawn_paper_is_no_longer_public_and_names_nothing(city, visitor):
    decision = city["withdrawn"][0]
    assert get(visitor, f"{PREFIX}paper/{decision.pk}/")["deleted"] is True
    html = page(visitor, reverse("buergerinfo:paper", args=[decision.pk]), status=410)
    assert "Nicht mehr öffentlich" in html
    assert decision.title not in html and decision.number not in html


# --- finding ----------------------------------------------------------------------------------


def test_the_list_searches_grdrs_and_betreff_and_filters_year_and_status(city, seed, visitor):
    url = reverse("buergerinfo:paper_list")
    found = text(page(visitor, url + "?suche=647%2F2011"))
    assert "1 Vorlage gefunden" in found and "GRDrs 647/2011" in found
    found = text(page(visitor, url + "?suche=Stellenbedarfe+Option"))
    assert "GRDrs 647/2011" in found
    found = text(page(visitor, url + "?jahr=2011"))
    assert "1 Vorlage gefunden" in found
    found = text(page(visitor, url + "?status=beschlossen"))
    assert "0 Vorlagen gefunden" in found
    assert "22 Vorlagen" in text(page(visitor, url))
    second = text(page(visitor, url + "?seite=2"))
    assert "Seite 2 von 2" in second


@pytest.mark.parametrize(
    "query", ["jahr=1850", "jahr=abc", "status=entwurf", "seite=-1", "seite=x", "suche=a%00b"]
)
def test_bad_search_input_is_named_and_ignored(seed, visitor, query):
    html = page(visitor, reverse("buergerinfo:paper_list") + "?" + query)
    if not query.startswith("seite"):
        assert 'role="alert"' in html and "Gezeigt werden alle Vorlagen" in html
    assert "GRDrs 647/2011" in html


def test_unknown_objects_are_404(db, visitor):
    page(visitor, reverse("buergerinfo:paper", args=[999999]), status=404)
    page(visitor, reverse("buergerinfo:meeting", args=["gibt-es-nicht"]), status=404)
    page(visitor, reverse("buergerinfo:committee", args=["0123456789abcdef"]), status=404)
    assert visitor.post(START).status_code == 405


# --- cheap, cached, limited, linked -----------------------------------------------------------


def test_pages_read_a_constant_number_of_queries_and_two_when_cached(
    seed, visitor, django_assert_num_queries
):
    """The same number of queries for a world with 12 more papers (and 24 more meetings):
    no query per paper, step, meeting or committee; a cached page reads two."""
    decision = Decision.objects.get(number="647/2011")
    urls = (
        START,
        reverse("buergerinfo:paper_list"),
        reverse("buergerinfo:paper", args=[decision.pk]),
        reverse("buergerinfo:meeting_list"),
        reverse("buergerinfo:committee_list"),
        reverse("buergerinfo:committee", args=[sel.committees()[0].key]),
        reverse("buergerinfo:meeting", args=[sel.meetings()[0].key]),
    )

    def counts() -> list[int]:
        found = []
        PAGES.clear()
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                page(visitor, url)
            found.append(len(queries))
            with django_assert_num_queries(2):  # the published version and the data version
                page(visitor, url)
        return found

    small = counts()
    for number in range(1, 13):
        make_paper(number)
    assert counts() == small
    assert max(small) <= 20, small


def test_a_change_shows_at_once_and_a_repeated_visit_is_a_304(seed, visitor):
    decision = Decision.objects.get(number="647/2011")
    url = reverse("buergerinfo:paper", args=[decision.pk])
    first = visitor.get(url)
    assert set(first["Cache-Control"].split(", ")) == {"public", "max-age=60"}
    again = visitor.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    decision_save(
        decision=decision,
        expected_version=decision.version,
        acting_user=None,
        data={"title": "Neuer Betreff"},
    )
    changed = visitor.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert "Neuer Betreff" in changed.content.decode()


def test_anonymous_visitors_are_rate_limited(db, visitor, settings):
    settings.BUERGERINFO_RATE_LIMIT_PER_MINUTE = 2
    assert visitor.get(START).status_code == 200
    assert visitor.get(START).status_code == 200
    refused = visitor.get(START)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "Zu viele Anfragen" in refused.content.decode()


def test_it_is_linked_from_the_app_and_the_oparl_system(db, visitor, django_user_model):
    assert START in page(visitor, "/anmelden/")
    assert START in page(visitor, "/barrierefreiheit/")
    user = django_user_model.objects.create_user("leser", password="x" * 12)
    visitor.force_login(user)
    assert START in page(visitor, reverse("costs:overview"))
    visitor.logout()
    assert get(visitor, PREFIX)["website"] == f"http://testserver{START}"
