"""Money, numbers, percentages and dates as English and Polish readers write them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import g
from flask_babel import force_locale

from entrypoints.web.formatting import day, in_company_currency, moment, money, number, percent

NBSP = "\N{NO-BREAK SPACE}"
NNBSP = "\N{NARROW NO-BREAK SPACE}"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", f"PLN{NBSP}1,234.56"), ("pl", f"1{NBSP}234,56{NBSP}zł")],
)
def test_money_is_written_in_pln_for_the_locale(app_context, locale: str, expected: str):
    with force_locale(locale):
        assert money(1234.56) == expected


@pytest.mark.parametrize(
    ("locale", "currency", "expected"),
    [
        ("pl", "EUR", f"1{NBSP}000,00{NBSP}€"),
        ("en", "EUR", "€1,000.00"),
        ("en", "USD", "$1,000.00"),
        ("pl", "CZK", f"1{NBSP}000,00{NBSP}CZK"),
        ("en", "CHF", f"CHF{NBSP}1,000.00"),
    ],
)
def test_money_is_written_in_the_companys_currency(app_context, locale: str, currency: str, expected: str):
    g.currency = currency
    with force_locale(locale):
        assert money(1000) == expected


def test_round_euros_drop_the_decimals_in_polish(app_context):
    g.currency = "EUR"
    with force_locale("pl"):
        assert money(1000, decimals=0) == f"1{NBSP}000{NBSP}€"


def test_a_text_names_the_companys_currency_where_it_says_so(app_context):
    g.currency = "SEK"
    assert in_company_currency("Mean squared error, in %(currency)s²") == "Mean squared error, in SEK²"


def test_negative_money_keeps_the_code_apart_from_the_digits(app_context):
    with force_locale("en"):
        assert money(-5) == f"-PLN{NBSP}5.00"


@pytest.mark.parametrize(("locale", "expected"), [("en", "1,234,568"), ("pl", f"1{NBSP}234{NBSP}568")])
def test_numbers_get_thousands_separators(app_context, locale: str, expected: str):
    with force_locale(locale):
        assert number(1234567.891) == expected


def test_numbers_show_the_decimals_asked_for(app_context):
    with force_locale("pl"):
        assert number(0.5, decimals=2) == "0,50"


@pytest.mark.parametrize(("locale", "expected"), [("en", "12.3%"), ("pl", "12,3%")])
def test_percentages_come_from_fractions(app_context, locale: str, expected: str):
    with force_locale(locale):
        assert percent(0.1234, decimals=1) == expected


@pytest.mark.parametrize(("locale", "expected"), [("en", "Jan 5, 2025"), ("pl", "5 sty 2025")])
def test_dates_are_readable(app_context, locale: str, expected: str):
    with force_locale(locale):
        assert day(date(2025, 1, 5)) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "Dec 1, 2026, 3:05 PM"), ("pl", "1 gru 2026, 15:05")],
)
def test_a_moment_writes_its_day_as_every_date_of_the_panel_in_the_readers_time_zone(
    app_context, locale: str, expected: str
):
    with force_locale(locale):
        shown = moment(datetime(2026, 12, 1, 14, 5, 7, tzinfo=UTC), "short")
        assert shown.startswith(day(date(2026, 12, 1)))

    assert shown.replace(NNBSP, " ") == expected


@pytest.mark.parametrize("filter_", [money, number, percent, day])
def test_missing_values_show_a_dash(app_context, filter_):
    assert filter_(None) == "—"
