from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from core.dataversion import VersionedCache, current_token, install_triggers, watched_tables
from core.models import DataVersion
from costing.models import CostRate, ReimbursementRule
from departments.models import OrgUnit
from stellenplan.models import Position
from tests.factories import (
    BudgetSectionFactory,
    CostRateFactory,
    CostTableFactory,
    OrgUnitFactory,
    PayGradeFactory,
    PositionFactory,
    ReimbursementRuleFactory,
)

pytestmark = pytest.mark.django_db


def changes(action) -> bool:
    before = current_token()
    action()
    return current_token() != before


def test_the_token_exists_after_migrate_and_is_stable_without_writes():
    token = current_token()
    assert len(token) >= 16
    assert current_token() == token


def test_every_watched_table_bumps_the_token_on_insert_update_and_delete():
    section = BudgetSectionFactory()
    unit = OrgUnitFactory(budget_section=section)
    grade = PayGradeFactory()
    table = CostTableFactory()
    assert changes(lambda: BudgetSectionFactory())
    assert changes(lambda: OrgUnitFactory())
    assert changes(lambda: PayGradeFactory())
    assert changes(lambda: CostTableFactory(valid_from=date(2030, 1, 1)))
    rate = None

    def add_rate():
        nonlocal rate
        rate = CostRateFactory(table=table, pay_grade=grade)

    assert changes(add_rate)
    assert changes(lambda: CostRate.objects.filter(pk=rate.pk).update(annual_cost=Decimal("1")))
    position = None

    def add_position():
        nonlocal position
        position = PositionFactory(org_unit=unit, pay_grade=grade)

    assert changes(add_position)
    assert changes(lambda: Position.objects.filter(pk=position.pk).update(title="neu"))
    assert changes(lambda: Position.objects.filter(pk=position.pk).delete())
    assert changes(lambda: OrgUnit.objects.filter(pk=unit.pk).update(name="umbenannt"))
    rule = ReimbursementRuleFactory()
    assert changes(lambda: rule.org_units.add(unit))
    assert changes(lambda: rule.org_units.remove(unit))
    assert changes(lambda: ReimbursementRule.objects.filter(pk=rule.pk).delete())


def test_bulk_create_and_loaddata_bump_the_token():
    unit = OrgUnitFactory()
    grade = PayGradeFactory()
    assert changes(
        lambda: Position.objects.bulk_create(
            [
                Position(
                    org_unit=unit,
                    pay_grade=grade,
                    fte=Decimal("1.00"),
                    title=f"Stelle {n}",
                    start_date=date(2012, 1, 1),
                )
                for n in range(3)
            ]
        )
    )
    assert changes(lambda: call_command("loaddata", "seed", verbosity=0))


def test_writes_to_other_tables_leave_the_token_alone(django_user_model):
    assert not changes(lambda: django_user_model.objects.create_user("someone"))


def test_a_missing_row_is_created_with_a_new_token():
    old = current_token()
    DataVersion.objects.all().delete()
    token = current_token()
    assert token != old
    assert DataVersion.objects.get().token == token


def test_installing_twice_is_harmless_and_keeps_one_trigger_per_table_and_operation():
    install_triggers()
    install_triggers()
    tables = watched_tables()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM information_schema.triggers "
                "WHERE trigger_name LIKE 'dataversion_%%'"
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'dataversion_%'"
            )
        assert cursor.fetchone()[0] == 3 * len(tables)
    assert "costing_reimbursementrule_org_units" in tables
    assert changes(lambda: OrgUnitFactory())


def test_the_versioned_cache_recomputes_after_a_write_and_keeps_a_bound():
    cache = VersionedCache(maxsize=2)
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cache.get("a", compute) == 1
    assert cache.get("a", compute) == 1  # a hit: not computed again
    OrgUnitFactory()
    assert cache.get("a", compute) == 2  # the data changed
    cache.get("b", compute)
    cache.get("c", compute)
    assert len(cache) == 2
