"""Input commands: every entrypoint's raw input is checked here, and each refusal names its field."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.commands import (
    MINUTES_IN_A_WEEK,
    ClientChanges,
    ClientFilter,
    ClientListQuery,
    Credentials,
    NewClient,
    NewOrder,
    NewSnapshot,
    NewUser,
    Outcomes,
    SegmentBands,
    SnapshotKey,
    TokenRequest,
    VersionChoice,
)
from application.validation import Command, InvalidInput
from domain.activity import BEHAVIOUR_FIELDS
from domain.users import Role
from unit.conftest import CLIENT, SNAPSHOT


def refused_fields(command: type[Command], data: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        command.parse(data)
    return [error.field for error in refused.value.errors]


def test_a_valid_client_is_parsed_into_typed_values() -> None:
    command = NewClient.parse({**CLIENT, "first_name": "  Anna "})

    assert command.first_name == "Anna"
    assert command.registered_on == date(2023, 1, 15)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", ""),
        ("first_name", "   "),
        ("last_name", "x" * 101),
        ("email", "anna"),
        ("email", "anna@"),
        ("email", "a" * 250 + "@example.com"),
        ("registered_on", "yesterday"),
        ("registered_on", "1989-12-31"),
        ("registered_on", None),
    ],
)
def test_a_client_with_a_bad_value_is_refused_naming_the_field(field: str, value: object) -> None:
    assert refused_fields(NewClient, {**CLIENT, field: value}) == [field]


def test_a_client_missing_fields_is_refused_naming_each() -> None:
    assert sorted(refused_fields(NewClient, {"first_name": "Anna"})) == [
        "email",
        "last_name",
        "registered_on",
    ]


def test_unknown_fields_are_refused_rather_than_ignored() -> None:
    assert refused_fields(NewClient, {**CLIENT, "is_admin": True}) == ["is_admin"]


def test_client_changes_keep_only_the_fields_given() -> None:
    assert ClientChanges.parse({"last_name": "Kowalska"}).changes() == {"last_name": "Kowalska"}


def test_a_valid_snapshot_is_parsed_with_blank_optional_values_as_unknown() -> None:
    command = NewSnapshot.parse({**SNAPSHOT, "days_since_last_purchase": "", "sales_next_month": " "})

    assert command.days_since_last_purchase is None and command.sales_next_month is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("purchases_30d", -1),
        ("site_visits_30d", -3),
        ("ad_clicks_7d", 2.5),
        ("purchases_30d", "many"),
        ("avg_basket_value", -0.01),
        ("avg_basket_value", math.nan),
        ("avg_basket_value", math.inf),
        ("avg_basket_value", "NaN"),
        ("avg_basket_value", 1e12),
        ("time_on_site_7d", MINUTES_IN_A_WEEK + 1),
        ("time_on_site_7d", -math.inf),
        ("sales_next_month", -5),
        ("sales_next_month", math.nan),
        ("days_since_last_purchase", -1),
        ("purchased_next_14d", "perhaps"),
        ("purchased_next_14d", 0),
        ("visits_7d", True),
        ("avg_basket_value", False),
        ("observed_on", "2024-02-30"),
    ],
)
def test_a_snapshot_with_a_bad_value_is_refused_naming_the_field(field: str, value: object) -> None:
    assert refused_fields(NewSnapshot, {**SNAPSHOT, field: value}) == [field]


def test_more_visits_in_a_week_than_in_the_month_are_refused_naming_visits_7d() -> None:
    with pytest.raises(InvalidInput) as refused:
        NewSnapshot.parse({**SNAPSHOT, "visits_7d": 10, "site_visits_30d": 9})

    assert [e.field for e in refused.value.errors] == ["visits_7d"]


def test_outcomes_need_at_least_one_known_value() -> None:
    with pytest.raises(InvalidInput) as refused:
        Outcomes.parse({"sales_next_month": "", "purchased_next_14d": None})

    assert "sales_next_month" in refused.value.message


def test_an_outcome_may_be_given_alone() -> None:
    assert Outcomes.parse({"purchased_next_14d": "true"}).purchased_next_14d is True


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sort", "last_name; drop table"),
        ("page", 0),
        ("per_page", 101),
        ("q", "x" * 101),
    ],
)
def test_a_client_list_query_out_of_bounds_is_refused_naming_the_field(field: str, value: object) -> None:
    assert refused_fields(ClientListQuery, {field: value}) == [field]


def test_a_client_list_query_sorted_by_an_unknown_column_is_refused_naming_sort() -> None:
    with pytest.raises(InvalidInput) as refused:
        ClientListQuery.parse({"sort": "password"})

    assert [e.field for e in refused.value.errors] == ["sort"]
    assert "must be one of last_name" in refused.value.errors[0].message


def test_the_json_schema_states_the_rules_a_request_is_checked_against() -> None:
    """What JSON Schema can say, the API's document says, so that a request that fits it is accepted."""
    outcomes = Outcomes.model_json_schema()
    assert [option["required"] for option in outcomes["anyOf"]] == [
        ["sales_next_month"],
        ["purchased_next_14d"],
    ]
    sort = ClientFilter.model_json_schema()["properties"]["sort"]
    assert {"last_name", "-expected_value"} <= set(sort["enum"])
    for value in sort["enum"]:
        ClientFilter.parse({"sort": value})
    name = NewClient.model_json_schema()["properties"]["last_name"]
    assert name["pattern"] == r"^[^\x00-\x1f\x7f-\x9f]*$"
    segment = ClientFilter.model_json_schema()["properties"]["segment"]
    assert {"type": "string", "pattern": r"^\s*$"} in segment["anyOf"]
    assert ClientFilter.parse({"segment": "  "}).segment is None


