"""Display filters of decision documents (German figures, sanitised Markdown)."""

from decimal import Decimal

from django import template
from django.utils.safestring import SafeString

from decisions import formatting
from decisions.markup import render_markdown

register = template.Library()


@register.filter
def euro(value: Decimal | None) -> str:
    """1128560 -> "1.128.560 €"."""
    return "" if value is None else formatting.euro(value)


@register.filter
def eur(value: Decimal | None) -> str:
    """31500 -> "31.500 EUR" (as in the Anlage of a Stuttgart Beschlussvorlage)."""
    return "" if value is None else formatting.eur(value)


@register.filter
def fte(value: Decimal | None) -> str:
    """0.50 -> "0,5"."""
    return "" if value is None else formatting.fte_de(value)


@register.filter
def percent(value: Decimal | None) -> str:
    """0.848 -> "84,8 %"."""
    return "" if value is None else formatting.percent_de(value)


@register.filter
def markdown(value: str | None) -> SafeString:
    """Markdown rendered and sanitised (raw HTML comes out escaped)."""
    return render_markdown(value or "")
