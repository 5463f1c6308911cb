"""`loaddata seed` loads the complete reference decision of 19.09.2011."""

from datetime import date
from decimal import Decimal

from decisions.models import Decision, StatusChange


def test_it_loads_the_decision_with_its_header(reference):
    assert reference.kind == Decision.Kind.RESOLUTION
    assert (reference.place, reference.date) == ("Stuttgart", date(2011, 9, 19))
    assert reference.project == "Projekt Jobcenter - Umsetzung der Option in der LHS Stuttgart"
    assert reference.title == "Stadtweite Stellenbedarfe im Zusammenhang mit Option"
    assert [u.code for u in reference.submitted_by.all()] == ["WFB"]
    assert reference.status == Decision.Status.SUBMITTED
    assert list(reference.status_changes.values_list("to_status", "date")) == [
        ("entwurf", date(2011, 9, 19)),
        ("eingebracht", date(2011, 9, 19)),
    ]
    assert StatusChange.objects.count() == 2


def test_it_loads_the_four_committee_rows(reference):
    rows = [
        (s.committee.name, s.get_purpose_display(), s.session_kind, s.meeting_date)
        for s in reference.consultation_steps.all()
    ]
    assert rows == [
        ("Unterausschuss JobCenter", "Beratung", "nicht öffentlich", date(2011, 9, 23)),
        ("Ausschuss für Wirtschaft und Wohnen", "Vorberatung", "öffentlich", date(2011, 9, 30)),
        ("Verwaltungsausschuss", "Vorberatung", "öffentlich", date(2011, 10, 5)),
        ("Gemeinderat", "Beschlussfassung", "öffentlich", date(2011, 10, 6)),
    ]


def test_it_loads_the_text_with_its_known_errors(reference):
    points = list(reference.proposal_points.values_list("order", flat=True))
    assert points == [1, 2, 3]
    texts = [p.text for p in reference.proposal_points.all()]
    assert "Kreditorenbuchhaltung (stellv. Teamleitung), A 11" in texts[0]
    assert "in Höhe von rund 1.682.510 EUR bewilligt" in texts[1]
    assert "rund 42.350,00 EUR" in texts[1]
    assert "Kostenart 48111002 an das Jobcenter" in texts[2]
    numbers = list(reference.reason_sections.values_list("number", flat=True))
    assert numbers == ["1", "2", "3", "3.1", "3.2", "3.3", "3.4", "3.5"]
    assert reference.reason_sections.get(number="3.4").heading == (
        "Stadtkämmerei (insgesamt 4,5 Stellen)"
    )


def test_it_loads_references_signatories_and_annex(reference):
    assert sorted(reference.references.values_list("number", flat=True)) == sorted(
        ["156/2011", "876/2010", "490/2010", "256/2011", "388/2011", "195/2010"]
    )
    assert [(s.name, s.office) for s in reference.signatories.all()] == [
        ("Michael Föll", "Erster Bürgermeister"),
        ("Werner Wölfle", "Bürgermeister"),
    ]
    annex = reference.annexes.get()
    assert (annex.number, annex.title, annex.generated) == (1, "Aufgabenbeschreibungen", True)
    assert annex.intro.startswith("Bei allen Stellen wurden aus Gründen der Einheitlichkeit")


def test_it_links_the_18_positions_in_anlage_order(reference):
    links = list(reference.position_links.order_by("order"))
    assert [link.order for link in links] == list(range(1, 19))
    assert [link.position_id for link in links] == list(range(1, 19))
    codes = [link.position.org_unit.code for link in links]
    assert codes[:5] == ["10-1.2", "10-3.3", "10-5.1", "10-5.1", "10-5.3"]
    assert codes[11] == "14-2" and codes[17] == "WFB"


def test_it_loads_the_kdrs_item(reference):
    item = reference.financial_items.get()
    assert item.annual_amount == Decimal("480000.00")
    assert (item.start_year, item.end_year) == (2012, None)
    assert item.budget_section.number == "100"
    assert item.account_area.startswith("1007130")
    assert item.account_group.startswith("440")
    assert (item.charged_to.number, item.cost_type) == ("290", "48111002")
