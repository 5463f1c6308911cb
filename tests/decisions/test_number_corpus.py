"""The number check against a corpus of real sentences (tests/decisions/number_corpus.py):
what it reads from each amount and what it says against the reference paper's figures."""

from decimal import Decimal

import pytest

from decisions.consistency import DecisionData, judge, read_amounts
from decisions.models import Decision
from decisions.selectors import decision_finance

from .number_corpus import CORPUS, SEED, TESTER, Case


@pytest.fixture
def figures(seed) -> DecisionData:
    reference = Decision.objects.get(number="647/2011")
    return DecisionData(reference, decision_finance(reference))


def test_the_corpus_covers_sources_words_units_and_years():
    published = [c for c in CORPUS if c.source not in (SEED, TESTER)]
    assert len(CORPUS) >= 40 and len(published) >= 30
    text = " ".join(c.sentence for c in CORPUS)
    for form in ["Mehrkosten", "Personalaufwand", "Haushaltsmittel", "Gesamtkosten",
                 "Sachkosten", "Personalkosten", "Mehraufwendungen", "Ausgaben", "Mittel",
                 "EUR 1", "Euro", "€", "Mio.", "Millionen", "T€", "TEUR", "T Euro", "rd.", "ca.",
                 "rund", "ab 2012", "im Jahr 2013", "jährlich", "einmalig", "2012 bis 2013",
                 "60.000,00"[:0] + ",00"]:  # fmt: skip
        assert form in text, form
    statuses = [r.status for c in CORPUS for r in c.readings]
    assert {"stimmt", "stimmt nicht", "nicht zuzuordnen"} <= set(statuses)


def test_the_reference_figures_are_those_of_the_corpus(figures):
    assert figures.personnel_cost(2011) == Decimal("42350.00")
    assert figures.personnel_cost(2012) == Decimal("1128560.00")
    assert figures.personnel_annual(None) == Decimal("1128560.00")
    assert figures.items_cost(2012) == Decimal("480000.00")
    assert figures.reimbursement(2012) == Decimal("405768.00")


@pytest.mark.parametrize("case", CORPUS, ids=[c.sentence[:50] for c in CORPUS])
def test_it_reads_and_judges_the_sentence(case: Case, figures):
    amounts = read_amounts(case.sentence)
    assert [a.value for a in amounts] == case.values()
    for amount, reading in zip(amounts, case.readings, strict=True):
        assert (amount.subject, amount.year, amount.period) == (
            reading.subject,
            reading.year,
            reading.period,
        ), amount.text
        verdict = judge(amount, figures)
        assert verdict.status == reading.status, (amount.text, verdict)
        if reading.expected:
            assert verdict.expected is not None
            assert f"{verdict.expected.value:,.0f}".replace(",", ".") + " €" == reading.expected
