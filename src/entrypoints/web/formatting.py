"""Template filters: money, numbers, percentages and dates as the reader's locale writes them."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from babel.numbers import get_currency_symbol
from flask import Flask, g
from flask_babel import (
    format_currency,
    format_date,
    format_decimal,
    format_percent,
    format_time,
    get_locale,
)

from entrypoints.container import current_container

Number = float | Decimal  # ints are welcome too

MISSING = "—"
# CLDR's currency spacing: a code written in letters never touches the digits ("PLN 1,234.56").
_LETTER_AGAINST_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def company_currency() -> str:
    """The ISO 4217 code of the company's currency, read once per request."""
    if "currency" not in g:
        g.currency = current_container().current_currency()().code
    return str(g.currency)


def money(value: Number | None, decimals: int = 2) -> str:
    """An amount in the company's currency; `decimals=0` for round figures such as the bounds of a segment."""
    if value is None:
        return MISSING
    currency = company_currency()
    if decimals == 2:
        text = format_currency(value, currency)
    else:
        digits = "0" + ("." + "0" * decimals if decimals > 0 else "")
        pattern = get_locale().currency_formats["standard"].pattern.replace("0.00", digits)
        text = format_currency(value, currency, format=pattern, currency_digits=False)
    return _LETTER_AGAINST_DIGIT.sub("\N{NO-BREAK SPACE}", text)


def in_company_currency(text: object) -> str:
    """A translated text (lazy or not) with `%(currency)s` standing for the company's currency code."""
    return str(text) % {"currency": company_currency()}


def currency_symbol() -> str:
    """The company's currency as the reader's locale writes it beside an amount: zł, €, $, CHF, ..."""
    return str(get_currency_symbol(company_currency(), locale=get_locale()))


def number(value: Number | None, decimals: int = 0) -> str:
    if value is None:
        return MISSING
    return str(format_decimal(value, format=_pattern(decimals)))


def percent(value: Number | None, decimals: int = 0) -> str:
    """A share given as a fraction (0.7 → 70%)."""
    if value is None:
        return MISSING
    return str(format_percent(value, format=_pattern(decimals) + "%"))


HIGHEST_SHOWN, LOWEST_SHOWN = 0.99, 0.01
"""Beyond these a model's probability is shown as a bound: it is never certain either way."""


def chance(value: Number | None, decimals: int = 0) -> str:
    """A probability: as `percent`, but "> 99%" and "< 1%" at the ends, never a certain "100%" or "0%"."""
    if value is None:
        return MISSING
    if value > HIGHEST_SHOWN:
        return f"> {percent(HIGHEST_SHOWN)}"
    if value < LOWEST_SHOWN:
        return f"< {percent(LOWEST_SHOWN)}"
    return percent(value, decimals)


DATE_STYLE = "medium"
"""The one way the panel writes a day: "Nov 30, 2026", "30 lis 2026"."""


def day(value: date | None) -> str:
    if value is None:
        return MISSING
    return str(format_date(value, DATE_STYLE))


def month(value: date | None, style: str = "LLLL yyyy") -> str:
    """A calendar month in words: "November 2026", "listopad 2026"; `style="LLL yyyy"` abbreviates."""
    if value is None:
        return MISSING
    return str(format_date(value, style))


def moment(value: datetime | None, style: str = "medium") -> str:
    """A moment in the reader's time zone: its day as `day` writes it, then its time in `style`
    ("short" leaves out the seconds)."""
    if value is None:
        return MISSING
    joined = get_locale().datetime_formats[DATE_STYLE]
    return str(joined).format(format_time(value, style), format_date(value, DATE_STYLE))


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def init_formatting(app: Flask) -> None:
    app.add_template_filter(money, "money")
    app.add_template_global(company_currency, "company_currency")
    app.add_template_global(currency_symbol, "currency_symbol")
    app.add_template_filter(number, "number")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(chance, "chance")
    app.add_template_filter(day, "date")
    app.add_template_filter(month, "month")
    app.add_template_filter(moment, "datetime")
