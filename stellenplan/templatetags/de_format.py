"""German display of money, position shares and dates: {% load de_format %}.

{{ total.annual_cost|euro }}   1.128.560 €   (cents only where there are any)
{{ position.fte|stellen }}     0,5
{{ year|jahr }}                2012          (never "2.012")
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import timezone

from departments.services import format_decimal

register = template.Library()

NBSP = "\u00a0"


def euro_text(value) -> str:
    if value is None or value == "":
        return "—"
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount == amount.to_integral_value():
        text = format_decimal(amount).removesuffix(",0")
    else:
        text = format_decimal(amount)
        if len(text.rpartition(",")[2]) == 1:
            text += "0"
    return f"{text}{NBSP}€"


@register.filter
def euro(value) -> str:
    return euro_text(value)


@register.filter
def stellen(value) -> str:
    if value is None or value == "":
        return "—"
    return format_decimal(Decimal(value))


@register.filter
def prozent(value) -> str:
    """A share as a percentage: 0.848 -> 84,8 %."""
    if value is None or value == "":
        return "—"
    return f"{format_decimal(Decimal(value) * 100).removesuffix(',0')}{NBSP}%"


@register.filter
def datum(value) -> str:
    if not value:
        return "—"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


@register.filter
def jahr(value) -> str:
    """A year or a number that is an identifier: never with thousand separators."""
    return str(value)


register.filter("nr", jahr)
