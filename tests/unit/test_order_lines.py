"""A line of an orders file checked by hand (the common, plainly written line) is taken or refused exactly
as `NewOrder` takes or refuses it, with the same fields and codes."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from application.commands import NewOrder, OrderLine, order_line
from application.validation import InvalidInput

TODAY = date(2025, 6, 30)
PLAIN = {
    "client_email": "anna@example.com",
    "ordered_at": "2025-03-01T10:00:00+02:00",
    "amount": "149.90",
    "order_id": "O-1",
}


def _by_model(values: dict[str, Any]) -> OrderLine | list[tuple[str, str]]:
    try:
        command = NewOrder.parse(values, today=TODAY)
    except InvalidInput as invalid:
        return [(e.field, e.code) for e in invalid.errors]
    return OrderLine(*(getattr(command, name) for name in OrderLine._fields))


def _by_line(values: dict[str, Any]) -> OrderLine | list[tuple[str, str]]:
    try:
        return order_line(values, today=TODAY)
    except InvalidInput as invalid:
        return [(e.field, e.code) for e in invalid.errors]


def _same(values: dict[str, Any]) -> None:
    expected, got = _by_model(values), _by_line(values)
    assert got == expected
    if isinstance(got, OrderLine) and isinstance(expected, OrderLine):
        assert got.ordered_at.utcoffset() == expected.ordered_at.utcoffset()
        assert type(got.amount) is type(expected.amount) is float


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"order_id": ""},
        {"order_id": "   "},
        {"order_id": None},
        {"order_id": " O-1 "},
        {"order_id": "O\x001"},
        {"order_id": "x" * 100},
        {"order_id": "x" * 101},
        {"first_name": "Anna", "last_name": "Nowak"},
        {"first_name": "", "last_name": " "},
        {"first_name": "A" * 101},
        {"client_email": ""},
        {"client_email": " anna@example.com"},
        {"client_email": None},
        {"client_email": "anna\n@example.com"},
        {"client_email": "a" * 400},
        {"ordered_at": "2025-03-01"},
        {"ordered_at": "20250301"},
        {"ordered_at": "2025-03-01T10:00"},
        {"ordered_at": "2025-03-01 10:00:00.123456"},
        {"ordered_at": "2025-06-30T23:30:00-02:00"},
        {"ordered_at": "2025-07-01T00:30:00+02:00"},
        {"ordered_at": "1989-12-31T23:00:00-02:00"},
        {"ordered_at": "1989-12-31"},
        {"ordered_at": "yesterday"},
        {"ordered_at": "2025-02-30T10:00:00"},
        {"ordered_at": ""},
        {"amount": "-149,90"},
        {"amount": "0"},
        {"amount": "-0"},
        {"amount": "007.5"},
        {"amount": "+5"},
        {"amount": "1e3"},
        {"amount": "nan"},
        {"amount": "inf"},
        {"amount": "100000000"},
        {"amount": "100000000.01"},
        {"amount": "-100000000.01"},
        {"amount": "1,000.50"},
        {"amount": " 12.5 "},
        {"amount": ""},
        {"amount": "0.1000000000000000055511151231257827"},
        {"surprise": "x"},
    ],
)
def test_a_line_is_taken_or_refused_as_the_model_does(changes: dict[str, Any]) -> None:
    _same(PLAIN | changes)


def test_a_line_without_its_required_values_is_refused_as_the_model_does() -> None:
    _same({"client_email": "anna@example.com", "amount": "1"})
    _same({})


_TEXT = st.text(alphabet=st.sampled_from("aZ09 .,-+:T@\t\x00é\u00a0"), max_size=12)


@settings(max_examples=400, deadline=None)
@given(
    email=st.one_of(st.none(), _TEXT),
    day=st.dates(min_value=date(1989, 12, 30), max_value=date(2025, 7, 2)),
    time=st.sampled_from(["", "T10:00", "T23:59:59", " 00:00:00.5", "T12:00:00+14:00", "T00:30-03:00", "Z"]),
    amount=st.one_of(
        st.from_regex(r"\A-?\d{1,10}([.,]\d{0,4})?\Z"), st.floats(allow_nan=True).map(str), _TEXT
    ),
    order_id=st.one_of(st.none(), _TEXT),
    names=st.one_of(st.none(), st.tuples(_TEXT, _TEXT)),
)
def test_any_line_is_taken_or_refused_as_the_model_does(
    email: str | None, day: date, time: str, amount: str, order_id: str | None, names: tuple[str, str] | None
) -> None:
    values: dict[str, Any] = {"client_email": email, "ordered_at": day.isoformat() + time, "amount": amount}
    if order_id is not None:
        values["order_id"] = order_id
    if names is not None:
        values["first_name"], values["last_name"] = names
    _same(values)
