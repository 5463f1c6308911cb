"""The consistency check finds every figure in the text that the data contradicts."""

from datetime import date

from decisions.consistency import blocks, check_decision, sentences
from decisions.models import Decision, DecisionPosition, ProposalPoint, ReasonSection
from stellenplan.models import PayGrade, Position


def messages(decision):
    return [f.message for f in check_decision(decision)]


def replace_in(obj, old: str, new: str) -> None:
    assert old in obj.text, old
    obj.text = obj.text.replace(old, new)
    obj.save()


def point(decision, order: int) -> ProposalPoint:
    return decision.proposal_points.get(order=order)


def section(decision, number: str) -> ReasonSection:
    return decision.reason_sections.get(number=number)


def text_findings(decision):
    """The findings about the text (the Personalbedarfsberechnung is data: test_need.py)."""
    return [f for f in check_decision(decision) if f.kind != "bedarf"]


def test_it_finds_exactly_the_known_errors_of_the_reference(reference):
    findings = check_decision(reference)
    assert [(f.kind, f.place) for f in findings] == [
        ("betrag", "Beschlussantrag, Ziffer 2"),
        ("stellenwert", "Beschlussantrag, Ziffer 1"),
        # in Anlage order: 14-2 before 20-5 (the Stadtkasse 20-4 is within the tolerance)
        ("bedarf", "Personalbedarfsberechnung „Rechnungsprüfungsamt: Prüfung SGB II / SGB III“"),
        (
            "bedarf",
            "Personalbedarfsberechnung „Beitreibungsabteilung 20-5: Beitreibung und Vollstreckung“",
        ),
    ]
    amount, grade = findings[:2]
    assert amount.stated == "rund 1.682.510 EUR"
    assert amount.computed == "1.128.560 €"
    assert "1.128.560 €" in amount.message and "2012" in amount.message
    assert grade.stated.startswith(
        "100 % Sachbearbeitung Kreditorenbuchhaltung (stellv. Teamleitung), A 11"
    )
    assert grade.computed == "20-4 A 10"
    assert "nennt A 11" in grade.message and "hat A 10" in grade.message


def test_it_accepts_the_2011_amount_and_the_stellen_counts(reference):
    # 42.350,00 EUR (2011), 2,0 Stellen 2011, 11,5 Stellen from 2012, 480.000 EUR KDRS, 84,8 %
    # and every department total are right: no finding mentions them.
    text = " ".join(messages(reference))
    for correct in ["42.350", "2,0 Stellen", "11,5 Stellen", "480.000", "84,8", "insgesamt"]:
        assert correct not in text


def test_it_disappears_when_the_text_is_corrected(reference):
    replace_in(point(reference, 2), "rund 1.682.510 EUR", "rund 1.128.560 EUR")
    replace_in(point(reference, 1), "(stellv. Teamleitung), A 11", "(stellv. Teamleitung), A 10")
    assert text_findings(reference) == []


def test_it_finds_a_wrong_2011_amount(reference):
    replace_in(point(reference, 2), "42.350,00 EUR", "43.250,00 EUR")
    assert any("„rund 43.250,00 EUR“" in m and "42.350 €" in m for m in messages(reference))


def test_it_allows_the_rounding_that_rund_implies(reference):
    replace_in(point(reference, 2), "rund 42.350,00 EUR", "rund 42.000 EUR")
    assert not any("42.000" in m for m in messages(reference))  # 42.350 rounds to 42.000
    replace_in(point(reference, 2), "rund 42.000 EUR", "42.000 EUR")  # exact: wrong
    assert any("„42.000 EUR“" in m for m in messages(reference))


def test_it_finds_wrong_stellen_counts_per_year(reference):
    replace_in(point(reference, 1), "in Höhe von 2,0 Stellen", "in Höhe von 3,0 Stellen")
    found = [m for m in messages(reference) if "3,0 Stellen" in m]
    assert found == [
        "Beschlussantrag, Ziffer 1: „3,0 Stellen“ für 2011 – die verknüpften Stellen ergeben "
        "2,0 neue, insgesamt 2,0 Stellen 2011."
    ]


def test_it_accepts_the_total_instead_of_the_new_stellen_of_a_year(reference):
    replace_in(point(reference, 1), "in Höhe von 11,5 Stellen", "in Höhe von 13,5 Stellen")
    assert not any("13,5" in m for m in messages(reference))


def test_it_finds_a_wrong_department_total_in_a_heading(reference):
    heading = section(reference, "3.4")
    heading.heading = "Stadtkämmerei (insgesamt 4,0 Stellen)"
    heading.save()
    assert (
        "Begründung, Abschnitt 3.4 (Überschrift): „insgesamt 4,0 Stellen“ – die verknüpften "
        "Stellen von Stadtkämmerei ergeben 4,5 Stellen." in messages(reference)
    )


def test_it_finds_a_wrong_extent_and_unit_count_in_a_section(reference):
    replace_in(
        section(reference, "3.2"),
        "im Umfang von 5,50 Planstellen",
        "im Umfang von 6,50 Planstellen",
    )
    replace_in(section(reference, "3.4"), "20-4: 3,0 Stellen", "20-4: 2,0 Stellen")
    found = messages(reference)
    assert any("„im Umfang von 6,50 Planstellen“" in m and "5,5 Stellen" in m for m in found)
    assert any("„20-4: 2,0 Stellen“" in m and "3,0 Stellen" in m for m in found)


