"""Numbers typed into the panel's forms, read as the panel's language writes them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel import Locale

from application.validation import InvalidInput
from entrypoints.web.numbers import read_number, written_number

POLISH, ENGLISH = Locale.parse("pl"), Locale.parse("en")
NBSP, NNBSP = "\N{NO-BREAK SPACE}", "\N{NARROW NO-BREAK SPACE}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("149,90", "149.90"),
        ("0,70", "0.70"),
        ("1 234,50", "1234.50"),
        (f"1{NBSP}234,50", "1234.50"),
        (f"1{NNBSP}234,50", "1234.50"),
        ("12 500", "12500"),
        (" 3 ", "3"),
        ("149.90", "149.90"),
        ("0.125", "0.125"),
        ("-5", "-5"),
    ],
)
def test_polish_reads_a_decimal_comma_spaces_between_thousands_and_a_plain_decimal_point(text, expected):
    assert read_number("avg_basket_value", text, POLISH) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"), [("149.90", "149.90"), ("1,234.50", "1234.50"), ("1,234", "1234"), ("0.7", "0.7")]
)
def test_english_reads_a_decimal_point_and_commas_between_thousands(text, expected):
    assert read_number("avg_basket_value", text, ENGLISH) == Decimal(expected)


def refusal(text: str, locale: Locale) -> tuple[str, str, dict[str, object]]:
    with pytest.raises(InvalidInput) as refused:
        read_number("avg_basket_value", text, locale)
    [error] = refused.value.errors
    return error.field, error.code, dict(error.params)


@pytest.mark.parametrize("text", ["149,90", "0,7", "12,5"])
def test_english_refuses_a_decimal_comma_rather_than_reading_thousands(text):
    assert refusal(text, ENGLISH) == ("avg_basket_value", "decimal_comma", {"example": "149.90"})


@pytest.mark.parametrize("text", ["1.234", "12.500", "-100.000"])
def test_polish_refuses_a_dot_that_may_separate_thousands(text):
    field, code, params = refusal(text, POLISH)
    assert (field, code) == ("avg_basket_value", "ambiguous_number")
    assert params == {"whole": text.replace(".", ""), "decimal": text.replace(".", ",")}


@pytest.mark.parametrize(
    ("text", "locale", "example"),
    [
        ("lots", ENGLISH, "149.90"),
        ("lots", POLISH, "149,90"),
        ("1 23,5", POLISH, "149,90"),
        ("1,2.3", ENGLISH, "149.90"),
    ],
)
def test_anything_else_is_refused_with_an_example_in_the_language(text, locale, example):
    assert refusal(text, locale) == ("avg_basket_value", "number_format", {"example": example})


@pytest.mark.parametrize(
    ("value", "locale", "decimals", "expected"),
    [
        (0.7, POLISH, 2, "0,70"),
        (0.7, ENGLISH, 2, "0.70"),
        (1000.0, POLISH, None, "1000"),
        (1000.5, POLISH, None, "1000,5"),
        (12345.678, ENGLISH, None, "12345.68"),
    ],
)
def test_a_form_shows_a_number_as_the_language_writes_it_and_reads_it_back(value, locale, decimals, expected):
    shown = written_number(value, locale, decimals)

    assert shown == expected
    assert read_number("threshold", shown, locale) == Decimal(expected.replace(",", "."))
