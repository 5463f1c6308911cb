"""The render-time benchmark of the reference PDF and of a decision with 200 positions."""

from datetime import date

import pytest

from bench.pdf import pdf_benchmark
from decisions.models import Decision
from departments.models import OrgUnit
from tests.factories import CostRateFactory, OrgUnitFactory, PayGradeFactory, PositionFactory

# A measurement: runs with `make bench`, not in `make test`.
pytestmark = [pytest.mark.bench, pytest.mark.pdf]


def test_it_times_the_reference_and_a_temporary_200_position_decision(seed, capsys):
    grade = PayGradeFactory(code="EG 9")
    CostRateFactory(pay_grade=grade, table__valid_from=date(2009, 1, 1))
    for n in range(10):
        amt = OrgUnitFactory(kind=OrgUnit.Kind.AMT, code=f"6{n}", name=f"Amt 6{n}")
        PositionFactory.create_batch(
            20, org_unit=amt, pay_grade=grade, tasks="- Aufgabe A\n- Aufgabe B"
        )
    timings = pdf_benchmark(repeat=1, warmup=False)
    with capsys.disabled():
        for t in timings:
            print(f"\n{t.label}: {t.positions} Stellen, {t.pages} Seiten, {t.median:.2f} s")
    assert [(t.label, t.positions) for t in timings] == [
        ("Referenzvorlage 19.09.2011", 18),
        ("Vorlage mit 200 Stellen", 200),
    ]
    assert timings[0].pages == 19 and timings[1].pages > timings[0].pages
    assert all(0 < t.median < 120 for t in timings)
    assert Decision.objects.count() == 1  # the temporary decision was rolled back
