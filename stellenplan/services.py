"""Writes of the staffing plan: positions and pay grades.

Every write is a keyword-only function with the acting user, runs in a transaction, validates
the model with ``full_clean()`` and records who did it in the history (django-simple-history).
Edits of a position are refused when someone saved it after the form was opened (``version``).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, models, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, update_change_reason

from core.concurrency import (
    DeleteRefusedError,
    describe_usage,
    editable_only,
    versioned_delete,
    versioned_update,
)
from core.constraints import check_constraints_of_many
from core.fields import concrete_field
from core.history import RESTORED_KIND, HistoryEntry, acting_as, history_entries
from core.users import User
from departments.models import OrgUnit
from departments.services import hold_orgunit, hold_orgunits
from stellenplan.models import ImportBatch, ImportBatchItem, PayGrade, Position
from stellenplan.plan_services import (
    ChangeAuthority,
    PositionState,
    position_summary,
    record_position_changes,
)

POSITION_FIELDS = [
    "org_unit",
    "number",
    "pay_grade",
    "fte",
    "title",
    "task_heading",
    "note",
    "note_date",
    "ku_target_grade",
    "start_date",
    "end_date",
    "fixed_term",
    "tasks",
    "justification",
]
PAYGRADE_FIELDS = ["code", "status_group", "career_group", "sort_order"]


@transaction.atomic
def position_create(
    *,
    acting_user: User | None,
    org_unit: OrgUnit,
    pay_grade: PayGrade,
    fte: Decimal,
    title: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    task_heading: str = "",
    note: str = "",
    note_date: datetime.date | None = None,
    fixed_term: bool = False,
    tasks: str = "",
    justification: str = "",
    number: str = "",
    ku_target_grade: PayGrade | None = None,
    authority: ChangeAuthority | None = None,
) -> Position:
    """Create a position; with an `authority` the Schaffung is recorded as a change of the
    Stellenplan (without: a correction, no change recorded)."""
    position = Position(
        ku_target_grade=ku_target_grade,
        org_unit=org_unit,
        number=number,
        pay_grade=pay_grade,
        fte=fte,
        title=title,
        start_date=start_date,
        end_date=end_date,
        task_heading=task_heading,
        note=note,
        note_date=note_date,
        fixed_term=fixed_term,
        tasks=tasks,
        justification=justification,
    )
    # A unit deleted meanwhile is refused in German, and one being deleted waits (no 500).
    hold_orgunit(org_unit, field="org_unit")
    position.full_clean()
    with acting_as(acting_user):
        position.save()
    if authority is not None:
        record_position_changes(
            acting_user=acting_user,
            position=position,
            before=None,
            after=PositionState.of(position),
            authority=authority,
        )
    return position


@transaction.atomic
def position_update(
    *,
    acting_user: User | None,
    position: Position,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
    authority: ChangeAuthority | None = None,
) -> Position:
    """Change a position; raises ConcurrentEditError if it was saved since `expected_version`.

    With an `authority` the changes of the Stellenplan the edit makes (Hebung, Umsetzung,
    kw/ku note, Streichung by an end …, ``plan_services.derive_changes``) are recorded with
    it; without one the edit is a correction and records no change."""
    editable_only(data, POSITION_FIELDS)
    unit = data.get("org_unit")
    if unit is not None and unit.pk != position.org_unit_id:
        hold_orgunit(unit, field="org_unit")  # moved to a unit that may be deleted meanwhile
    saved = Position.objects.filter(pk=position.pk).first()
    before = PositionState.of(saved) if saved is not None else None
    updated = versioned_update(
        position,
        acting_user=acting_user,
        expected_version=expected_version,
        data=data,
        opened=opened,
    )
    if authority is not None:
        record_position_changes(
            acting_user=acting_user,
            position=updated,
            before=before,
            after=PositionState.of(updated),
            authority=authority,
        )
    return updated


@transaction.atomic
def position_delete(
    *,
    acting_user: User | None,
    position: Position,
    expected_version: int,
    authority: ChangeAuthority | None = None,
) -> None:
    """Delete a position; it stays in the history (see ``deleted_positions``).

    Refused while anything still refers to it (e.g. a decision document listing it, an
    occupation); its recorded changes stay (without the link). With an `authority` the
    Streichung is recorded as a change of the Stellenplan.
    """
    named = describe_usage(position, ignore=["changes"])
    if named:
        raise DeleteRefusedError(
            f"Die Stelle „{position}“ kann nicht gelöscht werden: sie ist noch mit {named} "
            "verknüpft."
        )
    if authority is not None:
        record_position_changes(
            acting_user=acting_user,
            position=None,
            before=PositionState.of(position),
            after=None,
            authority=authority,
            summary=position_summary(position),
        )
    versioned_delete(
        position,
        acting_user=acting_user,
        expected_version=expected_version,
        label=f"Die Stelle „{position}“",
    )


class RestoreRefusedError(Exception):
    """A deleted position cannot be restored; the message (German) says why."""


@transaction.atomic
def position_restore(*, acting_user: User | None, position_id: int) -> Position:
    """Bring a deleted position back with its id and its last values, recorded in its history
    as "wiederhergestellt" (its earlier history stays attached to it).

    Refused (``RestoreRefusedError``) when the position exists or was never deleted, and
    with the model's German messages (``ValidationError``) when its last values are no longer
    valid, e.g. its org unit was deleted or its Stellennummer was given to another position.
    The version continues above every version the position had, so a form opened before the
    deletion cannot overwrite the restored position unnoticed.
    """
    records = Position.history.filter(id=position_id)
    last = records.order_by("-history_date", "-history_id").first()
    if last is None or last.history_type != "-":
        raise RestoreRefusedError(
            f"Die Stelle Nr. {position_id} ist nicht gelöscht und kann daher nicht "
            "wiederhergestellt werden."
        )
    if Position.objects.filter(pk=position_id).exists():
        raise RestoreRefusedError(f"Die Stelle Nr. {position_id} gibt es bereits wieder.")
    position = last.instance  # simple-history: the object with the values of the record
    position.version = records.count() + 1
    unit = OrgUnit.objects.filter(pk=position.org_unit_id).first()
    if unit is None:
        raise ValidationError(
            {
                "org_unit": f"Die Organisationseinheit der Stelle „{last.title}“ (Nr. "
                f"{last.org_unit_id}) wurde gelöscht: bitte zuerst die Einheit anlegen oder "
                "die Stelle neu erfassen."
            }
        )
    hold_orgunit(unit, field="org_unit")
    position.full_clean(exclude=["version"])
    with acting_as(acting_user):
        position.save(force_insert=True)
    update_change_reason(position, RESTORED_KIND)
    return position


class MoveRefusedError(Exception):
    """A bulk move cannot be done as asked; the message (German) says why."""


@transaction.atomic
def positions_move(
    *,
    acting_user: User | None,
    source: OrgUnit,
    target: OrgUnit,
    expected_versions: Mapping[int, int],
) -> list[Position]:
    """Move positions of `source` (id -> the version the user saw) to `target` in one step:
    all or nothing, each through ``position_update`` (version-checked, with its own history
    entry).

    Both units are held against deletion until the commit (``hold_orgunits``: one statement,
    in id order, so two moves between the same units cannot deadlock). Refused when nothing is selected, the target is the
    source, or a position is no longer in `source` (``MoveRefusedError``); a position saved by
    someone else since it was shown raises ``ConcurrentEditError`` and nothing is moved.
    """
    if not expected_versions:
        raise MoveRefusedError("Bitte mindestens eine Stelle zum Verschieben auswählen.")
    if source.pk == target.pk:
        raise MoveRefusedError(
            f"Die Ziel-Einheit „{target}“ ist die bisherige Einheit: bitte eine andere "
            "Organisationseinheit wählen."
        )
    existing = hold_orgunits([source.pk, target.pk])
    for unit, field in ((source, "source"), (target, "target")):
        if unit.pk not in existing:
            raise ValidationError(
                {
                    field: f"Die Organisationseinheit „{unit}“ wurde inzwischen gelöscht. "
                    "Bitte wählen Sie eine andere Einheit."
                }
            )
    positions = {
        p.pk: p
        for p in Position.objects.select_related("org_unit", "pay_grade").filter(
            pk__in=list(expected_versions)
        )
    }
    gone = [pk for pk in expected_versions if pk not in positions]
    elsewhere = [p for p in positions.values() if p.org_unit_id != source.pk]
    if gone or elsewhere:
        named = [f"Nr. {pk} (gelöscht)" for pk in sorted(gone)] + [
            f"„{p.title}“ (jetzt in {p.org_unit.code})" for p in elsewhere
        ]
        raise MoveRefusedError(
            f"Nicht mehr in „{source.code}“: {', '.join(named)}. Es wurde nichts verschoben; "
            "bitte die Liste neu laden."
        )
    moved = []
    for pk in sorted(expected_versions):
        moved.append(
            position_update(
                acting_user=acting_user,
                position=positions[pk],
                expected_version=expected_versions[pk],
                data={"org_unit": target},
            )
        )
    return moved


class PositionsRefused(Exception):
    """Some positions of a batch break the model's rules; nothing was saved.

    ``errors`` maps the index of each refused position to its ``ValidationError`` (with the
    message of every rule it breaks, at its field).
    """

    def __init__(self, errors: Mapping[int, ValidationError]) -> None:
        self.errors = dict(errors)
        super().__init__(f"{len(self.errors)} Stellen verletzen die Regeln des Stellenplans.")


IMPORT_BATCH_SIZE = 1000


def positions_check(
    positions: Sequence[Position], exclude: Sequence[Collection[str]] | None = None
) -> dict[int, ValidationError]:
    """Every rule of the model for each position (new, or an existing one with the values it
    is to get); the errors by index (empty if all may be saved). Saves nothing. `exclude` names, per position, fields not to check (e.g. cells
    an importer could not read), as ``full_clean(exclude=…)``.

    The same checks as ``full_clean()``, computed once where rows share them: the fields and
    ``clean()`` per position, the org units and pay grades referred to in one query each, the
    constraints once per distinct combination of the values they compare
    (``core.constraints.check_constraints_of_many``).
    """
    references: dict[str, type[OrgUnit] | type[PayGrade]] = {
        "org_unit": OrgUnit,
        "pay_grade": PayGrade,
    }
    existing = {
        name: set(
            model.objects.filter(pk__in={getattr(p, f"{name}_id") for p in positions}).values_list(
                "pk", flat=True
            )
        )
        for name, model in references.items()
    }
    found: dict[int, dict[str, list[ValidationError]]] = {}
    failed_fields: list[set[str]] = []
    for index, position in enumerate(positions):
        skip = set(exclude[index]) if exclude else set()
        errors: dict[str, list[ValidationError]] = {}
        try:
            position.full_clean(exclude=skip | set(references), validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name in set(references) - skip:
            field = concrete_field(Position, name)
            value = getattr(position, field.attname)
            if value is None:
                errors.setdefault(name, []).append(
                    ValidationError(field.error_messages["null"], code="null")
                )
            elif value not in existing[name]:
                errors.setdefault(name, []).append(
                    ValidationError(
                        field.error_messages["invalid"],
                        code="invalid",
                        params={
                            "model": references[name]._meta.verbose_name,
                            "pk": value,
                            "field": "id",
                            "value": value,
                        },
                    )
                )
        failed_fields.append(skip | {name for name in errors if name != NON_FIELD_ERRORS})
        if errors:
            found[index] = errors
    for index, refused in check_constraints_of_many(positions, failed_fields).items():
        found[index] = refused.update_error_dict(found.get(index, {}))
    return {index: ValidationError(errors) for index, errors in sorted(found.items())}


@dataclass(frozen=True)
class PositionChange:
    """A change of an existing position by an import: `position` as read (its ``version`` is
    the one expected), `data` the fields that change (field name -> value; ids for the org
    unit and the pay grade), `row` the row of the file."""

    position: Position
    data: Mapping[str, Any]
    row: int | None = None


def _attname(name: str) -> str:
    return concrete_field(Position, name).attname


def _json_value(model_field: Any, value: Any) -> Any:
    """A field value as JSON that ``field.to_python`` reads back (for undo)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return model_field.value_to_string(value)


