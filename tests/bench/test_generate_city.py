"""generate_city: a reproducible, complete city in an empty database (issue 6).

The command belongs to the dev-tools app `bench`, installed with DJANGO_DEBUG=1 (as the tests
run) or STELLENPLAN_DEVTOOLS=1, never in plain production.
"""

import io
import os
import subprocess
import sys
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from bench.city import existing_data
from bench.city import generate_city as generate_city_function
from costing.engine import cost_year
from costing.models import CostRate, CostTable, ReimbursementRule
from decisions.models import Decision, DecisionPosition
from departments.models import BudgetSection, OrgUnit
from departments.selectors import org_tree
from stellenplan.models import PayGrade, Position
from stellenplan.selectors import active_in_year

ROOT = Path(__file__).resolve().parent.parent.parent

GRADES = [f"A {n}" for n in range(5, 17) if n not in (9, 13)] + [
    "A 9 mD",
    "A 9 gD",
    "A 13 gD",
    "A 13 hD",
    *(f"EG {n}" for n in range(1, 16)),
]


def generate(positions: int = 300, seed: int = 1) -> str:
    out = io.StringIO()
    call_command("generate_city", positions=positions, seed=seed, stdout=out)
    return out.getvalue()


def fingerprint() -> dict:
    """What two runs with the same seed must agree on."""
    return {
        "units": list(OrgUnit.objects.values_list("code", "kind", "parent__code", "name")),
        "positions": list(
            Position.objects.order_by("id").values_list(
                "org_unit__code",
                "pay_grade__code",
                "fte",
                "title",
                "start_date",
                "end_date",
                "note",
            )
        ),
        "decisions": list(
            Decision.objects.annotate(n=Count("position_links"))
            .order_by("number")
            .values_list("number", "title", "n")
        ),
        "totals": {year: asdict(cost_year(year).total) for year in (2011, 2012, 2014)},
    }


def generated_fingerprint(seed: int) -> dict:
    """Generate a city, read its fingerprint, and roll it back."""
    with transaction.atomic():
        generate(seed=seed)
        result = fingerprint()
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
def test_it_generates_the_same_city_for_the_same_seed():
    first = generated_fingerprint(seed=5)
    second = generated_fingerprint(seed=5)
    other = generated_fingerprint(seed=6)

    assert first == second
    assert first["totals"][2014]["cost_in_year"] > Decimal("10000000")
    assert other["positions"] != first["positions"]
    assert other["totals"] != first["totals"]


@pytest.mark.django_db
def test_it_fills_every_kind_of_data():
    output = generate(positions=300, seed=3)

    assert "300 Stellen" in output
    kinds = dict(OrgUnit.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds[OrgUnit.Kind.REFERAT] == 8
    assert 38 <= kinds[OrgUnit.Kind.AMT] <= 45
    assert 600 <= OrgUnit.objects.count() <= 800
    # every Amt has its own Teilhaushalt, every other unit finds one above it
    assert not OrgUnit.objects.filter(kind=OrgUnit.Kind.AMT, budget_section=None).exists()
    tree = org_tree()
    assert all(tree.budget_section_of(uid) is not None for uid in tree.units)
    assert BudgetSection.objects.count() == kinds[OrgUnit.Kind.AMT] + 1
    # sub-units to depth 3 below an Amt: Team < Sachgebiet < Abteilung < Amt < Referat
    depth = max(len(tree.ancestors_or_self(uid)) for uid in tree.units)
    assert depth == 5

    assert sorted(PayGrade.objects.values_list("code", flat=True)) == sorted(GRADES)
    assert list(CostTable.objects.order_by("valid_from").values_list("valid_from", flat=True)) == [
        date(2010, 1, 1),
        date(2012, 1, 1),
        date(2014, 1, 1),
    ]
    rates = CostRate.objects.values("table").annotate(n=Count("id"))
    assert [row["n"] for row in rates] == [len(GRADES)] * 3
    assert ReimbursementRule.objects.get().org_units.get().code == "29"

    assert Position.objects.count() == 300
    assert Position.objects.exclude(fte=Decimal("1.00")).exists()
    assert Position.objects.filter(end_date__isnull=False).exists()
    assert Position.objects.filter(fixed_term=True).exists()
    assert Position.objects.filter(note=Position.Note.KW, note_date__isnull=False).exists()
    assert Position.objects.filter(pay_grade__status_group=PayGrade.StatusGroup.BEAMTE).exists()
    assert Position.objects.filter(pay_grade__status_group=PayGrade.StatusGroup.TARIF).exists()
    assert Position.objects.values("org_unit__parent__parent").distinct().count() > 30

    assert Decision.objects.exists()
    assert not Decision.objects.filter(position_links=None).exists()


@pytest.mark.django_db
def test_it_gives_the_first_decision_200_positions_and_makes_50():
    generate(positions=1000, seed=1)

    assert Decision.objects.count() == 50
    first = Decision.objects.get(number__startswith="100/")
    assert first.position_links.count() == 200
    assert set(first.position_links.values_list("position__start_date", flat=True)) == {
        date(2012, 1, 1)
    }
    # no position is proposed twice
    assert DecisionPosition.objects.values("position").distinct().count() == (
        DecisionPosition.objects.count()
    )


@pytest.mark.django_db
def test_it_refuses_a_database_that_is_not_empty(seed):
    before = Position.objects.count()

    with pytest.raises(CommandError, match="Die Datenbank ist nicht leer"):
        generate()

    assert Position.objects.count() == before
    assert not OrgUnit.objects.filter(code="AKR").exists()


@pytest.mark.django_db
def test_it_refuses_too_few_positions():
    with pytest.raises(CommandError, match="--positions muss mindestens 100 sein"):
        generate(positions=5)

    assert not OrgUnit.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2010, 2012, 2013, 2014, 2016])
