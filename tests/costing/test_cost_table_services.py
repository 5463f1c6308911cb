"""The Kämmerei's cost-table maintenance: services, selectors and the engine's arithmetic."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.concurrency import ConcurrentEditError, DeleteRefusedError
from costing import engine, selectors
from costing.engine import RateAmounts, change_percent, raise_amount, raise_amounts
from costing.models import CostRate, CostTable, ReimbursementRule
from costing.reference_services import (
    costrate_create,
    costtable_create,
    costtable_delete,
    costtable_update,
    reimbursementrule_new_rate,
)
from decisions.models import AdoptedRecord, Decision
from departments.selectors import org_tree
from stellenplan.models import PayGrade

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(role_users):
    return role_users["kaemmerei"]


def source_table() -> CostTable:
    return CostTable.objects.get(valid_from=date(2010, 1, 1))


# --- arithmetic -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "percent", "rounding", "expected"),
    [
        ("63000", "3.5", "euro", "65205.00"),
        ("53900", "3.5", "euro", "55787.00"),  # 55.786,5 half-up
        ("53900", "3.5", "cent", "55786.50"),
        ("53900", "3.5", "zehn", "55790.00"),  # 5.578,65 tens -> 5.579
        ("74300", "3.5", "zehn", "76900.00"),  # 76.900,5 -> 7.690,05 tens -> 7.690
        ("50400", "-2", "hundert", "49400.00"),  # 49.392 -> 49.400
        ("100.005", "0", "cent", "100.01"),  # half-up, not half-even
    ],
)
def test_it_raises_an_amount_and_rounds_half_up(amount, percent, rounding, expected):
    assert raise_amount(Decimal(amount), Decimal(percent), rounding) == Decimal(expected)


def test_it_keeps_components_adding_up_when_raising():
    raised = raise_amounts(
        RateAmounts(Decimal(72000), Decimal(60000), Decimal(9000), Decimal(3000)),
        Decimal("3.5"),
        "zehn",
    )
    # 62.100 + 9.320 (9.315 up) + 3.110 (3.105 up): the total is their sum
    assert raised == RateAmounts(
        Decimal("74530.00"), Decimal("62100.00"), Decimal("9320.00"), Decimal("3110.00")
    )


def test_it_computes_the_change_in_percent():
    assert change_percent(Decimal(63000), Decimal(65205)) == Decimal("3.50")
    assert change_percent(Decimal(3), Decimal(2)) == Decimal("-33.33")
    assert change_percent(None, Decimal(1)) is None
    assert change_percent(Decimal(0), Decimal(1)) is None


# --- components -----------------------------------------------------------------------------


def test_it_refuses_components_that_do_not_add_up(seed):
    rate = CostRate.objects.get(table=source_table(), pay_grade__code="EG 9")
    rate.annual_cost = Decimal(74000)
    rate.personnel_cost, rate.material_cost, rate.it_cost = (
        Decimal(60000),
        Decimal(9000),
        Decimal(3000),
    )
    with pytest.raises(ValidationError) as caught:
        rate.full_clean()
    message = caught.value.message_dict["annual_cost"][0]
    assert "Die Komponenten ergeben 72.000 €" in message
    assert "Personalkosten 60.000 € + Sachkosten 9.000 € + IT-Kosten 3.000 €" in message
    assert "sind aber 74.000 €" in message
    rate.annual_cost = Decimal(72000)
    rate.full_clean()  # adds up
    rate.personnel_cost = rate.material_cost = rate.it_cost = None
    rate.full_clean()  # no components: nothing to add up


def test_the_reference_data_satisfies_the_component_rule(seed):
    for rate in CostRate.objects.all():
        rate.full_clean()


# --- create, copy, compare ------------------------------------------------------------------


def test_it_creates_an_empty_table(seed, user):
    table = costtable_create(acting_user=user, name="RS 2013", valid_from=date(2013, 1, 1))
    assert table.rates.count() == 0
    assert table.history.get().history_user == user


def test_it_copies_a_table_raised_by_a_percentage(seed, user):
    source = source_table()
    table = costtable_create(
        acting_user=user,
        name="RS 2013",
        valid_from=date(2013, 1, 1),
        source=source,
        increase_percent=Decimal("3.5"),
        rounding="euro",
    )
    rates = {r.pay_grade.code: r.annual_cost for r in table.rates.select_related("pay_grade")}
    assert len(rates) == source.rates.count() == 10
    assert rates["EG 9"] == Decimal("65205.00")
    assert rates["A 13 hD"] == Decimal("114264.00")  # 110.400 × 1,035 = 114.264
    assert all(r.history.get().history_user == user for r in table.rates.all())
    # the comparison the page shows before saving gives the same figures
    preview = {
        row.pay_grade.code: row for row in selectors.copy_preview(source, Decimal("3.5"), "euro")
    }
    assert {code: row.new for code, row in preview.items()} == rates
    assert preview["EG 9"].old == Decimal("63000.00")
    assert preview["EG 9"].percent == Decimal("3.50")
    # and the engine costs 2013 with it
    assert engine.cost_table_for_year(2013) == table
    assert engine.cost_table_for_year(2012) == source


def test_it_refuses_a_second_table_from_the_same_day(seed, user):
    with pytest.raises(ValidationError) as caught:
        costtable_create(acting_user=user, name="Doppelt", valid_from=date(2010, 1, 1))
    assert "Ab dem 01.01.2010 gilt schon die Kostentabelle „Rundschreiben Nr. 03/2010" in str(
        caught.value
    )
    assert CostTable.objects.count() == 1


def test_it_compares_a_table_with_its_predecessor(seed, user):
    source = source_table()
    table = costtable_create(
        acting_user=user,
        name="RS 2013",
        valid_from=date(2013, 1, 1),
        source=source,
        increase_percent=Decimal(2),
        rounding="cent",
    )
    CostRate.objects.filter(table=table, pay_grade__code="EG 6").delete()
    grade = PayGrade.objects.get(code="EG 10")
    costrate_create(acting_user=user, table=table, pay_grade=grade, annual_cost=Decimal(50000))
    assert selectors.predecessor_of(table) == source
    assert selectors.predecessor_of(source) is None
    rows = {row.pay_grade.code: row for row in selectors.table_comparison(table, source)}
    assert rows["EG 9"].old == Decimal("63000.00") and rows["EG 9"].new == Decimal("64260.00")
    assert rows["EG 9"].percent == Decimal("2.00")
    assert rows["EG 6"].new is None and rows["EG 6"].percent is None  # dropped
    assert rows["EG 10"].old is None and rows["EG 10"].new == Decimal(50000)  # added


def test_it_adds_a_rate_only_once_per_grade(seed, user):
    table = costtable_create(acting_user=user, name="RS 2013", valid_from=date(2013, 1, 1))
    grade = PayGrade.objects.get(code="EG 9")
    rate = costrate_create(acting_user=user, table=table, pay_grade=grade, annual_cost=Decimal(1))
    assert rate.history.get().history_user == user
    with pytest.raises(ValidationError, match="schon einen Kostensatz"):
        costrate_create(acting_user=user, table=table, pay_grade=grade, annual_cost=Decimal(2))
    with pytest.raises(ValidationError, match="Die Komponenten ergeben 60.000"):
        costrate_create(
            acting_user=user,
            table=table,
            pay_grade=PayGrade.objects.get(code="EG 5"),
            annual_cost=Decimal(74000),
            personnel_cost=Decimal(60000),
        )


def test_the_current_table_is_the_one_valid_today_else_the_newest(seed, user):
    old = source_table()
    later = costtable_create(acting_user=user, name="RS 2030", valid_from=date(2030, 1, 1))
    assert selectors.current_table(date(2026, 12, 1)) == old
    assert selectors.current_table(date(2030, 6, 1)) == later
    assert selectors.current_table(date(2009, 6, 1)) == later  # none valid yet: the newest


# --- re-date and delete ---------------------------------------------------------------------


def test_it_re_dates_a_table_but_not_onto_another(seed, user):
    table = costtable_create(acting_user=user, name="RS 2013", valid_from=date(2013, 1, 1))
    costtable_update(
        acting_user=user,
        table=table,
        expected_version=table.version,
        data={"valid_from": date(2014, 1, 1)},
    )
    table.refresh_from_db()
    assert table.valid_from == date(2014, 1, 1) and table.version == 2
    with pytest.raises(ValidationError, match="Ab dem 01.01.2010 gilt schon"):
        costtable_update(
            acting_user=user,
            table=table,
            expected_version=table.version,
            data={"valid_from": date(2010, 1, 1)},
        )
    table.refresh_from_db()
    assert table.valid_from == date(2014, 1, 1) and table.version == 2


def test_it_deletes_an_unused_table_with_its_rates(seed, user):
    table = costtable_create(
        acting_user=user,
        name="RS 2013",
        valid_from=date(2013, 1, 1),
        source=source_table(),
        increase_percent=Decimal(1),
        rounding="euro",
    )
    pk = table.pk
    costtable_delete(acting_user=user, table=table, expected_version=table.version)
    assert not CostTable.objects.filter(pk=pk).exists()
    assert not CostRate.objects.filter(table_id=pk).exists()
    assert CostTable.history.filter(id=pk, history_type="-").get().history_user == user
    assert CostRate.history.filter(table_id=pk, history_type="-").count() == 10


def test_it_refuses_to_delete_a_table_an_adopted_record_used(seed, user):
    table = source_table()
    decision = Decision.objects.order_by("pk").first()
    AdoptedRecord.objects.create(
        decision=decision,
        sequence=99,
        adopted_on=date(2011, 10, 13),
        document={},
        positions=[],
        sources={"cost_tables": [{"id": table.pk, "name": table.name}]},
        pdf=b"%PDF",
        pdf_sha256="0" * 64,
    )
    with pytest.raises(DeleteRefusedError) as caught:
        costtable_delete(acting_user=user, table=table, expected_version=table.version)
    message = str(caught.value)
    assert "kann nicht gelöscht werden" in message
    assert f"1 festgehaltene Beschlussfassung ({decision.grdrs_label})" in message
    table.refresh_from_db()
    assert table.version == 1 and table.rates.count() == 10


def test_it_refuses_to_delete_a_table_changed_since(seed, user):
    table = source_table()
    with pytest.raises(ConcurrentEditError):
        costtable_delete(acting_user=user, table=table, expected_version=table.version + 1)
    assert CostTable.objects.filter(pk=table.pk).exists()


# --- reimbursement: a new rate from a date --------------------------------------------------


def test_a_new_rate_closes_the_old_rule_the_day_before(seed, user):
    old = ReimbursementRule.objects.get()
    units = set(old.org_units.all())
    new = reimbursementrule_new_rate(
        acting_user=user,
        rule=old,
        expected_version=old.version,
        valid_from=date(2013, 1, 1),
        rate=Decimal("0.85"),
    )
    old.refresh_from_db()
    assert old.valid_to == date(2012, 12, 31) and old.version == 2
    assert old.history.order_by("-history_id").first().history_user == user
    assert (new.name, new.rate, new.valid_from, new.valid_to) == (
        old.name,
        Decimal("0.85"),
        date(2013, 1, 1),
        None,
    )
    assert set(new.org_units.all()) == units
    assert {h.history_user for h in new.history.all()} == {user}
    # each year names exactly the one rule that applied
    tree = org_tree()
    assert [c.rule_id for c in engine.reimbursement_coverage(2012, tree)] == [old.pk]
    assert [c.rule_id for c in engine.reimbursement_coverage(2013, tree)] == [new.pk]


def test_a_new_rate_is_all_or_nothing(seed, user):
    old = ReimbursementRule.objects.get()
    with pytest.raises(ValidationError, match="nach dem Beginn der bisherigen Regel"):
        reimbursementrule_new_rate(
            acting_user=user,
            rule=old,
            expected_version=old.version,
            valid_from=date(2012, 1, 1),
            rate=Decimal("0.85"),
        )
    with pytest.raises(ValidationError):
        reimbursementrule_new_rate(
            acting_user=user,
            rule=old,
            expected_version=old.version,
            valid_from=date(2013, 1, 1),
            rate=Decimal("1.5"),
        )
    with pytest.raises(ConcurrentEditError):
        reimbursementrule_new_rate(
            acting_user=user,
            rule=old,
            expected_version=old.version + 1,
            valid_from=date(2013, 1, 1),
            rate=Decimal("0.85"),
        )
    old.refresh_from_db()
    assert ReimbursementRule.objects.count() == 1
    assert old.valid_to is None and old.version == 1


def test_a_rule_shadowed_by_a_newer_one_is_named_in_no_footnote(seed, user):
    """Two rules entered by hand for the same units (the old one left open): 2013 names only
    the newer one, which is the one that is applied."""
    old = ReimbursementRule.objects.get()
    new = ReimbursementRule.objects.create(
        name="Bundesbeteiligung ab 2013", rate=Decimal("0.85"), valid_from=date(2013, 1, 1)
    )
    new.org_units.set(old.org_units.all())
    coverage = engine.reimbursement_coverage(2013, org_tree())
    assert [c.name for c in coverage] == ["Bundesbeteiligung ab 2013"]
