"""What several pages share: the year asked for, and figures or a German message."""

from __future__ import annotations

from django.utils import timezone

from core.parsing import YEAR_MAX, YEAR_MIN
from core.parsing import parse_year as read_year
from costing import selectors
from costing.engine import CostingError, YearSummary
from departments.selectors import OrgTree


def current_year() -> int:
    return timezone.localdate().year


def parse_year(value: str | None) -> tuple[int, str | None]:
    """The year asked for in ``?year=``, or this year with a German message if unusable."""
    if not value:
        return current_year(), None
    text = value.strip()
    year = read_year(text)
    if year is not None:
        return year, None
    return current_year(), (
        f"„{text[:20]}“ ist kein gültiges Jahr (erlaubt {YEAR_MIN} bis {YEAR_MAX}); "
        f"angezeigt wird {current_year()}."
    )


def summary_or_error(year: int) -> tuple[YearSummary | None, str | None]:
    """The figures of a year (cached by data version), or the engine's German message."""
    try:
        return selectors.summary(year), None
    except CostingError as error:
        return None, str(error)


def ancestors_of(tree: OrgTree, unit_id: int) -> list:
    return [tree.units[i] for i in reversed(tree.ancestors_or_self(unit_id))]
