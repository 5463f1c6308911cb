"""Tables of the list pages (django-tables2): positions with and without costs, decisions."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString

from core.formatting import euro, format_decimal, money_places
from costing.engine import YearRates, is_active_in_year
from costing.selectors import ANNUAL_COST, ListSums, with_annual_cost
from decisions.models import Committee, Decision, Meeting
from stellenplan.models import Position
from stellenplan.selectors import LIST_ORDER

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


#: Columns a phone leaves out (static/css/app.css): the position's page shows them.
SECONDARY = {
    "th": {"class": "col-secondary"},
    "td": {"class": "col-secondary"},
    "tf": {"class": "col-secondary"},
}


class PositionTable(tables.Table):
    """Org.einheit | Stellenwert | Funktionsbezeichnung | Anzahl | Vermerk | Beginn | Ende."""

    org_unit = tables.Column(
        verbose_name="Org.einheit",
        order_by=LIST_ORDER,
        footer=lambda table: table.footer_label,
    )
    number = tables.Column(
        verbose_name="Stellennummer", order_by=("number", "id"), default="", attrs=SECONDARY
    )
    pay_grade = tables.Column(
        verbose_name="Stellenwert", order_by=("pay_grade__sort_order", "pay_grade__code", "id")
    )
    title = tables.Column(
        verbose_name="Funktionsbezeichnung",
        order_by=("title", "id"),
        attrs={"td": {"class": "col-title"}, "th": {"class": "col-title"}},
    )
    fte = tables.Column(
        verbose_name="Anzahl der Stellen",
        order_by=("fte", "id"),
        footer=lambda table: format_decimal(table.sums.get("fte") or Decimal("0")),
        attrs={"th": {"class": "num"}, "td": {"class": "num"}, "tf": {"class": "num"}},
    )
    note = tables.Column(
        verbose_name="Stellenvermerk", order_by=("note", "id"), default="", attrs=SECONDARY
    )
    start_date = tables.Column(
        verbose_name="Beginn", order_by=("start_date", "id"), attrs=SECONDARY
    )
    end_date = tables.Column(
        verbose_name="Ende", order_by=("end_date", "id"), default="—", attrs=SECONDARY
    )

    class Meta:
        model = Position
        fields = [
            "org_unit",
            "number",
            "pay_grade",
            "title",
            "fte",
            "note",
            "start_date",
            "end_date",
        ]
        template_name = "common/table.html"
        attrs = {"class": "data-table"}
        empty_text = "Keine Stellen gefunden. Ändern Sie die Filter oder legen Sie eine Stelle an."
        orderable = True

    def __init__(self, *args: Any, sums: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        self.sums = sums or {}
        super().__init__(*args, **kwargs)

    def render_org_unit(self, value, record: Position) -> str:
        return format_html(
            '<a href="{}" title="{}">{}</a>',
            reverse("orgunits:detail", args=[record.org_unit_id]),
            value.name,
            value.code,
        )

    def render_pay_grade(self, value) -> str:
        return value.code

    def render_title(self, value, record: Position) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("positions:detail", args=[record.pk]), value
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

    @cached_property
    def body_rows(self) -> list[SafeString]:
        """The rows of the page as HTML, each cell as django-tables2 renders it (the choice's
        label for a field with choices, the column's default when empty, else
        ``render_<column>`` or the value, escaped), in one pass: django-tables2's per-cell
        lookups and template cost as much as the rest of the page (templates/positions/
        _table.html shows them)."""
        cells = [self._cell_renderer(bound) for bound in self.columns]
        return [
            format_html(
                '<tr class="{}">\n        {}\n      </tr>',
                "odd" if index % 2 else "even",
                format_html_join(
                    "", "<td {}>{}</td>", ((attrs, render(row.record)) for attrs, render in cells)
                ),
            )
            for index, row in enumerate(self.paginated_rows)
        ]

    def _cell_renderer(self, bound: Any) -> tuple[str, Callable[[Any], str]]:
        """The ``td`` attributes of a bound column and a function from a record to its cell."""
        column, default = bound.column, bound.default
        method = getattr(self, f"render_{bound.name}", None)
        wanted = set(inspect.signature(method).parameters) if method else set()
        accessor = str(bound.accessor)
        try:
            field = Position._meta.get_field(accessor)
        except FieldDoesNotExist:
            field = None
        if field is not None and getattr(field, "choices", None):

            def value_of(record: Any) -> Any:
                return getattr(record, f"get_{accessor}_display")()
        else:
            value_of = bound.accessor.resolve

        def render(record: Any) -> str:
            value = value_of(record)
            if value in column.empty_values:
                return conditional_escape(default)
            if method is None:
                return conditional_escape(value)
            arguments = {"value": value, "record": record}
            return conditional_escape(method(**{k: v for k, v in arguments.items() if k in wanted}))

        return bound.attrs["td"].as_html(), render


def cost_sums(costs: ListSums) -> dict[str, Any]:
    """The sum row of a ``PositionCostTable`` from the engine's sums of its positions
    (``costing.selectors.list_sums``); no active line with a rate: "fehlt", never 0."""
    return {
        "lines": costs.lines,
        "fte": costs.fte,
        "annual_cost": (
            None
            if costs.incomplete and len(costs.missing) == costs.active_lines
            else costs.annual_cost
        ),
        "active_fte": costs.active_fte,
        "incomplete": costs.incomplete,
    }


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


NUM = {"th": {"class": "num"}, "td": {"class": "num"}, "tf": {"class": "num"}}


class PositionCostTable(PositionTable):
    """The positions table plus each row's annual cost in the selected year.

    ``rates`` are the engine's rates of the year (``costing.engine.year_rates``, cached by data
    version); each row's cost is the engine's, for the rows of the page only.
    ``sums["annual_cost"]`` is the total of the whole filtered set.
    """

    annual_cost = tables.Column(
        verbose_name="Jahreskosten",
        accessor="pk",
        orderable=True,
        attrs=NUM,
        footer=lambda table: table.annual_cost_footer,
    )

    class Meta(PositionTable.Meta):
        # django-tables2 reads only the Meta defined on the class itself
        template_name = "positions/_table.html"  # the rows from body_rows

    def __init__(
        self,
        *args: Any,
        rates: YearRates | None = None,
        year: int,
        **kwargs: Any,
    ) -> None:
        self.rates = rates
        self.year = year
        super().__init__(*args, **kwargs)
        self.columns["annual_cost"].column.verbose_name = f"Jahreskosten {year}"

    def order_annual_cost(self, queryset, is_descending: bool):
        """Sorted in the database by the annotation ``costing.selectors.with_annual_cost``
        (lines not active in the year or without a rate last, either way)."""
        if self.rates is None:
            return queryset.order_by("id"), True
        cost = F(ANNUAL_COST)
        return (
            with_annual_cost(queryset, self.rates).order_by(
                cost.desc(nulls_last=True) if is_descending else cost.asc(nulls_last=True),
                "org_unit__code",
                "id",
            ),
            True,
        )

    def row_cost(self, record) -> Decimal | None:
        """The engine's annual cost of a row in the year (None: not active or no rate)."""
        if self.rates is None or not is_active_in_year(
            record.start_date, record.end_date, self.year
        ):
            return None
        return self.rates.annual_cost_of(record.pay_grade_id, record.fte)

    @cached_property
    def cost_places(self) -> int:
        """Cents in the whole column (the rows of the page and the sum) or nowhere."""
        page = getattr(self, "page", None)
        rows = page.object_list if page is not None else self.data
        total = self.sums.get("annual_cost")
        costs = [self.row_cost(row.record if hasattr(row, "record") else row) for row in rows]
        return money_places([*costs, total if isinstance(total, Decimal) else None])

    def render_annual_cost(self, record) -> str:
        """The engine's line cost from the rates of the year (no query per row)."""
        if self.rates is None:
            return "—"
        if not is_active_in_year(record.start_date, record.end_date, self.year):
            return f"nicht aktiv {self.year}"
        cost = self.rates.annual_cost_of(record.pay_grade_id, record.fte)
        if cost is None:
            return format_html(
                '<span class="missing" title="{}">fehlt</span>',
                f"Kein Kostensatz für „{record.pay_grade}“ in der Kostentabelle "
                f"„{self.rates.table.name}“",
            )
        return euro(cost, places=self.cost_places)

    @property
    def annual_cost_footer(self) -> str:
        total = self.sums.get("annual_cost")
        if self.sums.get("incomplete"):
            if not isinstance(total, Decimal):
                return "fehlt (kein Kostensatz)"
            return f"{euro(total, places=self.cost_places)} (unvollständig)"
        return euro(total, places=self.cost_places) if isinstance(total, Decimal) else "—"


