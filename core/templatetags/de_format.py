"""German display in templates: {% load de_format %} (all from core.formatting).

{{ total.annual_cost|euro }}   1.128.560 €   (cents only where there are any)
{{ cost|euro:places }}         1.128.560,00 € (a column: places from money_places)
{{ position.fte|stellen }}     0,5
{{ row.change|stellen_aenderung }}  +2,1 / −0,5 / 0,0 (a change of Stellen)
{{ sums.fte|stellenzahl }}     1,0 Stelle, 11,2 Stellen (with the noun)
{{ rule.rate|prozent }}        84,8 %
{{ row.percent|aenderung }}    +3,5 %        (a change given in percent)
{{ date|datum }}               01.10.2011
{{ year|jahr }}                2012          (never "2.012"; also |nr for ids)
"""

from django import template

from core import formatting

register = template.Library()


@register.filter
def euro(value, places=None) -> str:
    """``{{ x|euro }}``; in a column ``{{ x|euro:places }}`` with places from
    ``core.formatting.money_places`` (cents everywhere in the column or nowhere)."""
    return formatting.euro(value, places=None if places in (None, "") else int(places))


@register.filter
def stellen(value) -> str:
    if value is None or value == "":
        return formatting.DASH
    return formatting.format_decimal(value)


@register.filter
def stellen_aenderung(value) -> str:
    """A change of Stellen with its sign: +2,1 · −0,5 · 0,0."""
    if value is None or value == "":
        return formatting.DASH
    return formatting.signed_decimal(value)


@register.filter
def stellenzahl(value) -> str:
    """Stellen with the noun in the right number: "1,0 Stelle", "0,5 Stellen", "11,2 Stellen"."""
    if value is None or value == "":
        return formatting.DASH
    return f"{formatting.format_decimal(value)} {formatting.positions_word(value)}"


@register.filter
def prozent(value) -> str:
    """A share as a percentage: 0.848 -> 84,8 %."""
    return formatting.percent(value)


@register.filter
def aenderung(value) -> str:
    """A change in percent with its sign: 3.5 -> +3,5 %."""
    return formatting.change(value)


@register.filter
def datum(value) -> str:
    return formatting.date_de(value) if value else formatting.DASH


@register.filter
def jahr(value) -> str:
    """A year or a number that is an identifier: never with thousand separators."""
    return str(value)


register.filter("nr", jahr)


@register.filter
def fields_with_errors(form) -> list:
    """The bound fields of `form` that have errors, in form order (for an error summary
    joined with commas: no separator after the last one)."""
    return [field for field in form if field.errors]
