"""Pages of the council office: everyone logged in reads, the Sitzungsdienst edits (else 403)."""

from datetime import date

import pytest
from django.db.models import Model
from django.urls import reverse

from decisions.models import ConsultationStep, Decision, ProposalPoint, StatusChange
from front.forms.decisions import DecisionForm, finance_formsets, main_formsets, text_formsets
from stellenplan.models import Position


def form_data(form) -> dict:
    """What a browser would send back for an unchanged (model) form."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        key = form.add_prefix(name)
        if callable(value):
            value = value()
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, date):
            data[key] = value.strftime("%d.%m.%Y")
        elif isinstance(value, list | tuple):
            data[key] = [str(v.pk if isinstance(v, Model) else v) for v in value]
        elif isinstance(value, Model):
            data[key] = str(field.prepare_value(value))  # the id, or the name a field shows
        else:
            data[key] = str(value)
    return data


def formset_data(formsets: dict) -> dict:
    data = {}
    for formset in formsets.values():
        initial = formset.initial_form_count()
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(initial)
        data[f"{formset.prefix}-INITIAL_FORMS"] = str(initial)
        for form in formset.forms[:initial]:
            data.update(form_data(form))
    return data


def version(decision) -> str:
    """The version a page of the decision opened now carries (optimistic locking)."""
    return str(Decision.objects.get(pk=decision.pk).version)


def edit_data(decision) -> dict:
    return {
        **form_data(DecisionForm(instance=decision)),
        **formset_data(main_formsets(instance=decision)),
        "version": version(decision),
    }


# --- reading --------------------------------------------------------------------------------


def test_it_sends_anonymous_users_to_the_login(client, reference):
    response = client.get(reverse("decisions:list"))
    assert response.status_code == 302 and "/anmelden/" in response.url
    assert client.get(reverse("decisions:pdf", args=[reference.pk])).status_code == 302


def test_it_lists_decisions_for_every_logged_in_role(personalamt, reference):
    response = personalamt.get(reverse("decisions:list"))
    assert response.status_code == 200
    assert "Stadtweite Stellenbedarfe im Zusammenhang mit Option" in response.content.decode()
    assert "Neue Beschlussvorlage" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "reference_found", "other_found"),
    [
        ({"status": "eingebracht"}, True, False),
        ({"status": "entwurf"}, False, True),
        ({"status": "beschlossen"}, False, False),
        ({"year": "2011"}, True, False),
        ({"year": "2013"}, False, True),
        ({"committee": "Unterausschuss JobCenter"}, True, False),
        ({"q": "Kreditorenbuchhaltung"}, True, False),  # in a Beschlussantrag point
        ({"q": "Kooperationsvertrag KDRS"}, True, False),  # in the Begründung
        ({"q": "Zwergschule"}, False, True),
        ({"q": "Tiefbau"}, False, False),
    ],
)
def test_it_filters_the_list(personalamt, reference, query, reference_found, other_found):
    Decision.objects.create(
        date=date(2013, 5, 2), title="Andere Vorlage Zwergschule", number="12/2013"
    )
    response = personalamt.get(reverse("decisions:list"), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert ("Stadtweite Stellenbedarfe" in html) is reference_found
    assert ("Andere Vorlage" in html) is other_found


def test_it_lists_with_a_constant_number_of_queries(
    personalamt, reference, django_assert_num_queries
):
    # session, user, 2x permissions, groups (header), committee choices, count, page
    for n in range(30):
        Decision.objects.create(
            date=date(2012, 1, 1 + n % 28), title=f"Vorlage {n}", number=f"{n + 1}/2012"
        )
    with django_assert_num_queries(8):
        response = personalamt.get(reverse("decisions:list"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/beschluesse/') >= 31


def test_it_shows_the_findings_on_the_detail_page(personalamt, reference):
    response = personalamt.get(reverse("decisions:detail", args=[reference.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "4 Textstellen widersprechen den Daten" in html  # 2 of them: Personalbedarf
    assert "berechnet 0,42–0,83 Stellen" in html
    assert "„rund 1.682.510 EUR“ – die Daten ergeben 1.128.560 €" in html
    assert "nennt A 11, die verknüpfte Stelle 20-4" in html
    # generated finance, with the no-break space of every figure on a page
    assert "1.128.560\xa0€" in html and "405.768\xa0€" in html
    assert "Gesamt" in html and "117.210\xa0€" in html  # generated annex
    assert reverse("decisions:edit", args=[reference.pk]) not in html  # reader: no edit link


def test_it_shows_edit_links_and_the_status_form_to_the_sitzungsdienst(sitzungsdienst, reference):
    html = sitzungsdienst.get(reverse("decisions:detail", args=[reference.pk])).content.decode()
    assert reverse("decisions:edit", args=[reference.pk]) in html
    assert 'action="/beschluesse/1/status/"' in html


def test_it_lists_the_findings_before_printing(personalamt, reference):
    html = personalamt.get(reverse("decisions:print", args=[reference.pk])).content.decode()
    assert "„rund 1.682.510 EUR“" in html
    assert "PDF herunterladen (trotz 4 Befunden)" in html
    assert reverse("decisions:pdf", args=[reference.pk]) in html


def test_it_downloads_the_pdf_with_open_findings(personalamt, reference):
    response = personalamt.get(f"/beschluesse/{reference.pk}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="GRDrs-647-2011.pdf"'
    assert response.content.startswith(b"%PDF-")


def test_it_answers_404_for_a_missing_decision(personalamt, db):
    assert personalamt.get(reverse("decisions:detail", args=[999])).status_code == 404


# --- rights ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("decisions:create", "get"),
        ("decisions:edit", "get"),
        ("decisions:edit_text", "post"),
        ("decisions:edit_finance", "get"),
        ("decisions:position_add", "post"),
        ("decisions:status", "post"),
    ],
)
def test_it_forbids_editing_to_other_roles(personalamt, reference, name, method):
    args = [] if name == "decisions:create" else [reference.pk]
    response = getattr(personalamt, method)(
        reverse(name, args=args), {"position": "1", "status": "beschlossen"}
    )
    assert response.status_code == 403
    reference.refresh_from_db()
    assert reference.status == Decision.Status.SUBMITTED
    assert reference.position_links.count() == 18


def test_it_forbids_removing_and_moving_positions_to_other_roles(personalamt, reference):
    link = reference.position_links.first()
    remove = reverse("decisions:position_remove", args=[reference.pk, link.pk])
    move = reverse("decisions:position_move", args=[reference.pk, link.pk])
    assert personalamt.post(remove).status_code == 403
    assert personalamt.post(move, {"direction": "down"}).status_code == 403
    assert reference.position_links.count() == 18


def test_it_changes_state_only_on_post(sitzungsdienst, reference):
    assert sitzungsdienst.get(reverse("decisions:status", args=[reference.pk])).status_code == 405
    assert (
        sitzungsdienst.get(reverse("decisions:position_add", args=[reference.pk])).status_code
        == 405
    )


# --- editing --------------------------------------------------------------------------------


def test_it_saves_the_inline_formsets_of_the_edit_page(sitzungsdienst, reference):
    data = edit_data(reference)
    data["title"] = "Stadtweite Stellenbedarfe (geändert)"
    data["beratung-0-committee"] = "Jugendhilfeausschuss"
    data["beratung-3-DELETE"] = "on"  # Gemeinderat row
    data["antrag-2-text"] = "Neuer Text der Ziffer 3."
    response = sitzungsdienst.post(reverse("decisions:edit", args=[reference.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    reference.refresh_from_db()
    assert reference.title == "Stadtweite Stellenbedarfe (geändert)"
    committees = list(reference.consultation_steps.values_list("committee__name", flat=True))
    assert committees == [
        "Jugendhilfeausschuss",
        "Ausschuss für Wirtschaft und Wohnen",
        "Verwaltungsausschuss",
    ]
    assert reference.proposal_points.get(order=3).text == "Neuer Text der Ziffer 3."


def test_it_adds_a_row_through_an_extra_form(sitzungsdienst, reference):
    data = edit_data(reference)
    data["beratung-TOTAL_FORMS"] = "5"
    data.update(
        {
            "beratung-4-order": "5",
            "beratung-4-committee": "Sozial- und Gesundheitsausschuss",
            "beratung-4-purpose": "kenntnisnahme",
            "beratung-4-meeting_date": "10.10.2011",
        }
    )
    response = sitzungsdienst.post(reverse("decisions:edit", args=[reference.pk]), data)
    assert response.status_code == 302
    step = ConsultationStep.objects.get(committee__name="Sozial- und Gesundheitsausschuss")
    assert (step.decision, step.meeting_date, step.public) == (reference, date(2011, 10, 10), False)


def test_it_keeps_everything_on_bad_input_with_a_german_message(sitzungsdienst, reference):
    data = edit_data(reference)
    data["beratung-0-meeting_date"] = "31.02.2011"
    data["number"] = "647-2011"
    data["antrag-0-text"] = "geändert"
    response = sitzungsdienst.post(reverse("decisions:edit", args=[reference.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Eine GRDrs-Nummer hat die Form Nummer/Jahr, z. B. 647/2011." in html
    # the message names the sections with errors; so does the table of contents
    assert (
        "Bitte prüfen Sie die markierten Felder (Abschnitte: Kopf der Vorlage, Beratungsfolge); "
        "nichts wurde gespeichert." in html
    )
    reference.refresh_from_db()
    assert reference.number == "647/2011"
    assert reference.proposal_points.get(order=1).text.startswith("Für die Erledigung")


def test_it_saves_the_begruendung_and_finance_pages(sitzungsdienst, reference):
    data = formset_data(text_formsets(instance=reference))
    data["version"] = version(reference)
    data["abschnitt-0-heading"] = "Ausgangslage (neu)"
    assert (
        sitzungsdienst.post(reverse("decisions:edit_text", args=[reference.pk]), data).status_code
        == 302
    )
    assert reference.reason_sections.get(number="1").heading == "Ausgangslage (neu)"

    data = formset_data(finance_formsets(instance=reference))
    data["version"] = version(reference)
    data["posten-0-annual_amount"] = "500.000"  # German thousands separator
    data["unterschrift-1-office"] = "Bürgermeister für Allgemeine Verwaltung"
    assert (
        sitzungsdienst.post(
            reverse("decisions:edit_finance", args=[reference.pk]), data
        ).status_code
        == 302
    )
    item = reference.financial_items.get()
    assert str(item.annual_amount) == "500000.00"
    assert reference.signatories.get(order=2).office == "Bürgermeister für Allgemeine Verwaltung"


def test_it_creates_a_draft_with_its_first_status_change(sitzungsdienst, committees):
    data = {
        "kind": "beschluss",
        "place": "Stuttgart",
        "date": "01.02.2012",
        "title": "Neue Stellen im Jugendamt",
        "beratung-TOTAL_FORMS": "1",
        "beratung-INITIAL_FORMS": "0",
        "beratung-0-order": "1",
        "beratung-0-committee": "Gemeinderat",
        "beratung-0-purpose": "beschlussfassung",
        "beratung-0-public": "on",
        "antrag-TOTAL_FORMS": "1",
        "antrag-INITIAL_FORMS": "0",
        "antrag-0-order": "1",
        "antrag-0-text": "Der Gemeinderat beschließt …",
        "bezug-TOTAL_FORMS": "0",
        "bezug-INITIAL_FORMS": "0",
        # a new paper takes its signatories at once too (issue 14)
        "unterschrift-TOTAL_FORMS": "0",
        "unterschrift-INITIAL_FORMS": "0",
    }
    response = sitzungsdienst.post(reverse("decisions:create"), data)
    decision = Decision.objects.get(title="Neue Stellen im Jugendamt")
    assert response.status_code == 302 and response.url == f"/beschluesse/{decision.pk}/"
    assert decision.status == Decision.Status.DRAFT and decision.number == ""
    assert decision.consultation_steps.get().committee.name == "Gemeinderat"
    change = decision.status_changes.get()
    assert (change.to_status, change.acting_user) == ("entwurf", sitzungsdienst.user)


def test_it_redirects_edits_of_a_closed_decision_with_a_message(sitzungsdienst, reference):
    Decision.objects.filter(pk=reference.pk).update(status=Decision.Status.ADOPTED)
    response = sitzungsdienst.post(
        reverse("decisions:edit", args=[reference.pk]), edit_data(reference), follow=True
    )
    assert "ist beschlossen und kann nicht mehr geändert werden" in response.content.decode()
    assert ProposalPoint.objects.filter(decision=reference).count() == 3


def test_it_changes_the_status_with_date_and_user(sitzungsdienst, reference, decided):
    url = reverse("decisions:status", args=[reference.pk])
    response = sitzungsdienst.post(
        url,
        {
            "status": "beschlossen",
            "date": "06.10.2011",
            "comment": "GR",
            "confirm": "on",
            "version": version(reference),
        },
        follow=True,
    )
    assert "Status geändert: beschlossen am 06.10.2011." in response.content.decode()
    change = StatusChange.objects.filter(decision=reference).last()
    assert (change.to_status, change.date, change.acting_user) == (
        "beschlossen",
        date(2011, 10, 6),
        sitzungsdienst.user,
    )
    response = sitzungsdienst.post(
        url,
        {"status": "entwurf", "date": "07.10.2011", "confirm": "on", "version": version(reference)},
        follow=True,
    )
    assert "Status nicht geändert" in response.content.decode()
    reference.refresh_from_db()
    assert reference.status == "beschlossen"


def test_it_searches_and_links_positions(sitzungsdienst, reference):
    removed = reference.position_links.get(position_id=18)
    removed.delete()
    url = reverse("decisions:positions", args=[reference.pk])
    html = sitzungsdienst.get(url, {"q": "Controlling"}).content.decode()
    assert "SB/-in Controlling" in html  # the unlinked WFB position is offered
    assert "hinzufügen" in html
    assert html.count("<td>SB Zentrales Controlling</td>") == 1  # linked: listed once, not offered
    response = sitzungsdienst.post(
        reverse("decisions:position_add", args=[reference.pk]),
        {"position": "18", "next_query": "q=Controlling", "version": version(reference)},
    )
    assert response.status_code == 302 and response.url == f"{url}?q=Controlling"
    assert reference.position_links.get(position_id=18).order == 18


def test_it_reports_unknown_and_duplicate_positions(sitzungsdienst, reference):
    url = reverse("decisions:position_add", args=[reference.pk])
    v = version(reference)
    html = sitzungsdienst.post(
        url, {"position": "9999", "version": v}, follow=True
    ).content.decode()
    assert "Die Stelle Nr. 9999 gibt es nicht." in html
    html = sitzungsdienst.post(url, {"position": "1", "version": v}, follow=True).content.decode()
    assert "ist schon verknüpft" in html
    html = sitzungsdienst.post(
        url, {"position": "eins", "version": v}, follow=True
    ).content.decode()
    assert "Keine gültige Stelle angegeben" in html
    assert reference.position_links.count() == 18


def test_it_moves_and_removes_positions(sitzungsdienst, reference):
    wfb = reference.position_links.get(position_id=18)
    sitzungsdienst.post(
        reverse("decisions:position_move", args=[reference.pk, wfb.pk]),
        {"direction": "up", "version": version(reference)},
    )
    assert reference.position_links.get(position_id=18).order == 17
    sitzungsdienst.post(
        reverse("decisions:position_remove", args=[reference.pk, wfb.pk]),
        {"version": version(reference)},
    )
    assert not reference.position_links.filter(position_id=18).exists()
    assert Position.objects.filter(pk=18).exists()  # only the link is gone


def test_it_links_the_list_for_everyone_and_the_new_form_for_the_sitzungsdienst(
    sitzungsdienst, reference
):
    html = sitzungsdienst.get(reverse("decisions:list")).content.decode()
    assert 'href="/beschluesse/" aria-current="page">Beschlussvorlagen</a>' in html
    assert 'href="/beschluesse/neu/"' in html


@pytest.mark.parametrize(
    "query", [{"year": "abc"}, {"status": "vertagt"}, {"committee": "Bundestag"}]
)
def test_it_explains_invalid_filters_instead_of_failing(personalamt, reference, query):
    response = personalamt.get(reverse("decisions:list"), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Filter ungültig" in html
    assert f"„{next(iter(query.values()))}“" in html


def test_it_ignores_invalid_position_search_input(sitzungsdienst, reference):
    url = reverse("decisions:positions", args=[reference.pk])
    response = sitzungsdienst.get(url, {"org_unit": "99999", "year": "zwanzig"})
    assert response.status_code == 200
    assert "hinzufügen</button>" not in response.content.decode()
