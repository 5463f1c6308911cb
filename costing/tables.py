"""Tables with costs: the positions list with its Jahreskosten column and sum row."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import django_tables2 as tables

from costing.services import CostLine
from stellenplan.tables import PositionTable
from stellenplan.templatetags.de_format import euro_text

NUM = {"th": {"class": "num"}, "td": {"class": "num"}, "tf": {"class": "num"}}


class PositionCostTable(PositionTable):
    """The positions table plus each row's annual cost in the selected year (from the engine).

    ``costs`` maps position ids to the engine's cost lines of the year; positions not active in
    that year have no line. ``sums["annual_cost"]`` is the engine's total of the filtered set.
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
        costs: Mapping[int, CostLine] | None = None,
        year: int,
        **kwargs: Any,
    ) -> None:
        self.costs = costs
        self.year = year
        super().__init__(*args, **kwargs)
        self.columns["annual_cost"].column.verbose_name = f"Jahreskosten {year}"

    def render_annual_cost(self, record) -> str:
        if self.costs is None:
            return "—"
        line = self.costs.get(record.pk)
        return euro_text(line.annual_cost) if line else f"nicht aktiv {self.year}"

    @property
    def annual_cost_footer(self) -> str:
        total = self.sums.get("annual_cost")
        return euro_text(total) if isinstance(total, Decimal) else "—"
