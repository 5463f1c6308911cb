"""Change history of objects (django-simple-history): who changed what when, old → new.

Writes record their acting user through ``acting_as`` (a context variable that the models'
``HistoricalRecords(get_user=history_user)`` reads), so services never touch the history
library's internals; a request without a service call falls back to the logged-in user.
"""

from __future__ import annotations

import contextvars
import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, overload

from django.apps import apps
from django.db import models
from django.db.models import CharField, Max, QuerySet, Value
from django.utils import timezone
from simple_history.models import HistoricalChanges
from simple_history.utils import get_m2m_reverse_field_name

from core.fields import concrete_field, related_model
from core.formatting import display_value

_acting_user: contextvars.ContextVar[Any] = contextvars.ContextVar("acting_user", default=None)


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Attribute every history record written inside the block to `user` (None: the system)."""
    token = _acting_user.set(user if user is not None else False)
    try:
        yield
    finally:
        _acting_user.reset(token)


def history_user(request: Any = None, **kwargs: Any) -> Any:
    """The user of a history record: the acting user of the service, else the request's."""
    acting = _acting_user.get()
    if acting is not None:
        return acting or None
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def user_label(user) -> str:
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{full} ({user.get_username()})" if full else user.get_username()


def last_change(instance: models.Model) -> tuple[str | None, datetime.datetime | None]:
    history = getattr(instance, "history", None)
    if history is None:
        return None, None
    record = history.select_related("history_user").order_by("-history_date", "-history_id").first()
    if record is None:
        return None, None
    user = record.history_user
    return (user_label(user) if user else None), record.history_date


def relation_labels(
    model: type[models.Model], field_names: Iterable[str], rows: Iterable[Mapping[str, Any]]
) -> dict[str, dict[Any, str]]:
    """Labels of the related objects the rows point to: one query per relation field."""
    labels: dict[str, dict[Any, str]] = {}
    rows = list(rows)
    for name in field_names:
        model_field = concrete_field(model, name)
        if not model_field.is_relation:
            continue
        ids = {row.get(model_field.attname) for row in rows} - {None, ""}
        related = related_model(model_field)._default_manager.in_bulk(ids) if ids else {}
        labels[name] = {pk: str(obj) for pk, obj in related.items()}
    return labels


BASELINE_REASON = "Stand vor der ersten Änderung im Programm (aus Import oder Stammdaten)"


def ensure_history_baseline(instance: models.Model) -> None:
    """Record the saved state as a first history entry when an object has none yet.

    Reference data and imports are loaded without history; the first change in the app
    would otherwise show no old values.
    """
    manager = getattr(type(instance), "history", None)
    if manager is None or manager.filter(**{instance._meta.pk.attname: instance.pk}).exists():
        return
    saved = type(instance)._default_manager.filter(pk=instance.pk).first()
    if saved is None:
        return
    # nobody in the app made this state
    manager.bulk_history_create([saved], default_change_reason=BASELINE_REASON, default_user=None)


HISTORY_KINDS = {"+": "angelegt", "~": "geändert", "-": "gelöscht"}
#: The kind of a creation record that follows a deletion of the same object (a restore).
RESTORED_KIND = "wiederhergestellt"


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    kind: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    reason: str = ""


SYSTEM_USER = "System (Import/Verwaltung)"


def _tracked_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f for f in model._meta.concrete_fields if f.name not in {"id", "version"} and f.editable
    ]


def _entries_by_record(
    records: Iterable[Any], model: type[models.Model]
) -> list[tuple[Any, HistoryEntry]]:
    """Each record with its entry (old → new against the object's previous record), oldest
    first. `records` may belong to several objects of `model`; each is compared with the
    previous record of its own object. Related objects: one query per relation field."""
    records = sorted(records, key=lambda r: (r.history_date, r.history_id))
    tracked = _tracked_fields(model)
    rows = [{f.attname: getattr(r, f.attname) for f in tracked} for r in records]
    labels = relation_labels(model, [f.name for f in tracked], rows)
    words: Mapping[str, tuple[str, Mapping[Any, str]]] = getattr(model, "HISTORY_WORDS", {})

    def label_of(f: models.Field) -> str:
        return words[f.name][0] if f.name in words else str(f.verbose_name)

    def show(f: models.Field, value: Any) -> str:
        if f.name in words and value in words[f.name][1]:
            return words[f.name][1][value]
        return display_value(f, value, labels.get(f.name))

    result: list[tuple[Any, HistoryEntry]] = []
    previous_of: dict[Any, dict[str, Any]] = {}
    for record, row in zip(records, rows, strict=True):
        kind = record.history_type
        previous = previous_of.get(record.id)
        changes: list[tuple[str, str, str]] = []
        for f in tracked:
            new = row[f.attname]
            old = previous.get(f.attname) if previous is not None else None
            if kind == "+" or previous is None:
                if new not in (None, "") and kind != "-":
                    before = "—" if kind == "+" else "(nicht erfasst)"
                    changes.append((label_of(f), before, show(f, new)))
            elif kind == "~" and old != new:
                changes.append((label_of(f), show(f, old), show(f, new)))
        user = record.history_user
        result.append(
            (
                record,
                HistoryEntry(
                    when=record.history_date,
                    who=user_label(user) if user else SYSTEM_USER,
                    # a creation after earlier records of the same object: a restore
                    kind=RESTORED_KIND
                    if kind == "+" and previous is not None
                    else HISTORY_KINDS.get(kind, kind),
                    changes=changes,
                    reason=record.history_change_reason or "",
                ),
            )
        )
        previous_of[record.id] = row
    return result