@transaction.atomic
def positions_import(
    *,
    acting_user: User | None,
    positions: Sequence[Position],
    updates: Sequence[PositionChange] = (),
    change_reason: str = "Excel-Import",
    batch: ImportBatch | None = None,
    rows: Sequence[int | None] | None = None,
) -> list[Position]:
    """Create many new positions and change existing ones, all or nothing, each with its
    history entry.

    Every position is validated with ``full_clean()`` including the constraints; if any breaks
    a rule, nothing is saved and ``PositionsRefused`` names each one (by index) and its errors.
    A change of a position saved by someone else since it was read is refused
    (``ConcurrentEditError``). The acting user and `change_reason` are recorded in the history;
    with a `batch`, each created and changed position is recorded in it (for undo), with its
    row of the file (`rows`, per new position).
    """
    # The units the rows point at cannot be deleted from here to the commit; the check below
    # then refuses rows whose unit was deleted before (instead of a failed commit).
    hold_orgunits(
        [p.org_unit_id for p in positions if p.org_unit_id is not None]
        + [c.data["org_unit"] for c in updates if c.data.get("org_unit") is not None]
    )
    errors = positions_check(positions)
    if errors:
        raise PositionsRefused(errors)
    created = bulk_create_with_history(
        list(positions),
        Position,
        batch_size=IMPORT_BATCH_SIZE,
        default_user=acting_user,
        default_change_reason=change_reason,
    )
    items: list[ImportBatchItem] = []
    for index, position in enumerate(created):
        if batch is not None:
            items.append(
                ImportBatchItem(
                    batch=batch,
                    action=ImportBatchItem.Action.CREATED,
                    object_id=position.pk,
                    row=rows[index] if rows else None,
                    label=str(position.title)[:300],
                    version_after=position.version,
                )
            )
    for change in updates:
        position = change.position
        data = {_attname(name): value for name, value in change.data.items()}
        before = {
            attname: _json_value(concrete_field(Position, attname), getattr(position, attname))
            for attname in data
        }
        version = position.version
        versioned_update(position, acting_user=acting_user, expected_version=version, data=data)
        if batch is not None:
            items.append(
                ImportBatchItem(
                    batch=batch,
                    action=ImportBatchItem.Action.UPDATED,
                    object_id=position.pk,
                    row=change.row,
                    label=str(position.title)[:300],
                    version_after=version + 1,
                    values=before,
                )
            )
    ImportBatchItem.objects.bulk_create(items, batch_size=IMPORT_BATCH_SIZE)
    return created


