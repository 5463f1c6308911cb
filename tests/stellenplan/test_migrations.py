"""Data migrations of the stellenplan app, run forwards and backwards on the test database."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_TARGET = ("stellenplan", "0009_position_number")
TARGET = ("stellenplan", "0010_import_batch_target")
FIXED_TERM = ("stellenplan", "0011_position_end_date_makes_fixed_term")


def migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.fixture
def back_at_the_latest_migration():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_cost_table_id_of_an_import_batch_becomes_its_target(back_at_the_latest_migration):
    old = migrate(BEFORE_TARGET)
    ImportBatch = old.get_model("stellenplan", "ImportBatch")
    common = {"file_name": "x.xlsx", "file_sha256": "0" * 64}
    table_import = ImportBatch.objects.create(kind="cost_table", cost_table_id=42, **common)
    positions_import = ImportBatch.objects.create(kind="positions", **common)

    new = migrate(TARGET)
    ImportBatch = new.get_model("stellenplan", "ImportBatch")
    migrated = ImportBatch.objects.select_related("target_type").get(pk=table_import.pk)
    assert (migrated.target_type.app_label, migrated.target_type.model) == ("costing", "costtable")
    assert migrated.target_id == 42
    untouched = ImportBatch.objects.get(pk=positions_import.pk)
    assert (untouched.target_type_id, untouched.target_id) == (None, None)

    ImportBatch = migrate(BEFORE_TARGET).get_model("stellenplan", "ImportBatch")
    assert ImportBatch.objects.get(pk=table_import.pk).cost_table_id == 42
    assert ImportBatch.objects.get(pk=positions_import.pk).cost_table_id is None


def test_a_position_with_an_end_becomes_befristet(back_at_the_latest_migration):
    old = migrate(TARGET)
    Position = old.get_model("stellenplan", "Position")
    OrgUnit = old.get_model("departments", "OrgUnit")
    PayGrade = old.get_model("stellenplan", "PayGrade")
    unit = OrgUnit.objects.create(kind="amt", code="99-9", name="Testamt")
    grade = PayGrade.objects.create(code="A 99", status_group="beamte")
    common = {"org_unit": unit, "pay_grade": grade, "fte": 1, "start_date": date(2012, 1, 1)}
    ended = Position.objects.create(title="mit Ende", end_date=date(2014, 12, 31), **common)
    open_ended = Position.objects.create(title="ohne Ende", **common)
    assert not ended.fixed_term

    Position = migrate(FIXED_TERM).get_model("stellenplan", "Position")
    assert Position.objects.get(pk=ended.pk).fixed_term is True
    assert Position.objects.get(pk=open_ended.pk).fixed_term is False