def history_entries(
    records: Iterable[Any], model: type[models.Model], newest_first: bool = True
) -> list[HistoryEntry]:
    """Who changed what when, field by field (old → new), from simple-history records.

    `records` are the historical rows of one object (any order). Related objects are labelled
    with one query per relation field, whatever the number of records.
    """
    entries = [entry for _, entry in _entries_by_record(records, model)]
    if newest_first:
        entries.reverse()
    return entries


# --- the change log across all types ("Änderungsprotokoll") --------------------------------


def historical_models() -> list[type[models.Model]]:
    """The history model of every tracked model (not the history of many-to-many links),
    found in the apps registry: every model that subclasses simple-history's
    ``HistoricalChanges`` and records the type of change. Models marked internal
    (``INTERNAL_HISTORY = True``, e.g. occupations) are left out: the change log is read and
    exported by every user."""
    found = []
    for model in apps.get_models():
        if not issubclass(model, HistoricalChanges):
            continue
        if getattr(tracked_model(model), "INTERNAL_HISTORY", False):
            continue
        names = {f.name for f in model._meta.concrete_fields}
        if "history_type" in names and "history_date" in names:
            found.append(model)
    return sorted(found, key=lambda m: str(tracked_model(m)._meta.verbose_name_plural))


def tracked_model(history_model: type[models.Model]) -> type[models.Model]:
    """The model whose history `history_model` records."""
    return history_model.instance_type  # type: ignore[attr-defined]


def type_key(model: type[models.Model]) -> str:
    """E.g. "costing.costrate": how the change log names a type (filter, links)."""
    return model._meta.label_lower


def history_types() -> list[tuple[str, str]]:
    """(key, German plural) of every type with a history, for the change log's filter."""
    return [
        (type_key(tracked_model(h)), str(tracked_model(h)._meta.verbose_name_plural))
        for h in historical_models()
    ]


@dataclass
class ChangeLogEntry:
    """One line of the change log: a history record with its changes (old → new)."""

    when: datetime.datetime
    who: str
    type_key: str
    type_label: str
    object_id: Any
    object_label: str
    exists: bool
    kind: str
    changes: list[tuple[str, str, str]]
    reason: str


@dataclass(frozen=True)
class ChangeLogFilter:
    """What the change log shows: some types (empty: all), one user (None: all; 0: the system),
    a period of days (inclusive, local time)."""

    types: tuple[str, ...] = ()
    user_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _filtered(history_model: type[models.Model], wanted: ChangeLogFilter) -> QuerySet:
    records = history_model._default_manager.all()
    if wanted.user_id == 0:
        records = records.filter(history_user__isnull=True)
    elif wanted.user_id is not None:
        records = records.filter(history_user_id=wanted.user_id)
    if wanted.date_from is not None:
        records = records.filter(history_date__gte=_day_start(wanted.date_from))
    if wanted.date_to is not None:
        next_day = wanted.date_to + datetime.timedelta(days=1)
        records = records.filter(history_date__lt=_day_start(next_day))
    return records