# --- import batches (issue 11) ---------------------------------------------------------------


#: How long an unconfirmed preview (with its file) is kept.
PENDING_KEPT = datetime.timedelta(days=1)


class ImportBatchError(Exception):
    """An import batch cannot be confirmed or undone; the message (German) says why."""


@transaction.atomic
def import_batch_create(
    *,
    acting_user: User | None,
    kind: str,
    file_name: str,
    content: bytes,
    options: Mapping[str, Any],
    preview: Mapping[str, Any],
    data_token: str,
) -> ImportBatch:
    """A pending import: the file (with its SHA-256) and its preview, until confirmed.

    Pending imports older than PENDING_KEPT are discarded here (their files dropped)."""
    ImportBatch.objects.filter(
        status=ImportBatch.Status.PENDING, created_at__lt=timezone.now() - PENDING_KEPT
    ).update(status=ImportBatch.Status.DISCARDED, file_content=b"")
    batch = ImportBatch(
        kind=kind,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
        file_name=(file_name or "Excel-Datei")[:255],
        file_sha256=hashlib.sha256(content).hexdigest(),
        file_content=content,
        options=dict(options),
        preview=dict(preview),
        data_token=data_token,
    )
    batch.full_clean(exclude=["file_content"])
    batch.save()
    return batch


