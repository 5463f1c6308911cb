"""The version of what is published (OParl, Bürgerinfo): one token for caches and ETags.

The data version (core.dataversion) changes on writes to the data the cost figures depend on;
papers, their steps, committees and meetings are not among them (a paper changes no figure, and
a new token would make every import check and every cached cost summary start again). What
the public sees of them changes with their ``updated_at``, which the services set on every
change of a paper or one of its parts (the paper's ``modified`` in OParl relies on it), of a
step, a committee or a meeting; a deleted row changes the count. So the newest ``updated_at``
and the number of rows of these four tables, with the data version (for the names of Ämter),
say whether anything published may have changed: one query.
"""

from __future__ import annotations

import hashlib

from django.db import connection

from core.models import DataVersion
from decisions.models import Committee, ConsultationStep, Decision, Meeting

PUBLISHED_MODELS = (Decision, ConsultationStep, Committee, Meeting)


def public_version() -> str:
    """A token that changes whenever anything OParl publishes may have changed (one query)."""
    quote = connection.ops.quote_name
    parts = [
        f"(SELECT {quote('token')} FROM {quote(DataVersion._meta.db_table)} WHERE id = 1)",
    ]
    for model in PUBLISHED_MODELS:
        table = quote(model._meta.db_table)
        parts.append(f"(SELECT MAX({quote('updated_at')}) FROM {table})")
        parts.append(f"(SELECT COUNT(*) FROM {table})")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}")
        row = cursor.fetchone()
    return hashlib.sha256(repr(tuple(str(value) for value in row)).encode()).hexdigest()[:32]