class ChangeLog(Sequence[ChangeLogEntry]):
    """The history records of all (or some) types, newest first, as one sliceable sequence
    (for a paginator): counting and slicing are one query each (a UNION over the history
    tables), building a slice's entries a few queries per type in it, never per record."""

    def __init__(self, wanted: ChangeLogFilter) -> None:
        self.wanted = wanted
        self.models = {
            type_key(tracked_model(h)): h
            for h in historical_models()
            if not wanted.types or type_key(tracked_model(h)) in wanted.types
        }

    def _keys(self) -> QuerySet | None:
        parts = [
            _filtered(history_model, self.wanted)
            .annotate(type_key=Value(key, output_field=CharField()))
            .values_list("history_date", "history_id", "type_key")
            .order_by()
            for key, history_model in self.models.items()
        ]
        if not parts:
            return None
        union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        return union.order_by("-history_date", "-history_id", "type_key")

    def total(self) -> int:
        """How many records the filter matches (one query)."""
        keys = self._keys()
        return keys.count() if keys is not None else 0

    def __len__(self) -> int:
        return self.total()

    @overload
    def __getitem__(self, index: int) -> ChangeLogEntry: ...

    @overload
    def __getitem__(self, index: slice) -> list[ChangeLogEntry]: ...

    def __getitem__(self, index: int | slice) -> ChangeLogEntry | list[ChangeLogEntry]:
        keys = self._keys()
        if isinstance(index, int):
            if keys is None:
                raise IndexError(index)
            return self.entries([keys[index]])[0]
        if keys is None:
            return []
        return self.entries(list(keys[index]))

    def entries(self, keys: Sequence[tuple[Any, Any, str]]) -> list[ChangeLogEntry]:
        """The entries of (history_date, history_id, type key) triples, in that order."""
        wanted_ids: dict[str, set[Any]] = {}
        for _, history_id, key in keys:
            wanted_ids.setdefault(key, set()).add(history_id)
        built: dict[tuple[str, Any], ChangeLogEntry] = {}
        for key, ids in wanted_ids.items():
            built.update(self._entries_of_type(key, ids))
        return [built[(key, history_id)] for _, history_id, key in keys]

    def _entries_of_type(self, key: str, ids: set[Any]) -> dict[tuple[str, Any], ChangeLogEntry]:
        history_model = self.models[key]
        model = tracked_model(history_model)
        manager = history_model._default_manager
        object_ids = set(manager.filter(history_id__in=ids).values_list("id", flat=True))
        newest = manager.filter(history_id__in=ids).aggregate(last=Max("history_date"))["last"]
        # every record of these objects up to the newest wanted one: the previous values
        records = manager.filter(id__in=object_ids, history_date__lte=newest).select_related(
            "history_user"
        )
        relations = [f.name for f in model._meta.concrete_fields if f.many_to_one]
        current = model._default_manager.select_related(*relations).in_bulk(object_ids)
        type_label = str(model._meta.verbose_name)
        pairs = _entries_by_record(records, model)
        _add_link_changes(history_model, pairs)
        result: dict[tuple[str, Any], ChangeLogEntry] = {}
        for record, entry in pairs:
            if record.history_id not in ids:
                continue
            obj = current.get(record.id)
            result[(key, record.history_id)] = ChangeLogEntry(
                when=entry.when,
                who=entry.who,
                type_key=key,
                type_label=type_label,
                object_id=record.id,
                object_label=str(obj) if obj is not None else _deleted_label(record),
                exists=obj is not None,
                kind=entry.kind,
                changes=entry.changes,
                reason=entry.reason,
            )
        return result


def _names(ids: set[Any], labels: Mapping[Any, str]) -> str:
    names = sorted(labels.get(pk, f"Nr. {pk} (gelöscht)") for pk in ids)
    return ", ".join(names) if names else "—"


def _link_history_models(history_model: type[models.Model]) -> list[tuple[Any, Any]]:
    """(many-to-many field, history model of its links) of a history model."""
    found = []
    for field_ in getattr(history_model, "_history_m2m_fields", []):
        for relation in history_model._meta.related_objects:
            links = relation.related_model
            if (
                isinstance(links, type)
                and issubclass(links, HistoricalChanges)
                and getattr(links, "instance_type", None) is field_.remote_field.through
            ):
                found.append((field_, links))
    return found


def _add_link_changes(
    history_model: type[models.Model], pairs: list[tuple[Any, HistoryEntry]]
) -> None:
    """Add the changes of many-to-many links (e.g. a rule's org units) to the entries, old →
    new against the object's previous record: one query per link type and one for labels."""
    for field_, links in _link_history_models(history_model):
        target = get_m2m_reverse_field_name(field_)
        rows = links._default_manager.filter(
            history_id__in=[record.history_id for record, _ in pairs]
        ).values_list("history_id", f"{target}_id")
        linked: dict[Any, set[Any]] = {}
        for history_id, target_id in rows:
            linked.setdefault(history_id, set()).add(target_id)
        every = set().union(*linked.values()) if linked else set()
        labels = {
            pk: str(obj)
            for pk, obj in related_model(field_)._default_manager.in_bulk(every).items()
        }

        previous_of: dict[Any, Any] = {}
        for record, entry in pairs:
            now = linked.get(record.history_id, set())
            previous = previous_of.get(record.id)
            if record.history_type == "~" and previous is not None:
                before = linked.get(previous.history_id, set())
                if before != now and previous.history_change_reason != BASELINE_REASON:
                    entry.changes.append(
                        (str(field_.verbose_name), _names(before, labels), _names(now, labels))
                    )
            elif record.history_type == "+" and now:
                entry.changes.append((str(field_.verbose_name), "—", _names(now, labels)))
            previous_of[record.id] = record


def _deleted_label(record: Any) -> str:
    for name in ("name", "title", "code", "number"):
        value = getattr(record, name, "")
        if value:
            return f"{value} (gelöscht)"
    return f"Nr. {record.id} (gelöscht)"