def import_batch_lock(
    *, batch_id: int, acting_user: User | None, kind: str | None = None
) -> ImportBatch:
    """The pending batch of `acting_user`, locked for confirmation; its file checked against
    its hash. Raises ImportBatchError otherwise. Call inside a transaction, first.

    SQLite ignores ``FOR UPDATE``: a write that changes nothing makes this transaction the
    database's writer right away (its ``BEGIN`` is deferred), so a second confirmation waits
    for the first and then finds the batch saved, instead of reading first and failing with
    "database is locked" when it starts to write (as ``departments.services._lock_unit``).
    """
    if connection.vendor == "sqlite":
        ImportBatch.objects.filter(pk=batch_id).update(status=F("status"))
    batch = ImportBatch.objects.select_for_update().filter(pk=batch_id).first()
    return _pending_batch(batch, acting_user=acting_user, kind=kind)


def import_batch_pending(
    *, batch_id: int, acting_user: User | None, kind: str | None = None
) -> ImportBatch:
    """The pending batch of `acting_user` as ``import_batch_lock`` checks it, read without a
    lock: for the expensive check of a large file before the short writing transaction (which
    then locks the batch with ``import_batch_lock`` and finds out whether it changed)."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    return _pending_batch(batch, acting_user=acting_user, kind=kind)


def _pending_batch(
    batch: ImportBatch | None, *, acting_user: User | None, kind: str | None
) -> ImportBatch:
    if batch is None or (kind is not None and batch.kind != kind):
        raise ImportBatchError("Diesen Import gibt es nicht (mehr).")
    if batch.status != ImportBatch.Status.PENDING:
        raise ImportBatchError(
            f"Der Import {batch.pk} wurde bereits {batch.get_status_display()}; er kann nicht "
            "noch einmal bestätigt werden."
        )
    if batch.created_by_id != getattr(acting_user, "pk", None):
        raise ImportBatchError("Nur wer die Datei hochgeladen hat, kann den Import bestätigen.")
    if hashlib.sha256(bytes(batch.file_content)).hexdigest() != batch.file_sha256:
        raise ImportBatchError(
            "Die gespeicherte Datei stimmt nicht mehr mit ihrer Prüfsumme überein; bitte die "
            "Datei erneut hochladen."
        )
    return batch


def import_batch_mark_applied(
    *, batch: ImportBatch, counts: Mapping[str, int], target: models.Model | None = None
) -> ImportBatch:
    """Record that a pending batch was saved; its file is no longer kept (the hash stays).
    `target`: the one object the import created, if it made one (e.g. a cost table)."""
    if target is not None:
        batch.target = target
    batch.status = ImportBatch.Status.APPLIED
    batch.applied_at = timezone.now()
    batch.created = counts.get("created", 0)
    batch.updated = counts.get("updated", 0)
    batch.unchanged = counts.get("unchanged", 0)
    batch.file_content = b""
    batch.save()
    return batch


@transaction.atomic
def import_batch_discard(*, batch_id: int, acting_user: User | None) -> ImportBatch:
    """Drop a pending import without saving anything of it."""
    batch = import_batch_lock(batch_id=batch_id, acting_user=acting_user)
    batch.status = ImportBatch.Status.DISCARDED
    batch.file_content = b""
    batch.save(update_fields=["status", "file_content"])
    return batch


def import_batch_undo_token(batch: ImportBatch) -> str:
    """The state of a batch the undo page showed, sent back with the confirmation: its status
    and when it was saved. A batch is saved once and undone once, so a second or stale undo
    (the page opened before someone else undid it) carries a token that no longer matches."""
    saved = batch.applied_at.isoformat() if batch.applied_at else "-"
    return f"{batch.status}@{saved}"


def import_batch_may_undo(batch: ImportBatch, user: User | None) -> bool:
    """Who may undo a saved import: the user who imported it, or a superuser (administrator).
    Nobody else, whatever the role: an import is the importer's work, and undoing it deletes
    what others may have planned with. The role's right to the imported kind of object (the
    view's ``require_right``) is needed in addition."""
    if user is None or not getattr(user, "pk", None):
        return False
    return bool(user.is_superuser) or batch.created_by_id == user.pk


