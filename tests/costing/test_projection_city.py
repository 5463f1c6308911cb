"""The five-year projection on a generated city: the same figures as the costing engine."""

import pytest

from bench.city import generate_city
from costing.engine import summarize
from costing.models import PayAdjustment
from costing.projection import project
from stellenplan.models import Position


@pytest.mark.django_db
def test_a_generated_city_without_rounds_and_dated_kw_equals_the_engine_every_year():
    """generate_city (three cost tables, many start/end months, reimbursement rules): with no
    pay adjustment and without positions carrying a dated kw, the projection's gross and
    reimbursement equal costing.engine.summarize in each of the five years."""
    generate_city(positions=400, seed=3)
    PayAdjustment.objects.all().delete()
    positions = Position.objects.exclude(note="KW", note_date__isnull=False)
    result = project(2015, positions)
    for index, year in enumerate(result.years):
        engine = summarize(year, positions)
        assert result.total[index].gross == engine.total.cost_in_year, year
        assert result.total[index].reimbursement == engine.total.reimbursement, year
    assert result.total[1].reimbursement > 0
