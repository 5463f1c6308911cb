"""Reads of the staffing plan."""

from datetime import date

from django.db.models import Q, QuerySet

from stellenplan.models import Position


def active_in_year(positions: QuerySet[Position], year: int) -> QuerySet[Position]:
    """Positions active on the first day of at least one month of `year`."""
    return positions.filter(start_date__lte=date(year, 12, 1)).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=date(year, 1, 1))
    )
