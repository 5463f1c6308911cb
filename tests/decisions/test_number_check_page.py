"""The number check on the pages: wrong amounts flagged with the counts of what was read."""

from datetime import date

from django.urls import reverse

from decisions.consistency import (
    NICHT_ZUZUORDNEN,
    STIMMT,
    STIMMT_NICHT,
    AmountCheck,
    Finding,
    NumberCheck,
)
from decisions.models import Decision, ProposalPoint

WRONG = (
    " Die Mehraufwendungen belaufen sich ab 2012 auf rund 1,3 Mio. €."
    " Die Personalkosten der neuen Stellen betragen jährlich EUR 250.000."
)


def _page(client, decision) -> str:
    response = client.get(reverse("decisions:detail", args=[decision.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_flags_wrong_amounts_in_the_begruendung_with_the_counts(personalamt, reference):
    section = reference.reason_sections.get(number="3.4")
    section.text += WRONG
    section.save()
    html = _page(personalamt, reference)
    assert "6 Textstellen widersprechen den Daten" in html
    assert (
        "„rund 1,3 Mio. €“ – die Daten ergeben 1.608.560 € (Personalkosten und sonstige "
        "Auswirkungen ab 2012)" in html
    )
    assert "„EUR 250.000“ – die Daten ergeben 1.128.560 € (jährliche Personalkosten" in html
    assert "9 Beträge im Text geprüft: 3 stimmen, 3 stimmen nicht, 3 nicht zuzuordnen." in html
    # each amount listed with its result, linked to its passage
    assert html.count('data-status="stimmt nicht"') == 3
    assert html.count('data-status="nicht zuzuordnen"') == 3
    assert 'href="#abschnitt-3.4">Begründung, Abschnitt 3.4</a>, „ca. 293 Mio. Euro“' in html
    assert "der Satz nennt weder Kosten noch Aufwand, Ausgaben oder Mittel" in html
    print_html = personalamt.get(reverse("decisions:print", args=[reference.pk])).content.decode()
    assert "9 Beträge im Text geprüft" in print_html


def test_it_never_says_all_agree_when_amounts_were_not_placed(personalamt, db):
    decision = Decision.objects.create(title="Ohne Stellen", date=date(2026, 3, 1))
    ProposalPoint.objects.create(decision=decision, order=1, text="Die Kosten betragen 5.000 €.")
    html = _page(personalamt, decision)
    assert "alle geprüften Zahlen im Text stimmen" not in html
    assert "1 Betrag ist keiner Zahl der Vorlage zuzuordnen" in html
    assert "1 Betrag im Text geprüft: 0 stimmen, 0 stimmen nicht, 1 nicht zuzuordnen." in html


def _amount(status: str) -> AmountCheck:
    return AmountCheck("Begründung", "Satz.", "1 €", status)


def test_it_speaks_correct_german_for_one_and_many():
    finding = Finding("betrag", "Begründung", "1 €", "2 €", "…")
    one = NumberCheck([finding], [_amount(STIMMT), _amount(STIMMT_NICHT)])
    assert one.headline == "1 Textstelle widerspricht den Daten"
    assert one.amount_summary == (
        "2 Beträge im Text geprüft: 1 stimmt, 1 stimmt nicht, 0 nicht zuzuordnen."
    )
    two = NumberCheck([finding, finding], [_amount(STIMMT_NICHT)] * 2 + [_amount(NICHT_ZUZUORDNEN)])
    assert two.headline == "2 Textstellen widersprechen den Daten"
    assert two.amount_summary == (
        "3 Beträge im Text geprüft: 0 stimmen, 2 stimmen nicht, 1 nicht zuzuordnen."
    )
    assert NumberCheck([], [_amount(STIMMT)]).all_clear.startswith("Keine Widersprüche: alle")
    assert (
        "2 Beträge sind keiner Zahl" in NumberCheck([], [_amount(NICHT_ZUZUORDNEN)] * 2).all_clear
    )
