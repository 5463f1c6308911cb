"""German display of figures in decision documents: "1.128.560 €", "31.500 EUR", "0,5", "84,8 %".

Decimal only; rounding for display is half-up. Locale-independent on purpose: a Beschlussvorlage
is a German document whatever language the process runs in (management command, tests).
"""

from decimal import ROUND_HALF_UP, Decimal


def _grouped(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return ".".join(groups)


def number_de(value: Decimal, places: int) -> str:
    """A number with German thousand and decimal separators and `places` decimals."""
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    integer, _, fraction = f"{abs(rounded):f}".partition(".")
    return sign + _grouped(integer) + ("," + fraction if places else "")


def money_de(value: Decimal) -> str:
    """Whole euros without decimals ("31.500"), otherwise with cents ("31.500,50")."""
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 2
    return number_de(value, places)


def euro(value: Decimal) -> str:
    return f"{money_de(value)} €"


def eur(value: Decimal) -> str:
    """As the annex of a Stuttgart Beschlussvorlage prints it: "31.500 EUR"."""
    return f"{money_de(value)} EUR"


def fte_de(value: Decimal) -> str:
    """Position shares with at least one decimal: "0,5", "1,0", "13,5", "0,75"."""
    value = Decimal(value)
    exponent = value.normalize().as_tuple().exponent
    places = max(1, -exponent) if isinstance(exponent, int) else 1
    return number_de(value, places)


def positions_word(value: Decimal) -> str:
    """ "Stelle" for exactly one, "Stellen" otherwise ("0,5 Stellen", "1,0 Stelle")."""
    return "Stelle" if Decimal(value) == 1 else "Stellen"


def percent_de(rate: Decimal) -> str:
    """A rate given as a fraction (0.848) as a German percentage: "84,8 %"."""
    return f"{fte_de(Decimal(rate) * 100).removesuffix(',0')} %"
