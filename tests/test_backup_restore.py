"""Backup and restore: dumpdata → empty database → loaddata reproduces every figure and history.

The dump uses exactly the command documented in the README (section "Sicherung"): XML with natural
keys, without content types, permissions, sessions, login attempts and the admin log, which a
migrated database creates itself or does not need.
"""

import gzip
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from core.history import acting_as
from costing.engine import cost_year, costing_as_dict
from departments.models import OrgUnit
from stellenplan.models import Position
from tests.factories import PositionFactory

# XML, not JSON: Django's JSON encoder cuts timestamps to milliseconds, XML keeps microseconds.
DUMP_OPTIONS = {
    "format": "xml",
    "natural_foreign": True,
    "natural_primary": True,
    "exclude": ["contenttypes", "auth.permission", "sessions", "axes", "admin.logentry"],
}


def snapshot() -> dict:
    """Every total of 2011 and 2012 and every history entry, independent of user ids."""

    def history(model) -> list[dict]:
        rows = []
        for entry in model.history.select_related("history_user").order_by("history_id"):
            row = {
                field.attname: getattr(entry, field.attname)
                for field in entry._meta.concrete_fields
                if field.attname != "history_user_id"
            }
            row["history_user"] = entry.history_user.username if entry.history_user else None
            rows.append(row)
        return rows

    return {
        "costs": {year: costing_as_dict(cost_year(year)) for year in (2011, 2012)},
        "positions": list(Position.objects.order_by("pk").values()),
        "org_units": list(OrgUnit.objects.order_by("pk").values()),
        "position_history": history(Position),
        "org_unit_history": history(OrgUnit),
        "users": sorted(User.objects.values_list("username", "is_superuser")),
        "groups": sorted(
            (g.name, sorted(g.permissions.values_list("codename", flat=True)))
            for g in Group.objects.all()
        ),
    }


@pytest.fixture(autouse=True)
def fresh_content_type_cache():
    # flush recreates the content types with new ids; the rollback after the test brings back
    # the old ones, so the next test must not see the cached new ids.
    yield
    ContentType.objects.clear_cache()


def empty_database() -> None:
    """flush, as on a new server after `migrate`. The test runs in a transaction: first let
    PostgreSQL check its deferred foreign keys, or it refuses to TRUNCATE."""
    connection.check_constraints()
    call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def history_with_changes(seed):
    """The reference data plus edits by a named user, a new and a deleted position."""
    editor = User.objects.create_user("personalamt_test", password="Ein-sicheres-Passwort-1")
    group, _ = Group.objects.get_or_create(name="Sicherungstest")
    editor.groups.add(group)
    with acting_as(editor):
        for position in Position.objects.order_by("pk")[:5]:
            position.fte = Decimal("0.50")
            position.title = f"{position.title} (geändert) – „Ä“ <b>"
            position.save()
        unit = OrgUnit.objects.order_by("pk").first()
        unit.name = f"{unit.name} (umbenannt)"
        unit.save()
    extra = PositionFactory(
        org_unit=unit,
        pay_grade=Position.objects.first().pay_grade,
        start_date=date(2011, 10, 1),
    )
    doomed = PositionFactory(org_unit=unit, pay_grade=extra.pay_grade)
    with acting_as(editor):
        doomed.delete()
    return editor


@pytest.mark.django_db
def test_it_restores_every_total_and_history_entry(history_with_changes, tmp_path):
    before = snapshot()
    assert before["position_history"] and before["org_unit_history"]
    assert any(row["history_type"] == "-" for row in before["position_history"])
    assert before["costs"][2012]["total"]["cost_in_year"] != "0.00"

    backup = tmp_path / "stellenplan.xml.gz"
    call_command("dumpdata", output=str(backup), verbosity=0, **DUMP_OPTIONS)
    with gzip.open(backup, "rt", encoding="utf-8") as f:
        assert f.read().count("<object ") > 50

    empty_database()
    assert Position.objects.count() == 0
    assert Position.history.count() == 0
    assert not User.objects.exists()

    call_command("loaddata", str(backup), verbosity=0)

    after = snapshot()
    for key in before:
        assert after[key] == before[key], key


@pytest.mark.django_db
def test_it_keeps_working_after_a_restore(history_with_changes, tmp_path):
    backup = tmp_path / "stellenplan.xml.gz"
    call_command("dumpdata", output=str(backup), verbosity=0, **DUMP_OPTIONS)
    highest = Position.objects.order_by("-pk").first().pk
    empty_database()
    call_command("loaddata", str(backup), verbosity=0)

    # The id sequences continue after the restored rows; the editor can log in again.
    new = PositionFactory(
        org_unit=OrgUnit.objects.first(), pay_grade=Position.objects.first().pay_grade
    )
    assert new.pk > highest
    assert User.objects.get(username="personalamt_test").check_password("Ein-sicheres-Passwort-1")