def import_batch_check_undo(
    batch: ImportBatch, *, acting_user: User | None, expected_token: str | None
) -> None:
    """Raise ImportBatchError (German) unless `acting_user` may undo the locked `batch` now:
    the rule of ``import_batch_may_undo``, the state the confirmation page showed
    (`expected_token`, from ``import_batch_undo_token``; None where no page was shown) and
    the status "gespeichert"."""
    refused = f"Der Import {batch.pk} kann nicht rückgängig gemacht werden"
    if not import_batch_may_undo(batch, acting_user):
        importer = batch.created_by.get_username() if batch.created_by else "unbekannt"
        raise ImportBatchError(
            f"{refused}: nur wer ihn importiert hat ({importer}) oder ein Administrator darf "
            "ihn rückgängig machen."
        )
    if expected_token is not None and expected_token != import_batch_undo_token(batch):
        when = (
            f" am {timezone.localtime(batch.undone_at):%d.%m.%Y um %H:%M} Uhr"
            if batch.undone_at
            else ""
        )
        who = f" von {batch.undone_by.get_username()}" if batch.undone_by else ""
        raise ImportBatchError(
            f"{refused}: er wurde seit dem Öffnen der Bestätigungsseite geändert (Status jetzt "
            f"„{batch.get_status_display()}“{who}{when}). Es wurde nichts geändert."
        )
    if batch.status != ImportBatch.Status.APPLIED:
        raise ImportBatchError(f"{refused}: sein Status ist „{batch.get_status_display()}“.")