def test_a_client_list_query_sorts_descending_with_a_minus() -> None:
    query = ClientListQuery.parse({"sort": "-registered_on", "page": "3", "per_page": "10"})

    assert query.descending and query.sort_column.value == "registered_on"
    assert query.offset == 20


def test_a_new_user_keeps_the_password_exactly_as_typed() -> None:
    command = NewUser.parse({"email": "ola@example.com", "password": " spaced out ", "role": "analyst"})

    assert command.password == " spaced out " and command.user_role is Role.ANALYST


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "ola"), ("password", "short"), ("password", "x" * 257), ("role", "owner")],
)
def test_a_new_user_with_a_bad_value_is_refused_naming_the_field(field: str, value: str) -> None:
    data = {"email": "ola@example.com", "password": "long-enough", "role": "admin", field: value}

    assert refused_fields(NewUser, data) == [field]


def test_credentials_need_both_an_email_and_a_password() -> None:
    assert sorted(refused_fields(Credentials, {"email": "", "password": ""})) == ["email", "password"]


# --- whatever is thrown at them, commands answer with a value or a clean refusal --------------

anything = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300) | st.dates()


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({name: anything for name in CLIENT}))
def test_any_client_input_is_parsed_or_refused_cleanly(data: dict[str, Any]) -> None:
    try:
        command = NewClient.parse(data)
    except InvalidInput as refused:
        assert refused.errors and all(error.field in CLIENT for error in refused.errors)
        return
    assert command.first_name.strip() and command.last_name.strip()


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([*SNAPSHOT, "sales_next_month", "purchased_next_14d"]), anything))
def test_any_snapshot_input_is_parsed_or_refused_cleanly(data: dict[str, Any]) -> None:
    try:
        command = NewSnapshot.parse({**SNAPSHOT, **data})
    except InvalidInput as refused:
        assert refused.errors
        return
    if command.visits_7d is not None and command.site_visits_30d is not None:
        assert command.visits_7d <= command.site_visits_30d
    amounts = (command.avg_basket_value, command.time_on_site_7d)
    assert all(math.isfinite(v) and v >= 0 for v in amounts if v is not None)


@pytest.mark.parametrize("text", ["An\x00na", "Anna\nNowak", "Anna\tNowak", "\x1b[31mAnna"])
def test_names_searches_and_sign_in_emails_are_one_line_without_control_characters(text: str) -> None:
    assert refused_fields(NewClient, {**CLIENT, "first_name": text}) == ["first_name"]
    assert refused_fields(ClientChanges, {"last_name": text}) == ["last_name"]
    assert refused_fields(ClientListQuery, {"q": text}) == ["q"]
    assert refused_fields(Credentials, {"email": text, "password": "x"}) == ["email"]
    assert refused_fields(TokenRequest, {"email": text, "password": "x"}) == ["email"]


