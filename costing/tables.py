"""Tables with costs: the positions list with its Jahreskosten column and sum row."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import django_tables2 as tables

from costing.engine import annual_cost
from stellenplan.tables import PositionTable
from stellenplan.templatetags.de_format import euro_text

NUM = {"th": {"class": "num"}, "td": {"class": "num"}, "tf": {"class": "num"}}


class PositionCostTable(PositionTable):
    """The positions table plus each row's annual cost in the selected year.

    ``rates`` are the full-time rates of the year's cost table (grade id -> rate); each row's
    cost is the engine's ``annual_cost(fte, rate)``. ``sums["annual_cost"]`` is the total of
    the whole filtered set.
    """

    annual_cost = tables.Column(
        verbose_name="Jahreskosten",
        accessor="pk",
        orderable=False,
        attrs=NUM,
        footer=lambda table: table.annual_cost_footer,
    )

    class Meta(PositionTable.Meta):
        pass  # django-tables2 reads only the Meta defined on the class itself

    def __init__(
        self,
        *args: Any,
        rates: Mapping[int, Decimal] | None = None,
        year: int,
        **kwargs: Any,
    ) -> None:
        self.rates = rates
        self.year = year
        super().__init__(*args, **kwargs)
        self.columns["annual_cost"].column.verbose_name = f"Jahreskosten {year}"

    def render_annual_cost(self, record) -> str:
        """The engine's line cost from the rates of the year's table (no query per row);
        the rows carry ``in_year`` (see costing.views.with_in_year)."""
        if self.rates is None:
            return "—"
        if not record.in_year:
            return f"nicht aktiv {self.year}"
        rate = self.rates.get(record.pay_grade_id)
        return euro_text(annual_cost(record.fte, rate)) if rate is not None else "—"

    @property
    def annual_cost_footer(self) -> str:
        total = self.sums.get("annual_cost")
        return euro_text(total) if isinstance(total, Decimal) else "—"