def _row_names(items: Sequence[ImportBatchItem], limit: int = 20) -> str:
    named = [
        f"Zeile {item.row} (ID {item.object_id}, „{item.label}“)"
        if item.row
        else f"ID {item.object_id} („{item.label}“)"
        for item in items[:limit]
    ]
    more = f" und {len(items) - limit} weitere" if len(items) > limit else ""
    return ", ".join(named) + more


@transaction.atomic
def import_batch_undo(
    *, batch_id: int, acting_user: User | None, expected_token: str | None = None
) -> ImportBatch:
    """Undo an applied import of positions: delete the positions it created and give the ones
    it changed their previous values, each with a history entry of `acting_user`.

    Refused (``ImportBatchError``, nothing changed) unless `acting_user` may undo it
    (``import_batch_check_undo``: the importer or a superuser; `expected_token` the state the
    confirmation page showed), and when any of its positions was changed or deleted since the
    import (its version differs), naming the rows.
    """
    batch = (
        ImportBatch.objects.select_for_update(of=("self",))
        .filter(pk=batch_id)
        .select_related("created_by", "undone_by")
        .first()
    )
    if batch is None or batch.kind != ImportBatch.Kind.POSITIONS:
        raise ImportBatchError("Diesen Import von Stellen gibt es nicht.")
    import_batch_check_undo(batch, acting_user=acting_user, expected_token=expected_token)
    items = list(batch.items.order_by("row", "id"))
    ids = [item.object_id for item in items]
    current: dict[int, Position] = {}
    for start in range(0, len(ids), IMPORT_BATCH_SIZE):
        chunk = ids[start : start + IMPORT_BATCH_SIZE]
        current.update({p.pk: p for p in Position.objects.select_for_update().filter(pk__in=chunk)})
    moved = [
        item
        for item in items
        if item.object_id not in current or current[item.object_id].version != item.version_after
    ]
    if moved:
        raise ImportBatchError(
            f"Der Import {batch.pk} kann nicht rückgängig gemacht werden: "
            f"{len(moved)} seiner Stellen wurden seit dem Import geändert oder gelöscht: "
            f"{_row_names(moved)}. Es wurde nichts geändert."
        )
    used = [
        item
        for item in items
        if item.action == ImportBatchItem.Action.CREATED and describe_usage(current[item.object_id])
    ]
    if used:
        raise ImportBatchError(
            f"Der Import {batch.pk} kann nicht rückgängig gemacht werden: {len(used)} der neu "
            f"angelegten Stellen werden inzwischen verwendet (z. B. in einer Beschlussvorlage): "
            f"{_row_names(used)}. Es wurde nichts geändert."
        )
    for item in items:
        position = current[item.object_id]
        if item.action == ImportBatchItem.Action.CREATED:
            versioned_delete(
                position,
                acting_user=acting_user,
                expected_version=item.version_after,
                label=f"Die Stelle „{item.label}“",
            )
            continue
        data = {
            attname: concrete_field(Position, attname).to_python(value)
            for attname, value in item.values.items()
        }
        try:
            versioned_update(
                position,
                acting_user=acting_user,
                expected_version=item.version_after,
                data=data,
            )
        except ValidationError as error:
            raise ImportBatchError(
                f"Der Import {batch.pk} kann nicht rückgängig gemacht werden: die früheren Werte "
                f"von {_row_names([item])} sind nicht mehr gültig "
                f"({' '.join(error.messages)}). Es wurde nichts geändert."
            ) from error
    batch.status = ImportBatch.Status.UNDONE
    batch.undone_by = acting_user if getattr(acting_user, "pk", None) else None
    batch.undone_at = timezone.now()
    batch.save(update_fields=["status", "undone_by", "undone_at"])
    return batch