def test_names_in_any_script_with_inner_spaces_are_accepted() -> None:
    command = NewClient.parse({**CLIENT, "first_name": "Żaneta Ewa", "last_name": "Łęcka-Gąsior"})

    assert (command.first_name, command.last_name) == ("Żaneta Ewa", "Łęcka-Gąsior")


def test_a_client_filter_has_the_lists_filters_and_sort_but_no_pages() -> None:
    selection = ClientFilter.parse(
        {"q": "anna", "sort": "-predicted_sales", "segment": "high", "will_buy": "true"}
    )

    assert selection.sort_column.value == "predicted_sales" and selection.descending
    assert refused_fields(ClientFilter, {"page": "2"}) == ["page"]
    assert isinstance(ClientListQuery.parse({}), ClientFilter)


def test_a_snapshot_key_is_a_calendar_date() -> None:
    assert SnapshotKey.parse({"observed_on": "2024-02-29"}).observed_on == date(2024, 2, 29)
    assert refused_fields(SnapshotKey, {"observed_on": "2023-02-29"}) == ["observed_on"]


def test_a_version_choice_is_a_positive_whole_number() -> None:
    assert VersionChoice.parse({"version": "3"}).version == 3
    for version in (0, -1, 1.5, "latest", None):
        assert refused_fields(VersionChoice, {"version": version}) == ["version"]


@pytest.mark.parametrize("written", ["19970101", "1997-01-01", 19970101])
def test_a_registration_date_may_be_written_compactly(written: object) -> None:
    client = NewClient.parse({**CLIENT, "registered_on": written})

    assert client.registered_on == date(1997, 1, 1)


@pytest.mark.parametrize("written", ["31.12.2020", "2020-13-01", "1609459200"])
def test_a_date_in_another_form_is_refused_naming_the_accepted_forms(written: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        NewClient.parse({**CLIENT, "registered_on": written})

    (error,) = refused.value.errors
    assert (error.field, error.code) == ("registered_on", "date_format")
    assert error.params == {"accepted": "YYYY-MM-DD, YYYYMMDD"}


def test_money_may_be_written_with_a_decimal_comma() -> None:
    snapshot = NewSnapshot.parse({**SNAPSHOT, "avg_basket_value": "149,90", "sales_next_month": "1200,5"})

    assert (snapshot.avg_basket_value, snapshot.sales_next_month) == (149.9, 1200.5)
    assert SegmentBands.parse({"medium_from": "300,50", "high_from": "1000"}).medium_from == 300.5


@pytest.mark.parametrize(
    ("written", "moment"),
    [
        ("2024-03-31", datetime(2024, 3, 31, tzinfo=UTC)),
        ("20240331", datetime(2024, 3, 31, tzinfo=UTC)),
        ("2024-03-31T12:15", datetime(2024, 3, 31, 12, 15, tzinfo=UTC)),
        ("2024-03-31 12:15:00+02:00", datetime(2024, 3, 31, 10, 15, tzinfo=UTC)),
    ],
)
def test_an_order_is_dated_by_a_day_or_a_moment_naive_ones_in_utc(written: str, moment: datetime) -> None:
    order = NewOrder.parse({"client_email": "anna@example.com", "ordered_at": written, "amount": "-149,90"})

    assert (order.ordered_at, order.amount) == (moment, -149.9)


def test_a_snapshot_may_leave_its_behaviour_blank_or_out_as_unknown() -> None:
    blank = NewSnapshot.parse(
        {**SNAPSHOT, "site_visits_30d": "", "newsletter_opened": " ", "visits_7d": None}
    )
    left_out = NewSnapshot.parse({k: v for k, v in SNAPSHOT.items() if k not in BEHAVIOUR_FIELDS})

    assert [getattr(blank, name) for name in ("site_visits_30d", "visits_7d", "newsletter_opened")] == [
        None
    ] * 3
    assert [getattr(left_out, name) for name in BEHAVIOUR_FIELDS] == [None] * 5


def test_the_week_exceeding_the_month_is_refused_only_when_both_are_known() -> None:
    assert NewSnapshot.parse({**SNAPSHOT, "site_visits_30d": "", "visits_7d": 99}).visits_7d == 99
    assert refused_fields(NewSnapshot, {**SNAPSHOT, "site_visits_30d": 3, "visits_7d": 4}) == ["visits_7d"]