def test_it_costs_every_generated_year_without_missing_rates(year):
    generate(positions=300, seed=2)

    costing = cost_year(year)

    assert costing.total.positions == active_in_year(Position.objects.all(), year).count()
    assert costing.total.positions > 0
    assert all(line.rate > 0 and line.cost_in_year >= 0 for line in costing.lines)
    assert costing.table.valid_from.year == {2013: 2012, 2016: 2014}.get(year, year)
    if year >= 2012:  # the Jobcenter's federal share applies from 2012
        assert costing.total.reimbursement > 0


def page_queries(client) -> dict[str, int]:
    """SQL queries of the pages `make bench` times, one call each (by path, as the benchmark)."""
    amt = OrgUnit.objects.get(code="51")
    urls = {
        "list": "/kosten/stellen/",
        "filtered": f"/kosten/stellen/?org_unit={amt.pk}&status_group=tarif&year=2014",
        "start": "/kosten/?year=2014",
        "tree": "/kosten/organisation/?year=2014",
        "unit": f"/kosten/organisation/{amt.pk}/?year=2014",
    }
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[name] = len(queries)
    return counts


@pytest.mark.django_db
def test_it_keeps_the_page_queries_constant_as_the_city_grows(client, django_user_model):
    """The pages' query counts do not grow with the data (the benchmark's timings may)."""
    user = django_user_model.objects.create_user("personal")
    user.groups.add(Group.objects.get(name="Personalamt"))
    client.force_login(user)
    counts = {}
    for positions in (300, 1500):
        with transaction.atomic():
            generate(positions=positions, seed=4)
            counts[positions] = page_queries(client)
            transaction.set_rollback(True)

    assert counts[300] == counts[1500]
    assert all(count < 30 for count in counts[300].values())


@pytest.mark.django_db
def test_the_generator_is_a_plain_function_too():
    assert existing_data() == []

    summary = generate_city_function(positions=150, seed=7)

    assert summary.positions == Position.objects.count() == 150
    assert existing_data() == [
        "Organisationseinheiten",
        "Teilhaushalte",
        "Stellenwerte",
        "Kostentabellen",
        "Stellen",
        "Beschlussvorlagen",
    ]


def installed_apps(**env: str) -> list[str]:
    """INSTALLED_APPS of stellenplan.settings in a fresh interpreter with this environment."""
    clean = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "STELLENPLAN_DEVTOOLS")
    }
    result = subprocess.run(
        [sys.executable, "-c", "from stellenplan import settings; print(*settings.INSTALLED_APPS)"],
        cwd=ROOT,
        env={**clean, "SECRET_KEY": "test-only", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_the_dev_tools_are_installed_with_debug_or_the_switch_only():
    assert "bench" not in installed_apps()
    assert "bench" not in installed_apps(STELLENPLAN_DEVTOOLS="0")
    assert "bench" in installed_apps(STELLENPLAN_DEVTOOLS="1")
    assert "bench" in installed_apps(DJANGO_DEBUG="1")
    assert "decisions" in installed_apps()
