"""Writes of org units: create, move or rename (optimistic concurrency), delete when unused.

Integrity under concurrency (two people, or two workers, at the same moment):

- **No cycle by any interleaving of moves.** Checking "the new parent is not below the unit"
  and then saving is only safe if no other move lands in between: two simultaneous moves
  "A under B" and "B under A" each pass the check against the old tree and together form a
  cycle. Every change of a parent therefore runs under one lock for the tree's shape
  (``_lock_tree_shape``), taken in the move's transaction *before* the tree is read for the
  check and held until commit; so moves take turns, and the second one checks the tree as
  the first one left it and is refused with a German message. One lock for the whole tree
  rather than row locks on the ancestor chains: a chain can change between reading it and
  locking it (and locking the extra rows then would risk deadlocks), while moves are rare
  and quick. Creating a unit cannot close a cycle (nothing is below a new unit) and takes
  no tree lock. The database itself only guards the shortest cycle (a unit as its own
  parent, constraint ``orgunit_not_own_parent``); a longer one would need a recursive
  trigger, which neither SQLite nor the ORM offers portably.
- **No parent or unit that vanishes under a write.** A unit used as parent, or as the unit of
  a position (``stellenplan.services``), is held with ``hold_orgunit`` for the transaction,
  and ``orgunit_delete`` locks the unit before it looks what still refers to it. Whichever
  comes second sees the first one's result: the create or move is refused with "… wurde
  inzwischen gelöscht", or the delete with what is now assigned to the unit. Without the
  locks, PostgreSQL's deferred foreign key checks failed at commit (an IntegrityError, 500).

Every write takes its locks in the same order (the tree lock, then the unit pointed at, then
the unit written), so these writes never wait for each other in a circle (no deadlock).
Writes that do not call ``orgunit_create``/``orgunit_update`` (the Django admin's forms,
where the parent is set when adding and restored by a history revert, ``departments.admin``) call ``orgunit_guard_parent`` first in their
transaction: the same tree lock, hold and cycle check. Nothing else sets a parent (the Excel
imports write positions, not units; ``bench.city`` only creates units, which closes no cycle).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from core.concurrency import (
    DeleteRefusedError,
    describe_usage,
    editable_only,
    versioned_delete,
    versioned_update,
)
from core.history import acting_as
from core.users import User
from departments.models import BudgetSection, OrgUnit
from departments.selectors import org_tree

ORGUNIT_FIELDS = ["kind", "code", "name", "parent", "budget_section"]


#: Key of the PostgreSQL advisory lock for changes of the tree's shape (any fixed number
#: that no other advisory lock of this database uses: "Org" in ASCII).
TREE_LOCK_KEY = 0x4F7267


def _lock_unit(unit_id: int, *, to_delete: bool = False) -> bool:
    """Lock a unit's row until the transaction ends; False if the unit no longer exists.

    PostgreSQL: ``SELECT … FOR UPDATE`` to delete the unit, else ``FOR NO KEY UPDATE`` (it
    waits for a delete, and a delete for it; plain reads wait for neither). SQLite locks the
    whole database for one writer at a time: a write that changes nothing makes this
    transaction that writer right away (its ``BEGIN`` is deferred), so a concurrent writer
    waits for the commit instead of failing with "database is locked" half-way.
    """
    if connection.vendor == "sqlite":
        return bool(OrgUnit.objects.filter(pk=unit_id).update(version=F("version")))
    rows = OrgUnit.objects.select_for_update(no_key=not to_delete).filter(pk=unit_id)
    return bool(rows.values_list("pk", flat=True))


def _lock_tree_shape(unit: OrgUnit) -> None:
    """Make the rest of this transaction the only one changing a parent, until it ends.

    PostgreSQL: a transaction-level advisory lock, released at commit or rollback; the reads
    after it see every move committed before it was granted (READ COMMITTED). SQLite: the
    database's write lock (``_lock_unit``), which no other writer gets before the commit.
    Call it inside the move's transaction, before the tree is read for the check.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK_KEY])
    else:
        _lock_unit(unit.pk)


def hold_orgunit(unit: OrgUnit, *, field: str) -> None:
    """Keep `unit` from being deleted until the current transaction ends.

    For writes that point at the unit (a position in it, a sub-unit below it); call it in
    their transaction before saving. Raises a ``ValidationError`` at `field` if the unit was
    deleted meanwhile.
    """
    if not _lock_unit(unit.pk):
        raise ValidationError(
            {
                field: ValidationError(
                    f"Die Organisationseinheit „{unit}“ wurde inzwischen gelöscht. "
                    "Bitte wählen Sie eine andere Einheit.",
                    code="deleted",
                )
            }
        )


