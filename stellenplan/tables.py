"""The positions table (django-tables2) and its pagination.

The costing app extends ``PositionTable`` with the Jahreskosten column; the pagination here
takes the number of rows from the sum query the page runs anyway, so no COUNT(*) is added.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import django_tables2 as tables
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from departments.services import format_decimal
from stellenplan.models import Position

PER_PAGE_CHOICES = (25, 50, 100, 200)
DEFAULT_PER_PAGE = 50


class CountedPaginator(Paginator):
    """A paginator told the number of rows (already known from the page's sum query)."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


class PositionTable(tables.Table):
    """Org.einheit | Stellenwert | Funktionsbezeichnung | Anzahl | Vermerk | Beginn | Ende."""

    org_unit = tables.Column(
        verbose_name="Org.einheit",
        order_by=("org_unit__code", "id"),
        footer=lambda table: table.footer_label,
    )
    pay_grade = tables.Column(
        verbose_name="Stellenwert", order_by=("pay_grade__sort_order", "pay_grade__code", "id")
    )
    title = tables.Column(verbose_name="Funktionsbezeichnung", order_by=("title", "id"))
    fte = tables.Column(
        verbose_name="Anzahl der Stellen",
        order_by=("fte", "id"),
        footer=lambda table: format_decimal(table.sums.get("fte") or Decimal("0")),
        attrs={"th": {"class": "num"}, "td": {"class": "num"}, "tf": {"class": "num"}},
    )
    note = tables.Column(verbose_name="Stellenvermerk", order_by=("note", "id"), default="")
    start_date = tables.Column(verbose_name="Beginn", order_by=("start_date", "id"))
    end_date = tables.Column(verbose_name="Ende", order_by=("end_date", "id"), default="—")

    class Meta:
        model = Position
        fields = ["org_unit", "pay_grade", "title", "fte", "note", "start_date", "end_date"]
        template_name = "stellenplan/table.html"
        attrs = {"class": "data-table"}
        empty_text = "Keine Stellen gefunden. Ändern Sie die Filter oder legen Sie eine Stelle an."
        orderable = True

    def __init__(self, *args: Any, sums: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        self.sums = sums or {}
        super().__init__(*args, **kwargs)

    def render_org_unit(self, value, record: Position) -> str:
        return format_html(
            '<a href="{}" title="{}">{}</a>',
            reverse("costing:orgunit_detail", args=[record.org_unit_id]),
            value.name,
            value.code,
        )

    def render_pay_grade(self, value) -> str:
        return value.code

    def render_title(self, value, record: Position) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("costing:position_detail", args=[record.pk]), value
        )

    def render_fte(self, value: Decimal) -> str:
        return format_decimal(value)

    def render_note(self, value: str) -> str:
        return value or ""

    def render_start_date(self, value) -> str:
        return value.strftime("%d.%m.%Y")

    def render_end_date(self, value) -> str:
        return value.strftime("%d.%m.%Y")

    @property
    def footer_label(self) -> str:
        lines = self.sums.get("lines", 0)
        return f"Summe ({lines} {'Zeile' if lines == 1 else 'Zeilen'})"


def paginate(
    request: HttpRequest, table: tables.Table, *, count: int, per_page: int | None = None
) -> tables.Table:
    """Sort by ``?sort=`` and paginate by ``?page=`` / ``?per_page=`` (25–200 rows)."""
    tables.RequestConfig(request, paginate=False).configure(table)
    if per_page is None:
        try:
            per_page = int(request.GET.get(table.prefixed_per_page_field, DEFAULT_PER_PAGE))
        except ValueError:
            per_page = DEFAULT_PER_PAGE
        if per_page not in PER_PAGE_CHOICES:
            per_page = DEFAULT_PER_PAGE
    try:
        page = int(request.GET.get(table.prefixed_page_field, 1))
    except ValueError:
        page = 1
    last = max(1, -(-count // per_page))
    table.paginate(
        paginator_class=CountedPaginator,
        per_page=per_page,
        page=min(max(page, 1), last),
        count=count,
    )
    table.per_page_choices = PER_PAGE_CHOICES
    table.current_per_page = per_page
    return table
