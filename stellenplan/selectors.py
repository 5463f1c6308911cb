"""Reads of the staffing plan."""

from __future__ import annotations

from datetime import date

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from departments.selectors import OrgTree, org_tree
from stellenplan.models import Position

#: ``search_rank`` of a position whose org unit (or a unit above it) matches every word.
RANK_UNIT = 0
#: ``search_rank`` of a position found by its own fields (title, number, grade, tasks …).
RANK_TEXT = 1


def active_in_year(positions: QuerySet[Position], year: int) -> QuerySet[Position]:
    """Positions active on the first day of at least one month of `year`."""
    return positions.filter(start_date__lte=date(year, 12, 1)).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=date(year, 1, 1))
    )


def units_matching(word: str, tree: OrgTree) -> set[int]:
    """The org units whose code or name contains `word` (ignoring case), and every unit
    below them. Read from the tree in memory (some hundred units, no query)."""
    wanted = word.casefold()
    matching = [
        unit.id
        for unit in tree.units.values()
        if wanted in unit.code.casefold() or wanted in unit.name.casefold()
    ]
    return tree.descendants_or_self(matching)


def search_positions(
    positions: QuerySet[Position], text: str, tree: OrgTree | None = None
) -> QuerySet[Position]:
    """The positions that match every word of `text`, annotated with ``search_rank`` and
    ordered by it (then by org unit code and id).

    A word matches a position by its own fields (title, Stellennummer, heading and text of
    the tasks, grade as written) or by its org unit: the unit's code and name and those of
    every unit above it ("Jobcenter" finds the positions of 29-1 below "29 Jobcenter").
    ``search_rank`` is ``RANK_UNIT`` where the org units match every word (the positions of a
    matching unit come first), else ``RANK_TEXT``. The whole text is also tried as a grade
    ("A 13 hD"). The units that match are found in the tree (``tree``, read if not given;
    no query per word); the positions are filtered and ranked in the database (one query,
    ``Case``/``When`` on the org unit ids).
    """
    words = text.split()
    if not words:
        return positions
    tree = tree if tree is not None else org_tree()
    unit_sets = [units_matching(word, tree) for word in words]
    matches = Q()
    for word, units in zip(words, unit_sets, strict=True):
        matches &= (
            Q(title__icontains=word)
            | Q(number__icontains=word)
            | Q(task_heading__icontains=word)
            | Q(tasks__icontains=word)
            | Q(pay_grade__code__iexact=word)
            | Q(org_unit_id__in=units)
        )
    all_units = set.intersection(*unit_sets)
    phrase = " ".join(words)
    rank = Case(
        When(org_unit_id__in=all_units, then=Value(RANK_UNIT)),
        default=Value(RANK_TEXT),
        output_field=IntegerField(),
    )
    return (
        positions.filter(matches | Q(pay_grade__code__iexact=phrase))
        .annotate(search_rank=rank)
        .order_by("search_rank", "org_unit__code", "id")
    )
