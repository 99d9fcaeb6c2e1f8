"""Numbers typed into the panel's forms, read the way the panel's language writes them.

Polish writes `149,90` and `1 234,50` (a space, plain or no-break, between thousands); English writes
`149.90` and `1,234.50`. Babel reads both strictly, so a grouping in the wrong places is refused, never
guessed. Two choices of ours on top of it:

- In a language whose decimal mark is a comma, a dot is read as a decimal point too (`149.90`, as a
  keypad or a copied figure writes it), unless it may as well separate thousands: `1.234` is refused
  as ambiguous, `0.125` and `149.90` are not.
- In English, a comma that cannot separate thousands (`149,90`) is refused with its own code,
  `decimal_comma`: it is a decimal comma, which English does not use, and misreading it as `14990`
  would multiply the value by a hundred.

What the number may be (its range, whole or not) is the application's rule, checked by the command.
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel import Locale
from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)

from application.validation import InvalidInput

_MAYBE_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}")
"""A dot that may be a decimal point or may separate thousands: `1.234`, `12.500`."""
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
"""A number that a comma cannot group into thousands, only split into decimals: `149,90`."""
_SPACES = re.compile(r"\s")
EXAMPLE = Decimal("149.9")
"""The number a refusal shows as an example of how the language writes one."""


def read_number(field: str, text: str, locale: Locale) -> Decimal:
    """The number `text` stands for in `locale`; raises InvalidInput naming `field` if it is none."""
    text = text.strip()
    decimal_mark = get_decimal_symbol(locale)
    if decimal_mark != "." and _MAYBE_THOUSANDS.fullmatch(text):
        raise InvalidInput.single(
            field,
            "ambiguous_number",
            "may be read in two ways: write it without the dot, or with a decimal comma",
            whole=text.replace(".", ""),
            decimal=text.replace(".", decimal_mark),
        )
    try:
        return parse_decimal(_with_locale_spaces(text, locale), locale, strict=True)
    except NumberFormatError:
        if decimal_mark == "." and _DECIMAL_COMMA.fullmatch(text):
            raise InvalidInput.single(
                field, "decimal_comma", "use a dot for decimals", example=written_number(EXAMPLE, locale, 2)
            ) from None
        raise InvalidInput.single(
            field, "number_format", "is not a number", example=written_number(EXAMPLE, locale, 2)
        ) from None


def _with_locale_spaces(text: str, locale: Locale) -> str:
    """Any space between thousands as the locale's own (Polish: no-break): a keyboard types a plain one."""
    group = get_group_symbol(locale)
    return _SPACES.sub(group, text) if group.isspace() else text


def written_number(value: float | Decimal, locale: Locale, decimals: int | None = None) -> str:
    """A number as a form shows it to be edited: in the language's digits, without grouping; with exactly
    `decimals` decimals, or as many as it has (at most two) when None."""
    fraction = "." + "0" * decimals if decimals else ".##" if decimals is None else ""
    return str(format_decimal(value, format="0" + fraction, locale=locale))