class DecisionTable(tables.Table):
    number = tables.Column(verbose_name="GRDrs", empty_values=())
    date = tables.DateColumn(verbose_name="Datum", format="d.m.Y")
    title = tables.Column(verbose_name="Betreff")
    kind = tables.Column(verbose_name="Art")
    status = tables.Column(verbose_name="Status")
    position_count = tables.Column(
        verbose_name="Stellen", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )

    class Meta:
        model = Decision
        fields = ["number", "date", "title", "kind", "status", "position_count"]
        order_by = ["-date"]
        empty_text = "Keine Beschlussvorlagen gefunden."
        template_name = "decisions/table.html"

    def render_number(self, value: str) -> str:
        return value or "–"

    def render_title(self, value: str, record: Decision) -> str:
        url = reverse("decisions:detail", args=[record.pk])
        project = (
            format_html('<br><span class="muted">{}</span>', record.project)
            if record.project
            else ""
        )
        return format_html('<a href="{}">{}</a>{}', url, value, project)


NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class CommitteeTable(tables.Table):
    name = tables.Column(verbose_name="Gremium")
    short_name = tables.Column(verbose_name="Kurzname")
    classification = tables.Column(verbose_name="Art")
    active = tables.BooleanColumn(verbose_name="aktiv", yesno="ja,nein")
    meeting_count = tables.Column(verbose_name="Sitzungen", attrs=NUM)
    step_count = tables.Column(verbose_name="Beratungsschritte", attrs=NUM)
    actions = tables.Column(verbose_name="Aktionen", empty_values=(), orderable=False)

    class Meta:
        model = Committee
        fields = ["name", "short_name", "classification", "active"]
        empty_text = "Noch keine Gremien."
        template_name = "decisions/table.html"

    def __init__(self, *args: Any, can_change: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_change:
            self.columns.hide("actions")

    def render_name(self, value: str, record: Committee) -> str:
        url = reverse("council:meeting_list") + f"?gremium={record.pk}"
        return format_html('<a href="{}">{}</a>', url, value)

    def render_actions(self, record: Committee) -> str:
        url = reverse("council:committee_update", args=[record.pk])
        return format_html(
            '<a href="{}">Bearbeiten<span class="visually-hidden"> {}</span></a>', url, record.name
        )


class MeetingTable(tables.Table):
    start = tables.DateTimeColumn(verbose_name="Sitzung", format="d.m.Y, H:i \\U\\h\\r")
    committee = tables.Column(verbose_name="Gremium", order_by=("committee__name", "start"))
    location = tables.Column(verbose_name="Ort")
    item_count = tables.Column(verbose_name="Tagesordnungspunkte", attrs=NUM)
    open_count = tables.Column(verbose_name="ohne Ergebnis", attrs=NUM)

    class Meta:
        model = Meeting
        fields = ["start", "committee", "location"]
        empty_text = "Keine Sitzungen."
        template_name = "decisions/table.html"

    def render_start(self, value: Any, record: Meeting) -> str:
        url = reverse("council:meeting_detail", args=[record.pk])
        label = timezone.localtime(value).strftime("%d.%m.%Y, %H:%M Uhr")
        cancelled = format_html(' <span class="badge">abgesagt</span>') if record.cancelled else ""
        return format_html('<a href="{}">{}</a>{}', url, label, cancelled)
