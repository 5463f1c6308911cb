"""The data version: a token read from the database that changes on every write to the data
the cost figures depend on, so that caches of computed figures can be keyed by it.

Several app servers share one database, so a cache in one process may only be trusted as far
as it can tell, with one cheap query, whether the data changed since the entry was computed.
The table ``core_dataversion`` holds one row with a random ``token``. Database triggers set it
to a new random value after every INSERT, UPDATE and DELETE on the watched tables (org units,
budget sections, pay grades, positions, cost tables, cost rates, reimbursement rules and their
org-unit links, pay adjustments). Triggers catch every write path: services, the admin, imports, ``loaddata``,
``bulk_create``, factories in tests and raw SQL.

- Random, not a counter: a rolled-back transaction (every test) restores the old token together
  with the old data, and a counter would then hand out the same number again for other data.
- PostgreSQL: one PL/pgSQL function, statement-level triggers (one UPDATE per statement, not
  per row). The row update takes a row lock until commit, so concurrent writing transactions
  queue for that moment; the version is read without locks.
- SQLite has only row-level triggers; writes to SQLite are serialised anyway.
- ``install_triggers`` runs after every ``migrate`` and ``flush`` (post_migrate, see
  core.apps) and is idempotent: ``CREATE TRIGGER IF NOT EXISTS`` on SQLite, ``CREATE OR
  REPLACE`` function and trigger on PostgreSQL (drop and create before PostgreSQL 14).
  A table added to WATCHED later gets its triggers on the next migrate.
- If the row is missing (after ``flush``), ``current_token`` creates it with a new token.
- A restore (``loaddata`` of a full dump) loads the row of the dump first (core comes before
  the domain apps) and the triggers of the tables loaded after it replace its token.

``VersionedCache`` is the per-process cache to use with it: a small LRU keyed by
(key, token); an entry of an older token is never returned again and ages out.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction

# (app label, model name) of every model the figures depend on; M2M links are added below.
WATCHED_MODELS = (
    ("departments", "BudgetSection"),
    ("departments", "OrgUnit"),
    ("stellenplan", "PayGrade"),
    ("stellenplan", "Position"),
    ("costing", "CostTable"),
    ("costing", "CostRate"),
    ("costing", "ReimbursementRule"),
    ("costing", "PayAdjustment"),
    # the Stellenplan document (stellenplan.plan_document caches it by the data version)
    ("stellenplan", "StaffingPlan"),
    ("stellenplan", "PlanExplanation"),
    ("stellenplan", "StaffingPlanRecord"),
    ("stellenplan", "PositionChange"),
    ("stellenplan", "Occupation"),
    ("stellenplan", "PreviousYearFigure"),
    ("stellenplan", "TraineeCount"),
)
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
FUNCTION_NAME = "core_dataversion_bump"


def new_token() -> str:
    return secrets.token_hex(16)


def watched_tables() -> list[str]:
    """The database tables of WATCHED_MODELS and of their many-to-many links."""
    tables: list[str] = []
    for app_label, model_name in WATCHED_MODELS:
        model = apps.get_model(app_label, model_name)
        tables.append(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            tables.append(through._meta.db_table)
    return tables


def _trigger_name(table: str, operation: str) -> str:
    return f"dataversion_{table}_{operation.lower()}"[:63]


def install_triggers(using: str = DEFAULT_DB_ALIAS) -> None:
    """Create (or replace) the triggers on every watched table that exists; ensure the row."""
    from core.models import DataVersion

    connection = connections[using]
    existing = set(connection.introspection.table_names())
    version_table = DataVersion._meta.db_table
    if version_table not in existing:
        return
    tables = [t for t in watched_tables() if t in existing]
    quote = connection.ops.quote_name
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            replace_trigger = connection.get_database_version() >= (14,)
            cursor.execute(
                f"""
                CREATE OR REPLACE FUNCTION {FUNCTION_NAME}() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE {quote(version_table)} SET token = md5(random()::text
                        || clock_timestamp()::text || txid_current()::text);
                    RETURN NULL;
                END
                $$
                """
            )
            for table in tables:
                for operation in OPERATIONS:
                    name = quote(_trigger_name(table, operation))
                    if replace_trigger:
                        create = "CREATE OR REPLACE TRIGGER"
                    else:
                        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {quote(table)}")
                        create = "CREATE TRIGGER"
                    cursor.execute(
                        f"{create} {name} AFTER {operation} ON {quote(table)} "
                        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION_NAME}()"
                    )
        elif connection.vendor == "sqlite":
            for table in tables:
                for operation in OPERATIONS:
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {quote(_trigger_name(table, operation))} "
                        f"AFTER {operation} ON {quote(table)} FOR EACH ROW BEGIN "
                        f"UPDATE {quote(version_table)} SET token = lower(hex(randomblob(16))); "
                        "END"
                    )
        else:  # pragma: no cover - the project runs on SQLite and PostgreSQL only
            raise NotImplementedError(f"Keine Datenstand-Trigger für {connection.vendor}.")
    current_token(using)


def current_token(using: str = DEFAULT_DB_ALIAS) -> str:
    """The data version: one query; creates the row with a new token if it is missing."""
    from core.models import DataVersion

    manager = DataVersion.objects.db_manager(using)
    token = manager.filter(pk=1).values_list("token", flat=True).first()
    if token is not None:
        return token
    try:
        with transaction.atomic(using=using):
            return manager.get_or_create(pk=1, defaults={"token": new_token()})[0].token
    except IntegrityError:  # created by a concurrent reader in between
        return manager.get(pk=1).token


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class VersionedCache(Generic[K, V]):
    """A per-process LRU of computed values keyed by (key, data version token).

    ``get(key, compute)`` reads the token (one query), returns the entry of (key, token) if
    there is one, else computes it, keeps it and drops the least recently used entry beyond
    ``maxsize``. A value is shared by every caller: treat it as read-only. Thread-safe; two
    threads missing the same key at once may both compute it (the results are equal).
    """

    def __init__(self, maxsize: int = 16) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[tuple[K, str], V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, compute: Callable[[], V], using: str = DEFAULT_DB_ALIAS) -> V:
        full_key = (key, current_token(using))
        with self._lock:
            if full_key in self._entries:
                self._entries.move_to_end(full_key)
                return self._entries[full_key]
        value = compute()
        with self._lock:
            self._entries[full_key] = value
            self._entries.move_to_end(full_key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
