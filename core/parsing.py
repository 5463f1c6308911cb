"""German input: the one parser for numbers as people type them, the one year range, ids.

    parse_decimal("0,5") == parse_decimal("0.5") == Decimal("0.5")
    parse_decimal("63.000") == parse_decimal("63.000,50") - Decimal("0.50") == Decimal(63000)
    parse_decimal("0.500") == Decimal(500)   # a dot before groups of three digits is a
                                             # thousands separator, as Django reads it with
                                             # USE_THOUSAND_SEPARATOR: callers bound FTE values
                                             # and say what was understood

Forms, the Excel importers, the list filters and the consistency check of a decision all call
this module; each wraps a failure in its own German message naming field and value.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q

YEAR_MIN, YEAR_MAX = 1900, 2200
YEAR_RANGE_TEXT = f"{YEAR_MIN} bis {YEAR_MAX}"

#: Validators of every year field, and the range dates are checked against.
year_validators = [MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
DATE_MIN, DATE_MAX = date(YEAR_MIN, 1, 1), date(YEAR_MAX, 12, 31)


def date_in_year_range(field: str, *, nullable: bool = False) -> Q:
    """The condition of a check constraint: `field` (a date) lies in the years of YEAR_RANGE_TEXT."""
    inside = Q(**{f"{field}__gte": DATE_MIN, f"{field}__lte": DATE_MAX})
    return Q(**{f"{field}__isnull": True}) | inside if nullable else inside


#: "63.000" or "63.000,50": a dot before groups of three digits separates thousands.
GERMAN_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+(,\d*)?")
_PLAIN = re.compile(r"\d*([.,]\d*)?")
_CURRENCY = ("€", "EUR", "Euro")
#: More digits than any figure of a city has; longer input is refused before Decimal sees it
#: (Decimal arithmetic and quantize work with 28 significant digits).
MAX_DIGITS = 20
#: The largest id a database key holds (a signed 64-bit integer).
ID_MAX = 2**63 - 1
_YEAR = re.compile(r"[0-9]{1,4}")
_ID = re.compile(r"[0-9]{1,19}")


class TooManyDigits(ValueError):
    """A number with more than ``MAX_DIGITS`` digits (no figure here has that many)."""


def parse_decimal(text: str) -> Decimal:
    """A number as people type it here: "0,5", "0.5", "63.000", "63.000,50", "-3", "31.500 €".

    Raises ValueError for anything else (the caller words the message), TooManyDigits for a
    number of more than ``MAX_DIGITS`` digits.
    """
    text = text.replace("\u00a0", "").replace(" ", "").strip()
    for suffix in _CURRENCY:
        text = text.removesuffix(suffix)
    sign = ""
    if text[:1] in {"-", "+"}:
        sign, text = text[:1].replace("+", ""), text[1:]
    if GERMAN_THOUSANDS.fullmatch(text):
        normalized = text.replace(".", "").replace(",", ".")
    elif _PLAIN.fullmatch(text) and any(c.isdigit() for c in text):
        normalized = text.replace(",", ".")
    else:
        raise ValueError(text)
    if sum(c.isdigit() for c in normalized) > MAX_DIGITS:
        raise TooManyDigits(text)
    try:
        return Decimal(sign + normalized)
    except InvalidOperation:
        raise ValueError(text) from None


def parse_year(text: str | int | None) -> int | None:
    """A year in the allowed range, or None (empty, not a number, out of range)."""
    if text is None:
        return None
    text = str(text).strip()
    if not _YEAR.fullmatch(text):
        return None
    year = int(text)
    return year if YEAR_MIN <= year <= YEAR_MAX else None


#: Characters no free text of this app may hold: C0 controls but tab, line feed and carriage
#: return (a textarea sends CR LF), DEL and the C1 controls, zero-width characters and marks
#: (U+200B–U+200F), bidirectional embeddings, overrides and isolates (U+202A–U+202E,
#: U+2066–U+2069) and the byte order mark. They are invisible in lists, PDF and Excel, and a
#: bidi override shows a title reversed ("Trojan Source").
INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def invisible_characters(text: str) -> list[str]:
    """The invisible or control characters of `text` as "U+202E", each once, in order."""
    return list(dict.fromkeys(f"U+{ord(c):04X}" for c in INVISIBLE.findall(text)))


def shown_visibly(text: str) -> str:
    """`text` with each invisible character written as ⟨U+202E⟩ (for a message that quotes it:
    the character itself would reorder or hide the message)."""
    return INVISIBLE.sub(lambda match: f"⟨U+{ord(match.group()):04X}⟩", text)


def invisible_characters_message(text: str) -> str | None:
    """The German refusal of a free text with invisible characters (without the field's name,
    which the caller adds), or None if `text` has none."""
    found = invisible_characters(text)
    if not found:
        return None
    shown = shown_visibly(text)
    if len(shown) > 60:
        shown = shown[:59] + "…"
    return (
        f"„{shown}“ enthält unsichtbare Steuerzeichen ({', '.join(found)}); "
        "bitte ohne sie eingeben."
    )


def parse_id(text: str | None) -> int | None:
    """A database id as a query parameter carries it ("12"), or None if it cannot be one.

    Only ASCII digits, at most 19 of them and below 2^63: ``int()`` of a longer text fails
    (over 4,300 digits) or the database refuses the number (PostgreSQL's bigint).
    """
    if text is None:
        return None
    text = str(text).strip()
    if not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= ID_MAX else None