def hold_orgunits(unit_ids: Iterable[int]) -> set[int]:
    """Keep many units from being deleted until the current transaction ends (for imports);
    the ids of those that still exist. One statement: on PostgreSQL ``FOR NO KEY UPDATE`` in id
    order (no deadlock with another batch), on SQLite the database's write lock as in
    ``hold_orgunit``. Check the references after this call, not before.
    """
    ids = sorted(set(unit_ids))
    if not ids:
        return set()
    if connection.vendor == "sqlite":
        OrgUnit.objects.filter(pk__in=ids).update(version=F("version"))
        return set(OrgUnit.objects.filter(pk__in=ids).values_list("pk", flat=True))
    rows = OrgUnit.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
    return set(rows.values_list("pk", flat=True))


@contextmanager
def _unique_code_explained(unit: OrgUnit) -> Iterator[None]:
    """Name in German the code taken by a save that committed at the same moment.

    ``full_clean()`` checks the code before the save, but another transaction can save the
    same code (in any case) in between; the unique index then refuses ours. The check run
    again now sees that save and raises the German message at the code field.
    """
    try:
        with transaction.atomic():  # a savepoint: the transaction stays usable for the check
            yield
    except IntegrityError:
        unit.full_clean(exclude=["version"])
        raise


def _check_parent(unit: OrgUnit, parent: OrgUnit | None) -> None:
    """Refuse a parent below the unit; call after ``_lock_tree_shape`` (reads the tree)."""
    if parent is None or unit.pk is None:
        return
    if parent.pk in org_tree().descendants_or_self([unit.pk]):
        raise ValidationError(
            {
                "parent": (
                    f"„{parent}“ liegt unterhalb von „{unit.code}“ und kann ihr daher nicht "
                    "übergeordnet werden (der Baum darf keinen Kreis bilden)."
                )
            }
        )


def orgunit_guard_parent(unit: OrgUnit, parent: OrgUnit | None) -> None:
    """For a save of `unit` with `parent` that does not go through ``orgunit_update`` or
    ``orgunit_create`` (the admin's form): the tree lock (for an existing unit, whether or not
    the parent changes: the saved parent is only known for sure under the lock), the parent
    held, and the cycle check; raises a ``ValidationError`` at "parent" in German.

    Call it inside the save's transaction, before anything else is locked (the lock order of
    the module docstring); the locks are held until that transaction ends."""
    if not connection.in_atomic_block:
        raise RuntimeError("orgunit_guard_parent needs the save's transaction")
    if unit.pk is not None:
        _lock_tree_shape(unit)
    if parent is not None:
        hold_orgunit(parent, field="parent")
    _check_parent(unit, parent)


@transaction.atomic
def orgunit_create(
    *,
    acting_user: User | None,
    kind: str,
    code: str,
    name: str,
    parent: OrgUnit | None = None,
    budget_section: BudgetSection | None = None,
) -> OrgUnit:
    unit = OrgUnit(kind=kind, code=code, name=name, parent=parent, budget_section=budget_section)
    if parent is not None:
        hold_orgunit(parent, field="parent")
    unit.full_clean()
    with _unique_code_explained(unit), acting_as(acting_user):
        unit.save()
    return unit


@transaction.atomic
def orgunit_update(
    *,
    acting_user: User | None,
    unit: OrgUnit,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> OrgUnit:
    editable_only(data, ORGUNIT_FIELDS)
    parent = data.get("parent")
    if "parent" in data and (parent.pk if parent else None) != unit.parent_id:
        # A move: check and save under the tree lock (see the module docstring).
        _lock_tree_shape(unit)
        if parent is not None:
            hold_orgunit(parent, field="parent")
        _check_parent(unit, parent)
    with _unique_code_explained(unit):
        return versioned_update(
            unit,
            acting_user=acting_user,
            expected_version=expected_version,
            data=data,
            opened=opened,
        )


@transaction.atomic
def orgunit_delete(*, acting_user: User | None, unit: OrgUnit, expected_version: int) -> None:
    """Delete an org unit that nothing depends on; otherwise say what is in the way.

    The unit's row is locked first (``FOR UPDATE``), so a position or sub-unit being created
    in it (``hold_orgunit``) either committed before and is counted here, or waits and then
    finds the unit gone (see the module docstring).
    """
    label = f"Die Organisationseinheit „{unit.code} {unit.name}“"
    _lock_unit(unit.pk, to_delete=True)  # if it is gone already, versioned_delete says so
    named = describe_usage(unit, own_kind="Untereinheit", own_kind_plural="Untereinheiten")
    if named:
        raise DeleteRefusedError(
            f"{label} kann nicht gelöscht werden: ihr sind noch {named} zugeordnet. "
            "Ordnen Sie diese zuerst einer anderen Einheit zu."
        )
    versioned_delete(unit, acting_user=acting_user, expected_version=expected_version, label=label)
