"""What refers to a cost table beyond its rates, so that it is not deleted while in use.

Higher apps keep records that name cost tables without a foreign key (an adopted decision
keeps the ids of the tables its figures came from). Costing may not import them, so they
register a check here (``register_table_usage`` in their ``AppConfig.ready``); the delete
service asks every check and refuses with their German descriptions.
"""

from __future__ import annotations

from collections.abc import Callable

from costing.models import CostTable

#: A check: a German description of what uses the table ("2 festgehaltene …"), or "".
TableUsage = Callable[[CostTable], str]

_checks: list[TableUsage] = []


def register_table_usage(check: TableUsage) -> None:
    """Add a check (once; registering the same function again changes nothing)."""
    if check not in _checks:
        _checks.append(check)


def table_usage(table: CostTable) -> list[str]:
    """What uses `table`, one German description per kind of use; empty if unused."""
    return [found for check in _checks if (found := check(table))]
