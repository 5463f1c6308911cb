"""German display of numbers, money, shares, percentages and dates: the one place for it.

Locale-independent on purpose: a Beschlussvorlage or a Stellenplan is a German document
whatever language the process runs in (management command, tests). Digits are grouped with
Django's ``django.utils.numberformat``; rounding for display is half-up (``ROUND_HALF_UP``)
before formatting, because numberformat cuts decimals instead of rounding them.

    number(Decimal("1128560"), 0)  -> "1.128.560"
    format_decimal(Decimal("0.50")) -> "0,5"      (at least one decimal, no needless zeros)
    money(Decimal("31500.00"))     -> "31.500"   (cents only where there are cents)
    money(Decimal("31500"), 2)     -> "31.500,00" (a column with cents: money_places)
    euro(Decimal("1128560"))       -> "1.128.560 €" (no-break space before the sign)
    percent(Decimal("0.848"))      -> "84,8 %"
    date_de(date(2011, 10, 1))     -> "01.10.2011"
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.utils import numberformat, timezone

NBSP = "\u00a0"
DASH = "—"


def number(value: Decimal | int, places: int) -> str:
    """A number with German separators and exactly `places` decimals (rounded half-up)."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return numberformat.format(
        rounded,
        decimal_sep=",",
        decimal_pos=places,
        grouping=3,
        thousand_sep=".",
        force_grouping=True,
    )


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(1, -exponent) if isinstance(exponent, int) else 1


def format_decimal(value: Decimal | int) -> str:
    """A share or count without needless zeros, at least one decimal: 0,5 · 1,0 · 12,1411."""
    value = Decimal(value)
    return number(value, _places(value))


#: The minus of a signed figure ("−0,5"), as in typeset tables (not the hyphen "-").
MINUS = "\u2212"


def signed_decimal(value: Decimal | int) -> str:
    """A change of Stellen with its sign, as the Stellenplan shows it: "+2,1", "−0,5", "0,0"
    (Excel: core.xlsx.STELLEN_CHANGE_FORMAT displays the same)."""
    value = Decimal(value)
    sign = "+" if value > 0 else MINUS if value < 0 else ""
    return sign + format_decimal(abs(value))


def has_cents(value: Decimal | int) -> bool:
    value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return value != value.to_integral_value()


def money(value: Decimal | int, places: int | None = None) -> str:
    """Whole euros without decimals ("31.500"), otherwise with cents ("31.500,50"); with
    `places` (0 or 2, see ``money_places``) always so many."""
    value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if places is None:
        places = 2 if has_cents(value) else 0
    return number(value, places)


def money_places(values: Iterable[Decimal | int | None]) -> int:
    """The decimals of a column of amounts: 0 when every amount is whole euros, else 2, so
    that a column shows cents everywhere or nowhere ("31.500,00" under "10.362,50", never
    "31.500" under it). Empty cells (None) do not count."""
    return 2 if any(has_cents(v) for v in values if v is not None and v != "") else 0


def euro(value: Decimal | int | None, space: str = NBSP, places: int | None = None) -> str:
    if value is None or value == "":
        return DASH
    return f"{money(value, places)}{space}€"


def percent(rate: Decimal | None, space: str = NBSP) -> str:
    """A rate given as a fraction (0.848) as a German percentage: "84,8 %"."""
    if rate is None or rate == "":
        return DASH
    return f"{format_decimal(Decimal(rate) * 100).removesuffix(',0')}{space}%"


def change(value: Decimal | None, space: str = NBSP) -> str:
    """A change given in percent (3.5) with its sign: "+3,5 %", "−2 %", "±0 %"."""
    if value is None or value == "":
        return DASH
    value = Decimal(value)
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{format_decimal(abs(value)).removesuffix(',0')}{space}%"


def positions_word(value: Decimal) -> str:
    """ "Stelle" for exactly one, "Stellen" otherwise ("0,5 Stellen", "1,0 Stelle")."""
    return "Stelle" if Decimal(value) == 1 else "Stellen"


def counted(count: int, singular: str, plural: str) -> str:
    """ "1 Betrag", "2 Beträge": the number with the noun (or verb) in the right number."""
    return f"{count} {singular if count == 1 else plural}"


def date_de(value: datetime.date | None) -> str:
    if not value:
        return DASH
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    return value.strftime("%d.%m.%Y")


def display_value(
    model_field: models.Field, value: Any, labels: Mapping[Any, str] | None = None
) -> str:
    """A field value as a person reads it (German dates and numbers, choice labels)."""
    if value is None or value == "":
        if model_field.choices and value == "":
            return str(dict(model_field.flatchoices).get("", DASH))
        return DASH
    if model_field.is_relation:
        key = value.pk if isinstance(value, models.Model) else value
        if labels is not None and key in labels:
            return labels[key]
        return str(value) if isinstance(value, models.Model) else f"Nr. {key} (gelöscht)"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, datetime.date):
        return date_de(value)
    if isinstance(value, Decimal):
        if is_amount_field(model_field):
            return money(value)
        return format_decimal(value)
    return str(value)


def is_amount_field(model_field: models.Field) -> bool:
    """Wide fields with cents (money, case counts, minutes: ``max_digits`` ≥ 9, two decimals)
    read as amounts: "63.000", "63.000,50"; narrow ones (shares, hours) as "0,5", "1,0"."""
    return (
        isinstance(model_field, models.DecimalField)
        and model_field.decimal_places == 2
        and (model_field.max_digits or 0) >= 9
    )


def duration_de(value: datetime.timedelta) -> str:
    """A rough duration, as an estimate reads: „etwa 40 Sekunden“, „etwa 3 Minuten“."""
    seconds = max(int(value.total_seconds()), 0)
    if seconds < 10:
        return "wenige Sekunden"
    if seconds < 90:
        return f"etwa {round(seconds, -1)} Sekunden"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"etwa {minutes} Minuten"
    return f"etwa {number(Decimal(seconds) / 3600, 1)} Stunden"
