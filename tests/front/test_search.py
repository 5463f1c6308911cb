"""The search of the header (issue 23): positions grouped (the matching unit's first, then
the other text matches, each with its own sums), org units and papers; a GRDrs number opens
its paper."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.formatting import euro, format_decimal
from costing.engine import clear_caches, is_active_in_year, year_rates
from decisions.models import Decision
from departments.models import OrgUnit
from stellenplan.models import Position

pytestmark = pytest.mark.django_db

SEARCH = reverse("search")


@pytest.fixture
def reader(client, role_users):
    client.force_login(role_users["sitzungsdienst"])
    return client


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " ")


def sections(html: str) -> dict[str, str]:
    """The text of each result section by its heading."""
    found = {}
    for match in re.finditer(r'<section class="result-group"[^>]*>(.*?)</section>', html, re.S):
        heading = re.search(r"<h2[^>]*>(.*?)</h2>", match.group(1), re.S).group(1)
        found[text_of(heading).strip()] = match.group(1)
    return found


def engine_sum(positions, year: int) -> tuple[int, Decimal, Decimal]:
    """Lines, Stellen and annual cost as the costing engine prices each line."""
    rates = year_rates(year)
    cost = sum(
        (
            rates.annual_cost_of(p.pay_grade_id, p.fte)
            for p in positions
            if is_active_in_year(p.start_date, p.end_date, year)
        ),
        Decimal(0),
    )
    return len(positions), sum((p.fte for p in positions), Decimal(0)), cost


def test_it_shows_the_jobcenters_positions_first_with_their_own_sum(seed, reader):
    html = reader.get(SEARCH, {"q": "Jobcenter", "year": 2012}).content.decode()
    groups = sections(html)
    headings = list(groups)
    assert headings[0] == "29 Jobcenter"
    jobcenter = OrgUnit.objects.get(code="29")
    units = [jobcenter.pk, *OrgUnit.objects.filter(parent=jobcenter).values_list("pk", flat=True)]
    own = list(Position.objects.filter(org_unit_id__in=units))
    lines, fte, cost = engine_sum(own, 2012)
    assert (lines, fte, cost) == (6, Decimal("5.5"), Decimal("478500"))  # Anlage: Gesamt 5,5
    text = text_of(groups["29 Jobcenter"])
    assert f"6 Stellenzeilen mit {format_decimal(fte)} Stellen" in text
    assert f"Jahreskosten 2012: {euro(cost)}".replace("\xa0", " ") in text
    for position in own:
        assert position.title in text
    assert groups["29 Jobcenter"].count('<tr class="') == 6


def test_it_shows_the_other_text_matches_apart_with_their_own_sum(seed, reader):
    html = reader.get(SEARCH, {"q": "Jobcenter", "year": 2012}).content.decode()
    groups = sections(html)
    other_heading = "Weitere Stellen mit „Jobcenter“ im Text"
    assert list(groups) == ["29 Jobcenter", other_heading]
    others = [
        p
        for p in Position.objects.select_related("org_unit")
        if "jobcenter" in (p.title + p.task_heading + p.tasks).casefold()
        and not p.org_unit.code.startswith("29")
    ]
    lines, fte, cost = engine_sum(others, 2012)
    assert lines == 9
    text = text_of(groups[other_heading])
    assert f"9 Stellenzeilen mit {format_decimal(fte)} Stellen" in text
    assert f"Jahreskosten 2012: {euro(cost)}".replace("\xa0", " ") in text
    # together they are what the mixed list showed as one figure before
    assert fte + Decimal("5.5") == Decimal("11.2") and cost + 478500 == 936070
    assert "29AL" not in text and "29-1" not in text


def test_it_lists_matching_units_and_papers_as_their_own_groups(seed, reader):
    html = reader.get(SEARCH, {"q": "Jobcenter", "year": 2012}).content.decode()
    units = html.split('id="einheiten"', 1)[1].split("</section>", 1)[0]
    assert ">29</a>" in units and "Jobcenter" in units
    papers = html.split('id="vorlagen"', 1)[1].split("</section>", 1)[0]
    paper = Decision.objects.get(number="647/2011")
    assert reverse("decisions:detail", args=[paper.pk]) in papers
    assert "GRDrs 647/2011" in papers


@pytest.mark.parametrize("query", ["647/2011", "GRDrs 647/2011", " grdrs. 647/2011 "])
def test_it_opens_the_paper_of_a_grdrs_number(seed, reader, query):
    paper = Decision.objects.get(number="647/2011")
    response = reader.get(SEARCH, {"q": query})
    assert response.status_code == 302
    assert response["Location"] == reverse("decisions:detail", args=[paper.pk])


def test_it_shows_papers_first_for_a_grdrs_number_with_two_papers(seed, reader):
    paper = Decision.objects.get(number="647/2011")
    Decision.objects.filter(pk=paper.pk).update(number="")
    other = Decision.objects.create(
        number="648/2011", title="Andere Vorlage 647/2011", date=paper.date
    )
    html = reader.get(SEARCH, {"q": "647/2011"}).content.decode()
    assert html.index('id="vorlagen"') < html.index('id="einheiten"')
    assert reverse("decisions:detail", args=[other.pk]) in html


def test_it_says_when_nothing_is_found(seed, reader):
    html = reader.get(SEARCH, {"q": "Zeppelinhangar"}).content.decode()
    assert "Nichts gefunden" in html and "„Zeppelinhangar“" in html


def test_it_refuses_too_many_words_in_german_and_searches_nothing(seed, reader):
    response = reader.get(SEARCH, {"q": " ".join(["Jobcenter"] * 21)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "hat 21 Wörter; bitte höchstens 20 Suchbegriffe" in html
    assert 'class="result-group"' not in html


def test_it_says_so_for_an_unusable_year(seed, reader):
    html = reader.get(SEARCH, {"q": "Jobcenter", "year": "zwanzig"}).content.decode()
    assert "„zwanzig“ ist kein gültiges Jahr" in html
    assert 'class="result-group"' in html


def test_the_header_of_every_page_has_the_search_box(seed, reader):
    html = reader.get(reverse("costs:overview")).content.decode()
    form = html.split('class="header-search"', 1)[1].split("</form>", 1)[0]
    assert f'action="{SEARCH}"' in html
    assert 'for="kopfsuche"' in form and 'id="kopfsuche"' in form and 'name="q"' in form


def test_it_needs_a_login(seed, client):
    response = client.get(SEARCH, {"q": "Jobcenter"})
    assert response.status_code == 302 and "/anmelden/" in response["Location"]


def test_its_queries_do_not_grow_with_the_positions_found(seed, reader):
    """Per group one grouped sum and the rows shown (at most 25), whatever the matches."""

    def queries() -> int:
        clear_caches()
        with CaptureQueriesContext(connection) as captured:
            assert reader.get(SEARCH, {"q": "Jobcenter", "year": 2012}).status_code == 200
        return len(captured)

    before = queries()
    template = Position.objects.filter(org_unit__code="29-1").first()
    Position.objects.bulk_create(
        Position(
            org_unit=template.org_unit,
            pay_grade=template.pay_grade,
            fte=Decimal("0.5"),
            title=f"SB Jobcenter-Projekt {n}",
            start_date=template.start_date,
        )
        for n in range(60)
    )
    assert queries() == before
    html = reader.get(SEARCH, {"q": "Jobcenter", "year": 2012}).content.decode()
    assert "Gezeigt sind die ersten 25 von 66 Stellenzeilen" in html