def test_it_reads_one_planstelle_in_words(reference):
    replace_in(
        section(reference, "3.3"),
        "im Umfang von einer Planstelle",
        "im Umfang von einer halben Planstelle",
    )
    assert any("einer halben Planstelle" in m and "1,0 Stellen" in m for m in messages(reference))


def test_it_finds_a_wrong_share_in_a_bullet(reference):
    replace_in(
        point(reference, 1),
        "30 % Sachbearbeitung Bezügeabrechnung, A 8",
        "50 % Sachbearbeitung Bezügeabrechnung, A 8",
    )
    found = [f for f in check_decision(reference) if f.kind == "anteil"]
    assert len(found) == 1
    assert "nennt 0,5 Stellen" in found[0].message and "10-5.3" in found[0].message


def test_it_finds_a_changed_grade_in_the_data(reference):
    position = Position.objects.get(pk=17)  # 20-5 EG 8
    position.pay_grade = PayGrade.objects.get(code="EG 9")
    position.save()
    kinds = [(f.kind, f.computed) for f in check_decision(reference)]
    assert ("stellenwert", "20-5 EG 9") in kinds


def test_it_finds_positions_missing_from_and_bullets_without_a_position(reference):
    DecisionPosition.objects.filter(decision=reference, position_id=18).delete()
    found = messages(reference)
    assert any("Führungsunterstützung" in m and "keine passende Stelle" in m for m in found)
    # and a linked position that the Beschlussantrag does not name:
    replace_in(
        point(reference, 1),
        "- 100 % Sachbearbeitung Beitreibung, Innen- und Außendienst, EG 8\n",
        "",
    )
    assert any(
        "20-5 „SB/-in Beitreibung, Vollstreckung“" in m and "nicht genannt" in m
        for m in messages(reference)
    )


def test_it_finds_an_immediate_hire_of_a_position_starting_next_year(reference):
    replace_in(
        point(reference, 1),
        "100 % Sachbearbeitung Kreditorenbuchhaltung, A 8",
        "100 % Sachbearbeitung Kreditorenbuchhaltung, A 8 (*Einstellung ab sofort*)",
    )
    assert any("ab sofort" in m and "01.01.2012" in m for m in messages(reference))


def test_it_finds_a_wrong_reimbursement_rate_and_teilhaushalt(reference):
    replace_in(point(reference, 2), "beträgt hierbei 84,8%", "beträgt hierbei 80%")
    replace_in(
        point(reference, 2),
        "in 2011 im Teilhaushalt 290 - Jobcenter und im Teilhaushalt 200 - Stadtkämmerei",
        "in 2011 im Teilhaushalt 290 - Jobcenter",
    )
    found = check_decision(reference)
    assert ("erstattung", "84,8 %") in [(f.kind, f.computed) for f in found]
    assert ("teilhaushalt", "THH 290", "THH 200, 290") in [
        (f.kind, f.stated, f.computed) for f in found
    ]


def test_it_skips_figures_of_other_grdrs(reference):
    # Begründung 2 cites GRDrs 156/2011 with 5,0 and 1,5 Stellen: those are not this decision's.
    assert "(5,0 Stellen)" in section(reference, "2").text
    assert not any("5,0" in m for m in messages(reference))


def test_it_has_no_findings_for_a_decision_without_text(db):
    decision = Decision.objects.create(date=date(2012, 1, 1), title="leer")
    assert check_decision(decision) == []


def test_it_splits_german_sentences_around_abbreviations():
    text = (
        "Die Mittel, z. B. für Bürgerarbeit, betragen ca. 5 Mio. Euro ab 1. Januar 2012. Neu: Satz."
    )
    assert sentences(text) == [
        "Die Mittel, z. B. für Bürgerarbeit, betragen ca. 5 Mio. Euro ab 1. Januar 2012.",
        "Neu: Satz.",
    ]


def test_it_reads_bullets_with_their_continuation_lines():
    found = blocks(
        "Kopf (Amt 20):\n\n- 100 % SB, A 11  \n(*Einstellung ab sofort*)\n- 50 % SB, EG 9"
    )
    assert [(b.kind, b.text) for b in found] == [
        ("para", "Kopf (Amt 20):"),
        ("bullet", "100 % SB, A 11 (Einstellung ab sofort)"),
        ("bullet", "50 % SB, EG 9"),
    ]


def test_it_skips_figures_for_years_the_engine_cannot_cost(reference):
    # no cost table before 2010: the figures of 1990 cannot be checked, and nothing fails
    replace_in(point(reference, 2), "in 2011 im Teilhaushalt", "in 1990 im Teilhaushalt")
    replace_in(
        point(reference, 1),
        "im Jahr 2011 in Höhe von 2,0 Stellen",
        "im Jahr 1990 in Höhe von 2,0 Stellen",
    )
    assert [f.kind for f in text_findings(reference)] == ["betrag", "stellenwert"]
