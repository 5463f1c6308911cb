"""Change history of objects (django-simple-history): who changed what when, old → new.

Writes record their acting user through ``acting_as`` (a context variable that the models'
``HistoricalRecords(get_user=history_user)`` reads), so services never touch the history
library's internals; a request without a service call falls back to the logged-in user.
"""

from __future__ import annotations

import contextvars
import datetime
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import models

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


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    kind: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    reason: str = ""


def history_entries(
    records: Iterable[Any], model: type[models.Model], newest_first: bool = True
) -> list[HistoryEntry]:
    """Who changed what when, field by field (old → new), from simple-history records.

    `records` are the historical rows of one object (any order). Related objects are labelled
    with one query per relation field, whatever the number of records.
    """
    records = sorted(records, key=lambda r: (r.history_date, r.history_id))
    tracked = [
        f for f in model._meta.concrete_fields if f.name not in {"id", "version"} and f.editable
    ]
    rows = [{f.attname: getattr(r, f.attname) for f in tracked} for r in records]
    labels = relation_labels(model, [f.name for f in tracked], rows)
    entries: list[HistoryEntry] = []
    previous: dict[str, Any] | None = None
    for record, row in zip(records, rows, strict=True):
        kind = record.history_type
        changes: list[tuple[str, str, str]] = []
        for f in tracked:
            new = row[f.attname]
            old = previous.get(f.attname) if previous is not None else None
            if kind == "+" or previous is None:
                if new not in (None, "") and kind != "-":
                    before = "—" if kind == "+" else "(nicht erfasst)"
                    changes.append(
                        (str(f.verbose_name), before, display_value(f, new, labels.get(f.name)))
                    )
            elif kind == "~" and old != new:
                changes.append(
                    (
                        str(f.verbose_name),
                        display_value(f, old, labels.get(f.name)),
                        display_value(f, new, labels.get(f.name)),
                    )
                )
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=user_label(user) if user else "System (Import/Verwaltung)",
                kind=HISTORY_KINDS.get(kind, kind),
                changes=changes,
                reason=record.history_change_reason or "",
            )
        )
        previous = row
    if newest_first:
        entries.reverse()
    return entries