def position_history(position_id: int) -> list[HistoryEntry]:
    records = Position.history.filter(id=position_id).select_related("history_user")
    return history_entries(records, Position)


def deleted_positions() -> QuerySet:
    """The deletion records of positions that no longer exist, newest first."""
    return (
        Position.history.filter(history_type="-")
        .exclude(id__in=Position.objects.values("id"))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


@transaction.atomic
def paygrade_create(
    *,
    acting_user: User | None,
    code: str,
    status_group: str,
    career_group: str = "",
    sort_order: int = 0,
) -> PayGrade:
    grade = PayGrade(
        code=code, status_group=status_group, career_group=career_group, sort_order=sort_order
    )
    grade.full_clean()
    with acting_as(acting_user):
        grade.save()
    return grade


@transaction.atomic
def paygrade_update(
    *,
    acting_user: User | None,
    grade: PayGrade,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> PayGrade:
    """Change a pay grade; raises ConcurrentEditError if it was saved since `expected_version`."""
    editable_only(data, PAYGRADE_FIELDS)
    return versioned_update(
        grade, acting_user=acting_user, expected_version=expected_version, data=data, opened=opened
    )


@transaction.atomic
def paygrade_delete(
    *, acting_user: User | None, grade: PayGrade, expected_version: int | None = None
) -> None:
    """Delete a pay grade no position and no cost rate uses; otherwise say who uses it.

    Refused as a concurrent edit when the grade was saved since `expected_version` (the
    version the confirmation page showed; None: the version now).
    """
    named = describe_usage(grade)
    if named:
        raise DeleteRefusedError(
            f"Der Stellenwert „{grade.code}“ kann nicht gelöscht werden: er wird noch von "
            f"{named} verwendet."
        )
    versioned_delete(
        grade,
        acting_user=acting_user,
        expected_version=grade.version if expected_version is None else expected_version,
        label=f"Der Stellenwert „{grade.code}“",
    )
