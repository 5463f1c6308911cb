"""The decision editor without JavaScript: rows added ("Zeile hinzufügen"), removed and
reordered before one save, the Markdown preview, Gremien suggestions (issue 14)."""

import re

import pytest
from django.urls import reverse

from decisions.models import Annex, ConsultationStep, Decision
from front.forms.decisions import finance_formsets
from tests.decisions.test_views import edit_data, formset_data, version
from tests.form_pages import problems

NEW = {
    "kind": "beschluss",
    "place": "Stuttgart",
    "date": "01.02.2012",
    "title": "Neue Stellen im Jugendamt",
    "beratung-TOTAL_FORMS": "1",
    "beratung-INITIAL_FORMS": "0",
    "beratung-0-order": "1",
    "beratung-0-committee": "Jugendhilfeausschuss",
    "beratung-0-purpose": "vorberatung",
    "beratung-0-public": "on",
    "antrag-TOTAL_FORMS": "1",
    "antrag-INITIAL_FORMS": "0",
    "antrag-0-order": "1",
    "antrag-0-text": "",
    "bezug-TOTAL_FORMS": "1",
    "bezug-INITIAL_FORMS": "0",
    "unterschrift-TOTAL_FORMS": "1",
    "unterschrift-INITIAL_FORMS": "0",
    "unterschrift-0-order": "1",
}


