"""The paper written on one page with one save (issue 23): every section in one form with a
table of contents, errors at their section, the former part pages as anchors, the number check
beside."""

import re

from django.urls import reverse

from decisions import services
from decisions.models import Decision
from departments.models import BudgetSection
from front.forms.decisions import DecisionForm, editor_formsets
from tests.decisions.test_editor import value_of
from tests.decisions.test_views import form_data, formset_data, version


def all_sections(decision) -> dict:
    """What the one-page editor sends back unchanged: the paper and every part."""
    return {
        **form_data(DecisionForm(instance=decision)),
        **formset_data(editor_formsets(instance=decision)),
        "version": version(decision),
    }


def toc(html: str) -> str:
    return re.search(r'<nav class="editor-toc".*?</nav>', html, re.S).group(0)


def empty_part(prefix: str, **rows: str) -> dict:
    total = 1 + max((int(key.split("-")[0]) for key in rows), default=-1)
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        **{f"{prefix}-{key}": value for key, value in rows.items()},
    }


def test_it_shows_every_section_with_a_table_of_contents(sitzungsdienst, reference):
    html = sitzungsdienst.get(reverse("decisions:edit", args=[reference.pk])).content.decode()
    anchors = re.findall(r'<a href="#([a-z]+)">', toc(html))
    assert anchors == [
        "kopf",
        "beratungsfolge",
        "beschlussantrag",
        "begruendung",
        "stellen",
        "finanzen",
        "unterschriften",
        "anlagen",
    ]
    for anchor in anchors:
        assert f'<section class="editor-section" id="{anchor}"' in html
    assert html.count('<form method="post" class="form decision-form"') == 1  # one form
    # every part in it: the management forms of all formsets
    for prefix in ("beratung", "antrag", "bezug", "abschnitt", "stelle", "posten"):
        assert f'name="{prefix}-TOTAL_FORMS"' in html
    assert 'name="unterschrift-TOTAL_FORMS"' in html and 'name="anlage-TOTAL_FORMS"' in html
    # the linked positions with their data, and the search to link more
    assert value_of(html, "stelle-TOTAL_FORMS") == "18"
    assert reverse("decisions:positions", args=[reference.pk]) in html
    # the number check beside, with its counts
    assert 'class="editor-check"' in html
    assert "Prüfung der Zahlen im Text" in html
    assert re.search(r"Beträge? im Text geprüft|kein Betrag in Euro", html)


def test_it_creates_a_paper_with_every_section_in_one_post(sitzungsdienst, reference):
    section = BudgetSection.objects.order_by("pk").first()
    data = {
        "kind": "beschluss",
        "place": "Stuttgart",
        "date": "01.02.2012",
        "title": "Neue Stellen im Jugendamt",
        **empty_part(
            "beratung",
            **{
                "0-order": "1",
                "0-committee": "Verwaltungsausschuss",
                "0-purpose": "vorberatung",
                "0-public": "on",
                "1-order": "2",
                "1-committee": "Gemeinderat",
                "1-purpose": "beschlussfassung",
            },
        ),
        **empty_part("antrag", **{"0-order": "1", "0-text": "Es werden 2 Stellen geschaffen."}),
        **empty_part("bezug", **{"0-number": "647/2011", "0-note": "Vorgänger"}),
        **empty_part(
            "abschnitt",
            **{"0-order": "1", "0-number": "1", "0-heading": "Ausgangslage", "0-text": "Text."},
        ),
        **empty_part(
            "posten",
            **{
                "0-order": "1",
                "0-description": "Softwarepflege",
                "0-budget_section": str(section.pk),
                "0-annual_amount": "12.500",
                "0-start_year": "2012",
            },
        ),
        **empty_part(
            "unterschrift", **{"0-order": "1", "0-name": "Föll", "0-office": "Bürgermeister"}
        ),
        **empty_part("anlage", **{"0-number": "1", "0-title": "Organigramm"}),
    }
    response = sitzungsdienst.post(reverse("decisions:create"), data)
    decision = Decision.objects.get(title="Neue Stellen im Jugendamt")
    assert response.status_code == 302 and response.url == f"/beschluesse/{decision.pk}/"
    steps = decision.consultation_steps.order_by("order")
    assert [(s.committee.name, s.purpose, s.public) for s in steps] == [
        ("Verwaltungsausschuss", "vorberatung", True),
        ("Gemeinderat", "beschlussfassung", False),
    ]
    assert decision.proposal_points.get().text == "Es werden 2 Stellen geschaffen."
    assert decision.references.get().number == "647/2011"
    assert decision.reason_sections.get().heading == "Ausgangslage"
    item = decision.financial_items.get()
    assert (item.description, str(item.annual_amount)) == ("Softwarepflege", "12500.00")
    assert decision.signatories.get().name == "Föll"
    assert decision.annexes.get().title == "Organigramm"
    assert decision.status_changes.get().to_status == Decision.Status.DRAFT


