"""Suggestions for a code that does not exist ("Meinten Sie „EG 9“?"): the importers say which
existing org unit or pay grade a misspelt cell most likely means. Only a suggestion: the cell
is still refused, the clerk corrects the file.

A code is compared by its key (``code_key``: lower case, only letters and digits, so "EG9",
"Eg 9" and "eg-9" are one key; callers may normalise further, see
``stellenplan.imports.grade_key``). Candidates are, in this order: the codes with the same
key; the codes whose key continues the key with letters only ("A 13" → "A 13 gD", "A 13 hD");
the closest keys by ``difflib`` that have the same digits (a different number is a different
unit or grade, never a typo worth suggesting).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

#: How alike two keys must be for difflib (0…1).
CUTOFF = 0.75
#: At most this many suggestions.
MAX_SUGGESTIONS = 3


def code_key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _digits(key: str) -> str:
    return "".join(ch for ch in key if ch.isdigit())


def closest_codes(
    text: str, codes: Iterable[str], key: Callable[[str], str] = code_key
) -> list[str]:
    """The existing `codes` that `text` most likely means (see the module), best first."""
    wanted = key(text)
    if not wanted:
        return []
    by_key: dict[str, list[str]] = {}
    for code in codes:
        by_key.setdefault(key(code), []).append(code)
    if wanted in by_key:
        return sorted(by_key[wanted])[:MAX_SUGGESTIONS]
    continued = sorted(
        code
        for code_key_, found in by_key.items()
        if code_key_.startswith(wanted) and code_key_[len(wanted) :].isalpha()
        for code in found
    )
    if continued:
        return continued[:MAX_SUGGESTIONS]
    same_digits = [k for k in by_key if _digits(k) == _digits(wanted)]
    close = difflib.get_close_matches(wanted, same_digits, n=MAX_SUGGESTIONS, cutoff=CUTOFF)
    return [code for k in close for code in sorted(by_key[k])][:MAX_SUGGESTIONS]


def did_you_mean(suggestions: list[str]) -> str:
    """ " Meinten Sie „EG 9“?" (or „A 13 gD“ oder „A 13 hD“), empty without suggestions."""
    if not suggestions:
        return ""
    quoted = [f"„{code}“" for code in suggestions]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " oder " + quoted[-1]
    return f" Meinten Sie {listed}?"
