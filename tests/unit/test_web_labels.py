"""Refusals in the reader's language, and the words the panel uses for names from the code."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from application.commands import (
    ClientListQuery,
    ListPosition,
    NewClient,
    NewSnapshot,
    NewUser,
    SegmentBands,
    ThresholdChange,
    position_token,
)
from application.imports import RowError
from application.validation import InvalidInput
from domain.candidates import candidates
from domain.errors import FieldError
from domain.features import NEVER_BOUGHT, feature_set
from domain.model_runs import RunStatus
from domain.predictions import ModelKind
from domain.segments import Segment
from entrypoints.web.formatting import money, month
from entrypoints.web.labels import (
    FEATURE_LABELS,
    SEGMENT_LABELS,
    STATUS_LABELS,
    explain_refusal,
    field_label,
)

NBSP = "\N{NO-BREAK SPACE}"


def refusals(command: type, data: dict[str, object]) -> tuple[FieldError, ...]:
    with pytest.raises(InvalidInput) as refused:
        command.parse(data, today=date(2026, 1, 1))
    return refused.value.errors


AT_ANNA = ListPosition("email", "anna@example.pl", 1)
REFUSED = [
    (NewClient, {}),
    (NewClient, {"first_name": "", "last_name": "x" * 101, "email": "bad", "registered_on": "xx"}),
    (NewClient, {"first_name": "a", "last_name": "b", "email": "a@b.pl", "registered_on": "1980-01-01"}),
    (NewClient, {"first_name": "a\n", "last_name": "b", "email": "a@b.pl", "registered_on": "2030-01-01"}),
    (
        NewSnapshot,
        {
            "observed_on": "2024-01-01",
            "purchases_30d": "1.5",
            "avg_basket_value": "abc",
            "site_visits_30d": "-1",
            "visits_7d": "5",
            "newsletter_opened": "maybe",
            "ad_clicks_7d": "1",
            "time_on_site_7d": "99999",
            "days_since_last_purchase": "40000",
        },
    ),
    (
        NewSnapshot,
        {
            "observed_on": "2024-01-01",
            "purchases_30d": 1,
            "avg_basket_value": 1,
            "site_visits_30d": 1,
            "visits_7d": 5,
            "newsletter_opened": False,
            "ad_clicks_7d": 1,
            "time_on_site_7d": 1,
        },
    ),
    (ClientListQuery, {"sort": "foo", "segment": "x", "will_buy": "x", "page": "0", "per_page": "1000"}),
    (ClientListQuery, {"after": "nonsense"}),
    (ClientListQuery, {"sort": "email", "after": position_token(AT_ANNA), "before": position_token(AT_ANNA)}),
    (ClientListQuery, {"sort": "-email", "after": position_token(AT_ANNA)}),
    (NewUser, {"email": "x", "password": "short", "role": "boss"}),
    (ThresholdChange, {"threshold": "1.5"}),
    (ThresholdChange, {"threshold": "0"}),
    (SegmentBands, {"medium_from": "500", "high_from": "100"}),
]


@pytest.mark.parametrize(("command", "data"), REFUSED)
def test_every_refusal_of_the_commands_has_a_polish_wording(
    app_context, command: type, data: dict[str, object]
):
    with force_locale("pl"):
        for error in refusals(command, data):
            assert explain_refusal(error) != error.message, error


def test_limits_in_refusals_are_written_as_the_locale_writes_numbers(app_context):
    with force_locale("pl"):
        assert explain_refusal(FieldError("x", "less_than_equal", "", {"le": 100_000_000})) == (
            f"Wpisz najwyżej 100{NBSP}000{NBSP}000."
        )
    with force_locale("en"):
        assert explain_refusal(FieldError("x", "less_than", "", {"lt": 1})) == "Enter less than 1."
        earliest = FieldError("x", "date_too_early", "", {"earliest": "1990-01-01"})
        assert explain_refusal(earliest) == "Enter a date from Jan 1, 1990 on."


def test_a_code_can_read_better_said_about_its_field(app_context):
    with force_locale("en"):
        assert explain_refusal(RowError(3, "email", "repeats_line", "", {"line": 2})) == (
            "Repeats the email of line 2."
        )
        assert explain_refusal(FieldError("role", "literal_error", "")) == "Choose a role."


def test_an_unknown_code_is_shown_by_its_message(app_context):
    unknown = FieldError("x", "moon_is_cheese", "The moon is made of cheese")
    assert explain_refusal(unknown) == "The moon is made of cheese"


def test_every_feature_of_every_candidate_and_the_never_bought_reason_have_a_label():
    every = {name for kind in ModelKind for c in candidates(kind) for name in feature_set(kind, c).names}
    assert set(FEATURE_LABELS) == every | {NEVER_BOUGHT}


def test_segments_and_statuses_have_labels_in_polish(app_context):
    with force_locale("pl"):
        assert [str(SEGMENT_LABELS[s]) for s in Segment] == ["Wysoki", "Średni", "Niski"]
        assert str(STATUS_LABELS[RunStatus.SUCCEEDED]) == "Udany"
        assert field_label("observed_on") == "Data obserwacji"
        assert field_label("no_such_field") == "no_such_field"


@pytest.mark.parametrize(("locale", "expected"), [("en", f"PLN{NBSP}1,000"), ("pl", f"1{NBSP}000{NBSP}zł")])
def test_round_money_drops_the_decimals(app_context, locale: str, expected: str):
    with force_locale(locale):
        assert money(1000, decimals=0) == expected


@pytest.mark.parametrize(("locale", "expected"), [("en", "November 2026"), ("pl", "listopad 2026")])
def test_months_are_named(app_context, locale: str, expected: str):
    from datetime import date

    with force_locale(locale):
        assert month(date(2026, 11, 1)) == expected


def test_a_metric_a_hair_below_zero_is_not_written_as_minus_zero(app_context):
    from entrypoints.web.ml_panel import metric_text

    with force_locale("en"):
        assert metric_text("r2", -2.3e-05) == "0.000"
        assert metric_text("r2", -0.007) == "-0.007"
        assert metric_text("precision", 0.8632) == "86.3%"
        assert metric_text("mae", 49.0656) == f"PLN{NBSP}49.07"


def test_a_probability_is_never_shown_as_certain(app_context):
    from entrypoints.web.formatting import chance

    assert [chance(p) for p in (0.0, 0.004, 0.01, 0.705, 0.99, 0.996, 1.0)] == [
        "< 1%",
        "< 1%",
        "1%",
        "70%",
        "99%",
        "> 99%",
        "> 99%",
    ]
    with force_locale("pl"):
        assert chance(1.0) == "> 99%" and chance(0.4567, 1) == "45,7%"
