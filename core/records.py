"""Frozen documents: one typed writer and reader for records kept for decades.

An adopted decision or Stellenplan is stored as JSON and read back into dataclasses long after
the code that wrote it has changed. ``RecordFormat`` is the one way to do both, for every kind of
record (a migration for data at rest):

- ``write`` stores a dataclass as JSON (Decimals as strings, dates as ISO strings) with the
  format version under ``"format"``;
- ``read`` takes the version from the data (records written without one are version 1), runs
  the upgrade steps from that version to the current one, and builds the dataclasses from the
  type hints: a field missing in an older record takes its dataclass default, keys the code no
  longer knows are ignored, and a record newer than the code is refused with a German message
  (``RecordFormatError``) instead of a crash.

Adding a field: give it a default (old records read with it). Renaming, moving or changing the
meaning of a field: bump ``version`` and add an upgrade step ``upgrades[old] = step`` that turns a
record of version ``old`` into one of ``old + 1`` (plain dicts, as stored). Nothing stored is ever
rewritten; the committed fixture (tests/fixtures/records_v1.json) proves old records still read.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError

T = TypeVar("T")
#: The key of the format version in every stored record.
FORMAT_KEY = "format"
#: The version of records written before they carried one.
UNVERSIONED = 1

Upgrade = Callable[[dict[str, Any]], dict[str, Any]]


class RecordFormatError(ValidationError):
    """A stored record cannot be read; the message is German and names record and field."""


def dump(value: Any) -> Any:
    """JSON-safe data: dataclasses as dicts (their fields only), Decimals as strings, dates as
    ISO strings, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): dump(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [dump(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # lazy translations and the like: stored as the text they show


def _fail(label: str, path: str, message: str) -> RecordFormatError:
    return RecordFormatError(f"{label}: {message} (Feld „{path}“).")


def load(kind: Any, value: Any, *, label: str = "Festgehaltenes Dokument", path: str = "") -> Any:
    """`value` (as ``dump`` stored it) as an instance of the type `kind`.

    Dataclasses take their fields by name: a missing field its default (a field without one is
    a RecordFormatError naming it), an unknown key is ignored.
    """
    if kind is Any or value is None:
        return value
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(kind) if a is not type(None)]
        return load(inner[0], value, label=label, path=path) if len(inner) == 1 else value
    if origin in (list, tuple):
        args = typing.get_args(kind)
        item = args[0] if args else Any
        if not isinstance(value, list):
            raise _fail(label, path, "eine Liste erwartet")
        return [load(item, v, label=label, path=f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        _, item = typing.get_args(kind) or (str, Any)
        if not isinstance(value, Mapping):
            raise _fail(label, path, "ein Objekt erwartet")
        return {k: load(item, v, label=label, path=f"{path}.{k}") for k, v in value.items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _load_dataclass(kind, value, label=label, path=path)
    if kind is Decimal:
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise _fail(label, path, f"„{value}“ ist keine Zahl") from None
    if kind is date or kind is datetime:
        try:
            return kind.fromisoformat(value)
        except (TypeError, ValueError):
            raise _fail(label, path, f"„{value}“ ist kein Datum") from None
    return value


def _load_dataclass(kind: type, value: Any, *, label: str, path: str) -> Any:
    if not isinstance(value, Mapping):
        raise _fail(label, path or kind.__name__, "ein Objekt erwartet")
    hints = typing.get_type_hints(kind)
    arguments: dict[str, Any] = {}
    for f in dataclasses.fields(kind):
        if not f.init:
            continue
        where = f"{path}.{f.name}" if path else f.name
        if f.name in value:
            arguments[f.name] = load(hints[f.name], value[f.name], label=label, path=where)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise _fail(label, where, "fehlt und hat keinen Vorgabewert")
    return kind(**arguments)


@dataclass(frozen=True)
class RecordFormat(Generic[T]):
    """How one kind of frozen document is written and read back.

    `kind` is the top-level dataclass, `version` the format written today, `label` the German
    name used in messages ("Die festgehaltene Beschlussfassung"), `upgrades[v]` turns the stored
    data of version v into version v + 1 (a missing step: the layout did not change, only fields
    with defaults were added).
    """

    kind: type[T]
    version: int
    label: str
    upgrades: Mapping[int, Upgrade] = field(default_factory=dict)

    def __post_init__(self) -> None:
        wrong = [v for v in self.upgrades if not UNVERSIONED <= v < self.version]
        if wrong:
            raise ValueError(f"Upgrade steps {wrong} outside 1..{self.version - 1}")

    def write(self, value: T) -> dict[str, Any]:
        """`value` as JSON-safe data with the current format version."""
        data = dump(value)
        if not isinstance(data, dict):
            raise TypeError(f"{self.kind.__name__} is not stored as a JSON object")
        return {FORMAT_KEY: self.version, **data}

    def version_of(self, data: Mapping[str, Any]) -> int:
        version = data.get(FORMAT_KEY, UNVERSIONED)
        if isinstance(version, bool) or not isinstance(version, int) or version < UNVERSIONED:
            raise RecordFormatError(
                f"{self.label} hat eine ungültige Formatversion „{version}“ und kann nicht "
                "gelesen werden."
            )
        return version

    def upgrade(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The stored data brought to the current version (a copy; the stored data is kept)."""
        if not isinstance(data, Mapping):
            raise RecordFormatError(
                f"{self.label} ist kein JSON-Objekt und kann nicht gelesen werden."
            )
        version = self.version_of(data)
        if version > self.version:
            raise RecordFormatError(
                f"{self.label} wurde mit Format {version} gespeichert; diese Programmversion "
                f"kennt nur die Formate 1 bis {self.version}. Bitte die Anwendung aktualisieren; "
                "das gespeicherte Dokument bleibt unverändert."
            )
        current = {k: v for k, v in data.items() if k != FORMAT_KEY}
        while version < self.version:
            step = self.upgrades.get(version)
            if step is not None:
                current = step(current)
            version += 1
        return current

    def read(self, data: Mapping[str, Any]) -> T:
        """The stored data as the dataclass `kind` (RecordFormatError in German if it cannot)."""
        return typing.cast(T, load(self.kind, self.upgrade(data), label=self.label))