def value_of(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    if match is None:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def test_it_numbers_the_new_row_after_the_existing_ones(sitzungsdienst, reference):
    html = sitzungsdienst.get(reverse("decisions:edit", args=[reference.pk])).content.decode()
    steps = reference.consultation_steps.count()
    # the empty row of the Beratungsfolge comes after the last step, not as number 1
    assert value_of(html, f"beratung-{steps}-order") == str(steps + 1)
    points = reference.proposal_points.count()
    assert value_of(html, f"antrag-{points}-order") == str(points + 1)
    # the empty form JavaScript clones is in the page, with the management form to update
    assert 'name="beratung-__prefix__-committee"' in html
    assert 'name="beratung-TOTAL_FORMS"' in html
    html = sitzungsdienst.get(reverse("decisions:create")).content.decode()
    assert value_of(html, "beratung-0-order") == "1"


def test_it_adds_a_row_without_saving(sitzungsdienst, db):
    data = {**NEW, "_add": "beratung"}
    response = sitzungsdienst.post(reverse("decisions:create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Decision.objects.exists()  # nothing saved
    assert value_of(html, "beratung-TOTAL_FORMS") == "2"
    assert value_of(html, "beratung-1-order") == "2"  # the next number, not 1
    assert value_of(html, "beratung-0-committee") == "Jugendhilfeausschuss"  # input kept
    assert "Noch nicht gespeichert" in html
    assert 'data-warn-unsaved="geaendert"' in html  # leaving now warns (static/js/unsaved.js)
    # the new empty row and the missing Betreff raise no error yet, neither shown nor announced
    assert "errorlist" not in html
    assert "aria-invalid" not in html
    assert not problems(html)  # no aria-describedby of an error that is not shown


def test_it_creates_a_paper_with_several_rows_in_one_save(sitzungsdienst, committees):
    data = dict(NEW)
    url = reverse("decisions:create")
    # without JavaScript: "Zeile hinzufügen" twice for the Beratungsfolge, then save once
    for _ in range(2):
        data["_add"] = "beratung"
        html = sitzungsdienst.post(url, data).content.decode()
        data["beratung-TOTAL_FORMS"] = value_of(html, "beratung-TOTAL_FORMS")
    assert data["beratung-TOTAL_FORMS"] == "3"
    del data["_add"]
    data.update(
        {
            "beratung-1-order": "2",
            "beratung-1-committee": "Verwaltungsausschuss",
            "beratung-1-purpose": "vorberatung",
            "beratung-2-order": "3",
            "beratung-2-committee": "Gemeinderat",
            "beratung-2-purpose": "beschlussfassung",
            "beratung-2-public": "on",
            "antrag-TOTAL_FORMS": "2",
            "antrag-0-text": "Erste Ziffer.",
            "antrag-1-order": "2",
            "antrag-1-text": "Zweite Ziffer.",
            "unterschrift-TOTAL_FORMS": "2",
            "unterschrift-0-name": "Dr. Martin Schairer",
            "unterschrift-0-office": "Bürgermeister",
            "unterschrift-1-order": "2",
            "unterschrift-1-name": "Werner Wölfle",
            "unterschrift-1-office": "Bürgermeister",
        }
    )
    response = sitzungsdienst.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    decision = Decision.objects.get(title="Neue Stellen im Jugendamt")
    assert list(decision.consultation_steps.values_list("order", "committee__name")) == [
        (1, "Jugendhilfeausschuss"),
        (2, "Verwaltungsausschuss"),
        (3, "Gemeinderat"),
    ]
    assert list(decision.proposal_points.values_list("text", flat=True)) == [
        "Erste Ziffer.",
        "Zweite Ziffer.",
    ]
    assert list(decision.signatories.values_list("name", flat=True)) == [
        "Dr. Martin Schairer",
        "Werner Wölfle",
    ]
    assert not decision.references.exists()  # the empty reference row is not saved


def test_it_reorders_and_removes_rows_in_one_save(sitzungsdienst, reference):
    steps = list(reference.consultation_steps.order_by("order"))
    data = edit_data(reference)
    # move the last step to the top, remove the second
    data["beratung-0-order"] = "2"
    data[f"beratung-{len(steps) - 1}-order"] = "1"
    data["beratung-1-DELETE"] = "on"
    response = sitzungsdienst.post(reverse("decisions:edit", args=[reference.pk]), data)
    assert response.status_code == 302
    committees = list(
        reference.consultation_steps.order_by("order", "id").values_list(
            "committee__name", flat=True
        )
    )
    assert committees[0] == steps[-1].committee.name
    assert (
        steps[1].committee.name not in committees or committees.count(steps[1].committee.name) == 1
    )
    assert len(committees) == len(steps) - 1


def test_it_swaps_annex_numbers_in_one_save(sitzungsdienst, reference):
    Annex.objects.create(decision=reference, number=2, title="Organigramm", generated=False)
    data = formset_data(finance_formsets(instance=reference))
    data["version"] = version(reference)
    data["anlage-0-number"], data["anlage-1-number"] = "2", "1"
    response = sitzungsdienst.post(reverse("decisions:edit_finance", args=[reference.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(reference.annexes.order_by("number").values_list("title", flat=True)) == [
        "Organigramm",
        "Aufgabenbeschreibungen",
    ]


def test_it_refuses_a_stale_save_with_added_rows_as_a_whole(sitzungsdienst, reference):
    data = edit_data(reference)
    stale = data["version"]
    # someone else saves meanwhile
    other = edit_data(reference)
    other["title"] = "Von anderer Seite geändert"
    sitzungsdienst.post(reverse("decisions:edit", args=[reference.pk]), other)
    data["version"] = stale
    steps = reference.consultation_steps.count()
    data["beratung-TOTAL_FORMS"] = str(steps + 1)
    data.update(
        {
            f"beratung-{steps}-order": str(steps + 1),
            f"beratung-{steps}-committee": "Sozialausschuss",
            f"beratung-{steps}-purpose": "beratung",
        }
    )
    response = sitzungsdienst.post(reverse("decisions:edit", args=[reference.pk]), data)
    assert response.status_code == 409
    assert not ConsultationStep.objects.filter(committee__name="Sozialausschuss").exists()


def test_it_previews_markdown_without_saving(sitzungsdienst, reference):
    data = edit_data(reference)
    data["antrag-0-text"] = "Vorschau mit **fett**:\n\n- erste Aufgabe\n- zweite Aufgabe"
    data["_preview"] = "1"
    before = version(reference)
    response = sitzungsdienst.post(reverse("decisions:edit", args=[reference.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>fett</strong>" in html
    assert "<li>erste Aufgabe</li>" in html
    assert "Vorschau (nicht gespeichert)" in html
    assert version(reference) == before
    assert not reference.proposal_points.filter(text__contains="Vorschau").exists()


def test_the_preview_endpoint_renders_like_the_print_view(sitzungsdienst, db):
    url = reverse("decisions:preview")
    response = sitzungsdienst.post(url, {"text": "- a\n- **b**\n\n<script>x</script>"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<li><strong>b</strong></li>" in html
    assert "<script>" not in html
    assert sitzungsdienst.get(url).status_code == 405
    too_long = sitzungsdienst.post(url, {"text": "x" * 200_001})
    assert too_long.status_code == 400
    assert "200001 Zeichen" in too_long.content.decode()


def test_the_preview_endpoint_is_for_editors_only(personalamt, db):
    assert personalamt.post(reverse("decisions:preview"), {"text": "x"}).status_code == 403


def test_it_suggests_the_gremien_already_used(sitzungsdienst, reference):
    html = sitzungsdienst.get(reverse("decisions:create")).content.decode()
    assert '<datalist id="gremien">' in html
    for committee in reference.consultation_steps.values_list("committee__name", flat=True):
        assert f'<option value="{committee}">' in html
    assert 'list="gremien"' in html


@pytest.mark.parametrize("name", ["decisions:create", "decisions:edit"])
def test_every_decision_form_warns_about_unsaved_changes(sitzungsdienst, reference, name):
    url = reverse(name) if name == "decisions:create" else reverse(name, args=[reference.pk])
    html = sitzungsdienst.get(url).content.decode()
    assert "data-warn-unsaved" in html
    assert "js/unsaved.js" in html
    assert "decisions/editor.js" in html
