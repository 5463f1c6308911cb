"""Reads of the staffing plan."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When

from core.dataversion import VersionedCache
from departments.selectors import OrgTree, org_tree
from stellenplan.models import Position

#: ``search_rank`` of a position whose org unit (or a unit above it) matches every word.
RANK_UNIT = 0
#: ``search_rank`` of a position found by its own fields (title, number, grade, tasks …).
RANK_TEXT = 1


#: The order of a list of positions: by org unit code, then id. The unit's id between the two
#: changes nothing (codes are unique) but lets the database read a page in this order along
#: its indexes (units by code, each unit's positions by org unit and id) and stop after the
#: page, instead of sorting every line.
LIST_ORDER = ("org_unit__code", "org_unit_id", "id")


def positions_for_list() -> QuerySet[Position]:
    """All positions with their org unit and grade (one query per page), in ``LIST_ORDER``."""
    return Position.objects.select_related("org_unit", "pay_grade").order_by(*LIST_ORDER)


_LINE_SUMS_CACHE: VersionedCache[Hashable, tuple[int, Decimal]] = VersionedCache(maxsize=64)


def line_sums(positions: QuerySet[Position], *, key: Hashable = None) -> dict:
    """Number of lines and Stellen of a set of positions (``{"lines": …, "fte": …}``, a new
    dict each call), in one query; with `key` (naming the set, equal for equal sets) kept per
    process by the data version and read again without touching the lines.

    SQLite sums decimals as floating point: the sum is brought back to the field's two places.
    """

    def compute() -> tuple[int, Decimal]:
        sums = positions.order_by().aggregate(lines=Count("id"), fte=Sum("fte"))
        fte = (sums["fte"] or Decimal(0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return sums["lines"], fte

    lines, fte = compute() if key is None else _LINE_SUMS_CACHE.get(key, compute)
    return {"lines": lines, "fte": fte}


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


def units_matching_all(text: str, tree: OrgTree) -> set[int]:
    """The org units that match every word of `text` (by their own code or name or that of a
    unit above them): the units whose positions ``search_positions`` ranks ``RANK_UNIT``."""
    words = text.split()
    if not words:
        return set()
    return set.intersection(*(units_matching(word, tree) for word in words))


def matching_unit_roots(text: str, tree: OrgTree) -> list[int]:
    """The topmost of ``units_matching_all``: those whose parent does not match (for
    "Jobcenter" the unit 29, not 29-1 below it), ordered by code."""
    found = units_matching_all(text, tree)
    roots = [unit for unit in found if tree.units[unit].parent_id not in found]
    return sorted(roots, key=lambda unit: tree.units[unit].code)


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
