"""The Personalbedarfsberechnung: plain typed functions, Decimal throughout.

Three methods (DOMAIN.md §2, BMI Organisationshandbuch 2.4.3.5.4):

- analytic: Fallzahl × mittlere Bearbeitungszeit (minutes) × (1 + Verteilzeitzuschlag)
  ÷ Jahresarbeitszeit of one full-time worker (minutes);
- ratio: Fallzahl ÷ Betreuungsschlüssel (e.g. § 44c (4) SGB II 1 : 150);
- proportional (Kennzahl): existing positions × new cases ÷ existing cases.

A fourth kind of line records a share a paper states without any derivation (the Beitreibung
of GRDrs 647/2011), so that the table shows it and the consistency check can name it.

Verteilzeit has ONE mode here: a supplement on the processing time (``VERTEILZEIT_MODE``).
A supplement of z on the time is the same as z ÷ (1 + z) less available time (+10 % on the
time = 1/11 ≈ 9,09 % off the Jahresarbeitszeit); ``available_time_reduction`` gives that
share, and the tests prove both ways give the same result.

Bad input raises ``NeedError`` with a German message; ``calculate`` turns it into the
result's ``error`` so that no page, PDF or check fails on it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from core.formatting import date_de, format_decimal, number
from stellenplan.models import NeedCalculation, NeedLine, PayGrade, Position, WorkingTime

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MINUTES_PER_HOUR = Decimal(60)
VERTEILZEIT_MODE = "Verteilzeit als Zuschlag auf die Bearbeitungszeit"


class NeedError(ValueError):
    """Input the calculation cannot use; the message is German and names field and value."""


def round_fte(value: Decimal) -> Decimal:
    """Stellen with two decimals, rounded half-up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _num(value: Decimal) -> str:
    """A figure as the paper writes it: 662 · 1.590 · 3,5 · 0,55."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return number(value, 0)
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 2
    return number(value, max(1, places))


def _positive(value: Decimal | None, label: str) -> Decimal:
    if value is None:
        raise NeedError(f"{label} fehlt.")
    if value <= 0:
        raise NeedError(f"{label} muss größer als 0 sein (eingegeben: {_num(value)}).")
    return value


def _not_negative(value: Decimal | None, label: str) -> Decimal:
    if value is None:
        raise NeedError(f"{label} fehlt.")
    if value < 0:
        raise NeedError(f"{label} darf nicht negativ sein (eingegeben: {_num(value)}).")
    return value


def available_time_reduction(supplement: Decimal) -> Decimal:
    """The share of the available time that a supplement on the processing time amounts to:
    z ÷ (1 + z), e.g. 0,10 → 1/11 ≈ 0,0909."""
    _not_negative(supplement, "Der Verteilzeitzuschlag")
    return supplement / (1 + supplement)


def analytic_need(
    cases: Decimal, minutes: Decimal, annual_minutes: Decimal, supplement: Decimal = Decimal(0)
) -> Decimal:
    """Stellen (unrounded) = cases × minutes × (1 + supplement) ÷ annual_minutes."""
    _not_negative(cases, "Die Fallzahl")
    _positive(minutes, "Die mittlere Bearbeitungszeit (Minuten)")
    _positive(annual_minutes, "Die Jahresarbeitszeit (Minuten)")
    _not_negative(supplement, "Der Verteilzeitzuschlag")
    return cases * minutes * (1 + supplement) / annual_minutes


def ratio_need(cases: Decimal, ratio: Decimal) -> Decimal:
    """Stellen (unrounded) = cases ÷ Betreuungsschlüssel (cases per position)."""
    _not_negative(cases, "Die Fallzahl")
    _positive(ratio, "Der Betreuungsschlüssel")
    return cases / ratio


def proportional_need(
    existing_fte: Decimal, new_cases: Decimal, existing_cases: Decimal
) -> Decimal:
    """Stellen (unrounded) = existing positions × new cases ÷ existing cases."""
    _positive(existing_fte, "Die vorhandenen Stellen")
    _not_negative(new_cases, "Die neue Fallzahl")
    _positive(existing_cases, "Die bisherige Fallzahl")
    return existing_fte * new_cases / existing_cases


def working_time_for(
    status_group: str, weekly_hours: Decimal | None, on: datetime.date | None
) -> WorkingTime:
    """The Jahresarbeitszeit valid on `on` for the status group and weekly hours."""
    if not status_group:
        raise NeedError("Für die analytische Methode fehlt die Statusgruppe der Berechnung.")
    if weekly_hours is None:
        raise NeedError("Für die analytische Methode fehlt die Wochenarbeitszeit der Berechnung.")
    if weekly_hours <= 0:
        raise NeedError(
            f"Die Wochenarbeitszeit muss größer als 0 sein (eingegeben: {_num(weekly_hours)})."
        )
    if on is None:
        raise NeedError("Für die analytische Methode fehlt der Stichtag der Jahresarbeitszeit.")
    found = (
        WorkingTime.objects.filter(
            status_group=status_group, weekly_hours=weekly_hours, valid_from__lte=on
        )
        .order_by("-valid_from")
        .first()
    )
    if found is None:
        label = str(PayGrade.StatusGroup(status_group).label)
        raise NeedError(
            f"Für {label} mit {_num(weekly_hours)} Wochenstunden ist zum {date_de(on)} keine "
            "Jahresarbeitszeit hinterlegt (Personalamt: Jahresarbeitszeiten)."
        )
    if found.annual_hours <= 0:
        raise NeedError(
            f"Die Jahresarbeitszeit ({_num(found.annual_hours)} Stunden) muss größer als 0 sein."
        )
    return found


@dataclass(frozen=True)
class LineResult:
    """One task line: its inputs as text and its result in Stellen (two decimals)."""

    order: int
    task: str
    method: str
    method_label: str
    inputs: str
    fte_low: Decimal
    fte_high: Decimal
    source: str
    remarks: str

    @property
    def is_range(self) -> bool:
        return self.fte_low != self.fte_high


@dataclass(frozen=True)
class NeedResult:
    """A calculation next to the positions it is for; `error` instead of figures on bad input."""

    id: int
    title: str
    positions: list[str]
    requested_fte: Decimal
    fte_low: Decimal | None
    fte_high: Decimal | None
    working_time: str
    verteilzeit: str
    source: str
    remarks: str
    error: str = ""
    lines: list[LineResult] = field(default_factory=list)

    @property
    def is_range(self) -> bool:
        return self.fte_low != self.fte_high

    @property
    def derived(self) -> bool:
        """False if a line only states a share without deriving it."""
        return all(line.method != NeedLine.Method.STATED for line in self.lines)


def _line_values(
    line: NeedLine, annual_minutes: Decimal | None, supplement: Decimal
) -> tuple[Decimal, Decimal, str]:
    method = line.method
    if method == NeedLine.Method.ANALYTIC:
        if annual_minutes is None:  # pragma: no cover - calculate() looks it up first
            raise NeedError("Die Jahresarbeitszeit fehlt.")
        cases = _not_negative(line.cases, f"Die Fallzahl der Zeile „{line.task}“")
        low_minutes = _positive(line.minutes_min, f"Die Bearbeitungszeit der Zeile „{line.task}“")
        high_minutes = line.minutes_max if line.minutes_max is not None else low_minutes
        if high_minutes < low_minutes:
            raise NeedError(
                f"Die Bearbeitungszeit „bis“ ({_num(high_minutes)} Minuten) der Zeile "
                f"„{line.task}“ ist kleiner als „von“ ({_num(low_minutes)} Minuten)."
            )
        factor = supplement if line.add_distribution_time else Decimal(0)
        low = analytic_need(cases, low_minutes, annual_minutes, factor)
        high = analytic_need(cases, high_minutes, annual_minutes, factor)
        minutes = (
            f"{_num(low_minutes)}–{_num(high_minutes)}"
            if high_minutes != low_minutes
            else _num(low_minutes)
        )
        extra = f" × (1 + {_num(factor * HUNDRED)} % Verteilzeit)" if factor else ""
        text = f"{_num(cases)} Fälle × {minutes} min{extra} ÷ {_num(annual_minutes)} min"
        return low, high, text
    if method == NeedLine.Method.RATIO:
        cases = _not_negative(line.cases, f"Die Fallzahl der Zeile „{line.task}“")
        ratio = _positive(line.ratio, f"Der Betreuungsschlüssel der Zeile „{line.task}“")
        value = ratio_need(cases, ratio)
        return value, value, f"{_num(cases)} Fälle ÷ Schlüssel 1 : {_num(ratio)}"
    if method == NeedLine.Method.PROPORTIONAL:
        existing = _positive(line.existing_fte, f"Die vorhandenen Stellen der Zeile „{line.task}“")
        cases = _not_negative(line.cases, f"Die neue Fallzahl der Zeile „{line.task}“")
        base = _positive(line.existing_cases, f"Die bisherige Fallzahl der Zeile „{line.task}“")
        value = proportional_need(existing, cases, base)
        return value, value, f"{_num(existing)} Stellen × {_num(cases)} ÷ {_num(base)} Fälle"
    if method == NeedLine.Method.STATED:
        stated = _positive(line.stated_fte, f"Die angegebenen Stellen der Zeile „{line.task}“")
        return stated, stated, f"{_num(stated)} Stellen angegeben, ohne Fallzahl und Zeiten"
    raise NeedError(f"Unbekannte Methode „{method}“ in der Zeile „{line.task}“.")


def _position_label(position: Position) -> str:
    return (
        f"{position.org_unit.code} {position.pay_grade.code} {position.title} "
        f"({format_decimal(position.fte)})"
    )


def calculate(calculation: NeedCalculation) -> NeedResult:
    """The result of a calculation (lines and positions prefetched where many are read)."""
    positions = sorted(calculation.positions.all(), key=lambda p: (p.org_unit.code, p.pk or 0))
    lines = sorted(calculation.lines.all(), key=lambda ln: (ln.order, ln.pk or 0))
    requested = sum((p.fte for p in positions), Decimal("0.00"))
    base = NeedResult(
        id=calculation.pk,
        title=calculation.title,
        positions=[_position_label(p) for p in positions],
        requested_fte=round_fte(requested),
        fte_low=None,
        fte_high=None,
        working_time="",
        verteilzeit="",
        source=calculation.source,
        remarks=calculation.remarks,
    )
    working_time = ""
    verteilzeit = ""
    annual_minutes: Decimal | None = None
    supplement = Decimal(0)
    try:
        if any(line.method == NeedLine.Method.ANALYTIC for line in lines):
            parameter = working_time_for(
                calculation.status_group, calculation.weekly_hours, calculation.parameter_date
            )
            annual_minutes = parameter.annual_hours * MINUTES_PER_HOUR
            supplement = parameter.distribution_percent / HUNDRED
            working_time = (
                f"{parameter.get_status_group_display()}, {_num(parameter.weekly_hours)} h/Woche: "
                f"{_num(parameter.annual_hours)} h = {_num(annual_minutes)} min "
                f"(gültig ab {date_de(parameter.valid_from)}; Quelle: {parameter.source})"
            )
            verteilzeit = (
                f"{VERTEILZEIT_MODE}: {_num(parameter.distribution_percent)} % "
                f"(entspricht {number(available_time_reduction(supplement) * HUNDRED, 2)} % "
                "weniger Jahresarbeitszeit), nur bei Zeiten ohne Verteilzeit"
            )
        results: list[LineResult] = []
        low_total = high_total = Decimal(0)
        for line in lines:
            low, high, text = _line_values(line, annual_minutes, supplement)
            low_total += low
            high_total += high
            results.append(
                LineResult(
                    order=line.order,
                    task=line.task,
                    method=line.method,
                    method_label=str(NeedLine.Method(line.method).label),
                    inputs=text,
                    fte_low=round_fte(low),
                    fte_high=round_fte(high),
                    source=line.source,
                    remarks=line.remarks,
                )
            )
    except NeedError as error:
        return replace(base, working_time=working_time, verteilzeit=verteilzeit, error=str(error))
    if not results:
        return replace(
            base,
            working_time=working_time,
            verteilzeit=verteilzeit,
            error="Die Berechnung hat noch keine Zeile.",
        )
    return replace(
        base,
        fte_low=round_fte(low_total),
        fte_high=round_fte(high_total),
        working_time=working_time,
        verteilzeit=verteilzeit,
        lines=results,
    )


def calculations_for(positions: Iterable[Position]) -> list[NeedResult]:
    """The results of every calculation attached to any of `positions`, in the order of the
    first of its positions there (e.g. the Anlage order of a decision)."""
    index: dict[int, int] = {}
    for place, position in enumerate(positions):
        index.setdefault(position.pk, place)
    calculations = (
        NeedCalculation.objects.filter(positions__in=list(index))
        .distinct()
        .prefetch_related("lines", "positions__org_unit", "positions__pay_grade")
        .order_by("title", "id")
    )

    def first(calculation: NeedCalculation) -> int:
        return min(index.get(p.pk, len(index)) for p in calculation.positions.all())

    return [calculate(c) for c in sorted(calculations, key=first)]