def test_it_saves_every_section_of_a_paper_in_one_post(sitzungsdienst, reference):
    links = list(reference.position_links.order_by("order"))
    data = all_sections(reference)
    data["title"] = "Projekt Jobcenter (überarbeitet)"
    data["beratung-0-purpose"] = "kenntnisnahme"
    data["antrag-0-text"] = "Ziffer 1, neu gefasst."
    data["abschnitt-0-heading"] = "Ausgangslage (neu)"
    data["stelle-0-DELETE"] = "on"  # the first linked position leaves the paper
    data["stelle-1-order"], data["stelle-2-order"] = "3", "2"  # two swap their places
    data["posten-0-annual_amount"] = "500.000"
    data["unterschrift-1-office"] = "Bürgermeister für Allgemeine Verwaltung"
    data["anlage-0-title"] = "Aufgabenbeschreibungen (Stand 2011)"
    response = sitzungsdienst.post(reverse("decisions:edit", args=[reference.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    reference.refresh_from_db()
    assert reference.title == "Projekt Jobcenter (überarbeitet)"
    assert reference.consultation_steps.order_by("order").first().purpose == "kenntnisnahme"
    assert reference.proposal_points.get(order=1).text == "Ziffer 1, neu gefasst."
    assert reference.reason_sections.get(number="1").heading == "Ausgangslage (neu)"
    order = list(reference.position_links.order_by("order").values_list("position_id", "order"))
    assert order[:2] == [(links[2].position_id, 1), (links[1].position_id, 2)]
    assert [number for _, number in order] == list(range(1, 18))  # renumbered without a gap
    assert str(reference.financial_items.get().annual_amount) == "500000.00"
    assert reference.signatories.get(order=2).office == "Bürgermeister für Allgemeine Verwaltung"
    assert reference.annexes.get().title == "Aufgabenbeschreibungen (Stand 2011)"


def test_an_error_in_one_section_keeps_every_input_and_names_the_section(sitzungsdienst, reference):
    before = version(reference)
    data = all_sections(reference)
    data["title"] = "Titel in Arbeit"
    data["abschnitt-0-heading"] = "Überschrift in Arbeit"
    data["unterschrift-1-office"] = "Amt in Arbeit"
    data["stelle-1-order"] = "7"
    data["posten-0-annual_amount"] = "viel"  # the one error: Finanzen
    response = sitzungsdienst.post(reverse("decisions:edit", args=[reference.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "(Abschnitte: Finanzielle Auswirkungen); nichts wurde gespeichert." in html
    marked = re.findall(r'<li class="has-errors"><a href="#([a-z]+)">', toc(html))
    assert marked == ["finanzen"]
    assert '<section class="editor-section has-errors" id="finanzen"' in html
    # every other section keeps what was entered
    assert value_of(html, "title") == "Titel in Arbeit"
    assert value_of(html, "abschnitt-0-heading") == "Überschrift in Arbeit"
    assert value_of(html, "unterschrift-1-office") == "Amt in Arbeit"
    assert value_of(html, "stelle-1-order") == "7"
    assert value_of(html, "posten-0-annual_amount") == "viel"
    # and nothing was saved
    reference.refresh_from_db()
    assert version(reference) == before
    assert reference.title != "Titel in Arbeit"
    assert not reference.reason_sections.filter(heading="Überschrift in Arbeit").exists()


def test_it_refuses_a_save_over_a_concurrent_edit(sitzungsdienst, reference):
    data = all_sections(reference)  # the page as opened
    services.decision_save(
        decision=reference,
        expected_version=int(data["version"]),
        acting_user=None,
        data={"title": "Inzwischen geändert"},
    )
    data["title"] = "Meine Änderung"
    data["abschnitt-0-heading"] = "Meine Überschrift"
    response = sitzungsdienst.post(reverse("decisions:edit", args=[reference.pk]), data)
    html = response.content.decode()
    assert response.status_code == 409
    assert 'class="alert alert-error conflict"' in html
    reference.refresh_from_db()
    assert reference.title == "Inzwischen geändert"
    assert not reference.reason_sections.filter(heading="Meine Überschrift").exists()
    assert value_of(html, "title") == "Inzwischen geändert"  # the saved state to start again


def test_it_adds_a_row_to_a_section_without_javascript_and_keeps_the_others(
    sitzungsdienst, reference
):
    data = all_sections(reference)
    sections = int(data["abschnitt-TOTAL_FORMS"])
    data["title"] = "Titel in Arbeit"
    data["_add"] = "abschnitt"
    response = sitzungsdienst.post(reverse("decisions:edit", args=[reference.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert value_of(html, "abschnitt-TOTAL_FORMS") == str(sections + 1)
    assert value_of(html, f"abschnitt-{sections}-order") is not None
    assert value_of(html, "title") == "Titel in Arbeit"
    assert "Noch nicht gespeichert" in html
    reference.refresh_from_db()
    assert reference.title != "Titel in Arbeit"


def test_save_and_continue_returns_to_the_editor(sitzungsdienst, reference):
    data = all_sections(reference)
    data["antrag-0-text"] = "Die Kosten betragen 1.128.560 EUR jährlich."
    data["_continue"] = "1"
    url = reverse("decisions:edit", args=[reference.pk])
    response = sitzungsdienst.post(url, data)
    assert response.status_code == 302 and response.url == url
    html = sitzungsdienst.get(url).content.decode()
    check = re.search(r'<aside class="editor-check".*?</aside>', html, re.S).group(0)
    assert "1.128.560 EUR" in check  # the saved text, checked beside the editor


def test_the_former_part_pages_open_the_editor_at_their_section(sitzungsdienst, reference):
    # (other roles: 403, as the permission matrix checks)
    edit = reverse("decisions:edit", args=[reference.pk])
    for name, anchor in (
        ("decisions:edit_text", "begruendung"),
        ("decisions:edit_finance", "finanzen"),
    ):
        url = reverse(name, args=[reference.pk])
        response = sitzungsdienst.get(url)
        assert response.status_code == 302 and response.url == f"{edit}#{anchor}"
    detail = sitzungsdienst.get(reverse("decisions:detail", args=[reference.pk])).content.decode()
    assert reverse("decisions:edit_text", args=[reference.pk]) not in detail  # one "Bearbeiten"
    assert edit in detail
