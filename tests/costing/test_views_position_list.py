from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from costing.engine import clear_caches
from stellenplan.models import PayGrade, Position
from tests.factories import (
    CostRateFactory,
    CostTableFactory,
    OrgUnitFactory,
    PayGradeFactory,
    PositionFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("positions:list")


@pytest.fixture
def reader(client, role_users):
    client.force_login(role_users["kaemmerei"])
    return client


def rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr ")


def test_it_lists_the_reference_positions_with_their_annual_costs(seed, reader):
    html = reader.get(LIST, {"year": 2012}).content.decode()
    assert rows(html) == 18
    for header in [
        "Org.einheit",
        "Stellenwert",
        "Funktionsbezeichnung",
        "Anzahl der Stellen",
        "Stellenvermerk",
        "Beginn",
        "Ende",
        "Jahreskosten 2012",
    ]:
        assert header in html
    assert "SB Steuerungsunterstützung" in html
    assert "110.400\xa0€" in html  # A 13 hD, 1,0 Stelle
    # the sum row of the filtered set: Stellen and €
    assert "<td >Summe (18 Zeilen)</td>" in html or "Summe (18 Zeilen)" in html
    assert '<td class="num">13,5</td>' in html
    assert '<td class="num">1.128.560\xa0€</td>' in html


@pytest.mark.parametrize(
    ("params", "count", "fte", "cost"),
    [
        ({"org_unit": 5}, 6, "5,5", "478.500\xa0€"),  # Jobcenter with its sub-units
        ({"org_unit": 10}, 3, "0,7", "55.920\xa0€"),  # 10-5 Personalservice: 10-5.1, 10-5.3
        ({"status_group": "beamte"}, 11, "8,4", "807.620\xa0€"),
        ({"q": "Buchhaltung"}, 3, "3,0", "201.400\xa0€"),  # also in a task description
        ({"q": "SB/-in buchhaltung"}, 2, "2,0", "120.700\xa0€"),  # every word must occur
        ({"q": "a 13 hd"}, 2, "2,0", "220.800\xa0€"),  # a pay grade named in full
        ({"q": "Öffentlichkeitsarbeit"}, 1, "1,0", "74.300\xa0€"),
        ({"note": "-"}, 18, "13,5", "1.128.560\xa0€"),
        ({"note": "KW"}, 0, "0,0", "0\xa0€"),
        ({"year": 2011}, 2, "2,0", "169.400\xa0€"),
    ],
)
def test_it_filters_and_sums_the_filtered_set(seed, reader, params, count, fte, cost):
    html = reader.get(LIST, {"year": 2012, **params}).content.decode()
    assert (rows(html) if count else 0) == count
    assert f"<strong>{count} Stellenzeile" in html
    assert f"<strong>{fte} Stellen</strong>" in html
    if cost:
        assert f"<strong>{cost}</strong>" in html


def test_it_filters_by_pay_grade(seed, reader):
    grade = PayGrade.objects.get(code="EG 11")
    html = reader.get(LIST, {"pay_grade": grade.pk}).content.decode()
    assert rows(html) == 2
    assert "SB Zentrales Controlling" in html


def test_it_shows_a_changed_position_in_the_sums_of_a_list_asked_for_before(seed, reader):
    params = {"year": 2012, "status_group": "beamte", "note": "-"}
    assert "<strong>8,4 Stellen</strong>" in reader.get(LIST, params).content.decode()
    # the same filter, its values in another order: the same sums
    again = reader.get(LIST, {"note": "-", "status_group": "beamte", "year": "2012"})
    assert "<strong>8,4 Stellen</strong>" in again.content.decode()
    position = Position.objects.filter(pay_grade__status_group="beamte", fte=1).first()
    position.fte = Decimal("0.5")
    position.save()
    html = reader.get(LIST, params).content.decode()
    assert "<strong>7,9 Stellen</strong>" in html


def test_it_marks_positions_not_active_in_the_cost_year(seed, reader):
    Position.objects.filter(title="SB Zentrales Controlling").update(end_date=date(2012, 12, 31))
    html = reader.get(LIST, {"q": "Zentrales Controlling"}).content.decode()
    assert rows(html) == 1
    assert "nicht aktiv" in html


def test_it_sorts_by_a_column(seed, reader):
    html = reader.get(LIST, {"sort": "-fte", "year": 2012}).content.decode()
    first_row = html.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">1,0</td>' in first_row
    assert 'aria-sort="descending"' in html


def test_it_paginates_in_the_table(seed, reader):
    html = reader.get(LIST, {"per_page": 25}).content.decode()
    assert rows(html) == 18
    for n in range(40):
        PositionFactory(title=f"Zusatz {n:02d}")
    page2 = reader.get(LIST, {"per_page": 25, "page": 2}).content.decode()
    assert rows(page2) == 25 + 18 + 40 - 50 - 8  # 58 rows: 25 on page 1, 25 on page 2
    assert "Seite 2 von 3" in page2
    beyond = reader.get(LIST, {"per_page": 25, "page": 99}).content.decode()
    assert "Seite 3 von 3" in beyond


def test_it_ignores_bad_filter_values_with_a_message(seed, reader):
    response = reader.get(
        LIST, {"year": "zwanzig", "org_unit": "abc", "page": "x", "per_page": "9999"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bitte eine Zahl eingeben." in html
    # the refusal names the field and the value (core.forms.CleanInputMixin)
    assert "Org.einheit (mit Untereinheiten): „abc“ ist keine Auswahl dieser Liste" in html
    assert rows(html) == 18


def test_a_grade_without_a_rate_leaves_the_sums_marked_incomplete(seed, reader):
    PositionFactory(pay_grade=PayGradeFactory(code="EG 99"), title="ohne Kostensatz")
    response = reader.get(LIST, {"year": 2012})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Kosten nicht berechenbar" not in html
    assert "unvollständig" in html
    assert "EG 99" in html
    assert "ohne Kostensatz" in html  # the list itself is still there


def test_it_shows_the_new_button_only_to_the_personalamt(seed, client, role_users):
    client.force_login(role_users["kaemmerei"])
    assert "Neue Stelle" not in client.get(LIST).content.decode()
    client.force_login(role_users["personalamt"])
    assert "Neue Stelle" in client.get(LIST).content.decode()


# session, user, the sums (data version, cost table and rates of the year; data version, one
# grouped query), the page rows, the org tree for the filter's options (data version, units,
# budget sections), the grade choices, rights and groups of the navigation. The org unit
# filter adds its choice check and the data version again (the tree for the filter, the
# options read it each). After a write every cache is cold; asked for again while the
# data are unchanged, a list reads its sums (with the rates) and the tree from the caches
# (one query each for the data version) and no position but those of its page. A search
# ("q") adds the sums of its two parts (issue 23: the positions of matching units and the
# text matches), each a grouped query and two data-version reads (cached like the list's
# sums: asked for again, one data-version read each).
QUERIES_UNFILTERED = 15
QUERIES_FILTERED = 23
QUERIES_UNFILTERED_AGAIN = 9
QUERIES_FILTERED_AGAIN = 13


def test_it_sums_the_list_exactly_as_the_engine_does(client, role_users):
    from costing.engine import cost_year
    from costing.selectors import list_sums

    table = CostTableFactory(valid_from=date(2010, 1, 1))
    grades = [PayGradeFactory() for _ in range(4)]
    for n, grade in enumerate(grades):
        CostRateFactory(table=table, pay_grade=grade, annual_cost=Decimal("61234.57") + n)
    units = [OrgUnitFactory() for _ in range(3)]
    _create_positions(500, units, grades)
    Position.objects.filter(pk__in=Position.objects.values("pk")[:200]).update(fte=Decimal("0.33"))
    for year in (2011, 2013, 2031):
        engine = cost_year(year, Position.objects.all()).total
        listed = list_sums(Position.objects.all(), year)
        assert (listed.annual_cost, listed.active_fte, listed.active_lines) == (
            engine.annual_cost,
            engine.fte,
            engine.positions,
        )


def _create_positions(count: int, units, grades) -> None:
    Position.objects.bulk_create(
        Position(
            org_unit=units[i % len(units)],
            pay_grade=grades[i % len(grades)],
            fte=Decimal("0.5") if i % 3 else Decimal("1"),
            title=f"Sachbearbeitung {i}",
            start_date=date(2010 + i % 5, 1 + i % 12, 1),
            end_date=None if i % 4 else date(2030, 12, 31),
        )
        for i in range(count)
    )


def listing(response) -> str:
    """The sum line and the table of a list page (the rest carries per-request tokens)."""
    html = response.content.decode()
    return html[html.index('<p class="sum-line"') : html.index("</table>")]


def test_it_needs_the_same_number_of_queries_for_10_and_10000_positions(
    client, role_users, django_assert_num_queries
):
    table = CostTableFactory(valid_from=date(2010, 1, 1))
    grades = [PayGradeFactory() for _ in range(5)]
    for grade in grades:
        CostRateFactory(table=table, pay_grade=grade)
    amt = OrgUnitFactory()
    units = [amt, *(OrgUnitFactory(parent=amt) for _ in range(5))]
    client.force_login(role_users["kaemmerei"])
    pages = [
        ({}, QUERIES_UNFILTERED, QUERIES_UNFILTERED_AGAIN),
        (
            {"year": 2014, "org_unit": amt.pk, "q": "Sachbearbeitung", "sort": "-fte", "page": 2},
            QUERIES_FILTERED,
            QUERIES_FILTERED_AGAIN,
        ),
    ]
    _create_positions(10, units, grades)
    for params, queries, _ in pages:
        clear_caches()
        with django_assert_num_queries(queries):
            assert client.get(LIST, params).status_code == 200
    _create_positions(9_990, units, grades)
    for params, queries, queries_again in pages:
        clear_caches()
        with django_assert_num_queries(queries):
            response = client.get(LIST, params)
        with django_assert_num_queries(queries_again) as again_queries:
            again = client.get(LIST, params)
        assert listing(again) == listing(response)
        position_reads = [q["sql"] for q in again_queries if '"stellenplan_position"' in q["sql"]]
        assert len(position_reads) == 1 and "LIMIT" in position_reads[0]  # only the page
    html = response.content.decode()
    assert "Summe (" in html
    assert "Seite 2 von" in html


def test_a_search_shows_the_sums_of_the_matching_unit_and_of_the_text_matches_apart(seed, reader):
    """Issue 23: "Jobcenter" lists 15 lines; the 6 of the Jobcenter and the 9 found in the
    text of other offices each get their own figure (and a link to the grouped search)."""
    html = reader.get(LIST, {"q": "Jobcenter", "year": 2012}).content.decode()
    split = html.split('class="sum-split"', 1)[1].split("</p>", 1)[0]
    assert "6 Stellenzeilen mit 5,5 Stellen; 478.500\xa0€" in split
    assert "9 Stellenzeilen mit 5,7 Stellen; 457.570\xa0€" in split
    assert f"{reverse('search')}?q=Jobcenter&amp;year=2012" in split
    # the whole list keeps its one sum
    assert "936.070\xa0€" in html.split('id="summe"', 1)[1].split("</p>", 1)[0]


def test_a_search_with_only_unit_matches_shows_no_split(seed, reader):
    html = reader.get(LIST, {"q": "29AL", "year": 2012}).content.decode()
    assert 'class="sum-split"' not in html
