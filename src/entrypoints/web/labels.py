"""Words for the things the panel shows: features, fields, segments, statuses, metrics, and refusals.

Every label a page prints for a name from the code lives here, once, in both languages.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Protocol

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from domain.candidates import Candidate, FeatureSetName, ModelFamily
from domain.errors import Params
from domain.features import NEVER_BOUGHT
from domain.jobs import Job, JobState
from domain.lifetime import LifetimeUnavailable
from domain.model_runs import RunStatus, is_command_line_operator
from domain.predictions import ModelKind, OutOfDate
from domain.segments import Segment
from domain.tiers import ContactTier
from domain.users import Role
from entrypoints.web.formatting import day, number

ROLE_LABELS = {Role.ADMIN: _l("Administrator"), Role.ANALYST: _l("Analyst")}

SEGMENT_LABELS = {Segment.HIGH: _l("High"), Segment.MEDIUM: _l("Medium"), Segment.LOW: _l("Low")}

TIER_LABELS = {
    ContactTier.TOP: _l("Top 10%"),
    ContactTier.NEXT: _l("Next 20%"),
    ContactTier.THIRD: _l("Next 30%"),
    ContactTier.REST: _l("Other 40%"),
}
"""Each contact tier by the share of clients it ranks, the worth of a contact deciding."""

LIFETIME_UNAVAILABLE_LABELS = {
    LifetimeUnavailable.NO_MODEL: _l("No customer-lifetime model has been trained."),
    LifetimeUnavailable.NO_SNAPSHOT: _l("The client has no snapshot to read an order history from."),
    LifetimeUnavailable.NO_ORDER_HISTORY: _l(
        "The newest snapshot was entered by hand, so the client's order history is not known."
    ),
    LifetimeUnavailable.NEVER_BOUGHT: _l(
        "The client has not bought yet: the lifetime model starts at a first purchase."
    ),
}
"""Why the client page's lifetime card has no estimate."""


def requester_label(requested_by: str) -> str:
    """Who started a model run, as a reader knows them: the user's email, or the command line."""
    return str(_l("command line")) if is_command_line_operator(requested_by) else requested_by


OUT_OF_DATE_LABELS = {
    OutOfDate.NEWER_SNAPSHOT: _l("A newer snapshot has arrived since they were made."),
    OutOfDate.SALES_MODEL_CHANGED: _l("Another version of the sales model is active now."),
    OutOfDate.PURCHASE_MODEL_CHANGED: _l("Another version of the purchase model is active now."),
    OutOfDate.THRESHOLD_CHANGED: _l("The yes/no was decided at a threshold no longer in force."),
}
MODEL_LABELS = {ModelKind.SALES: _l("Sales forecast"), ModelKind.PURCHASE: _l("Purchase propensity")}
MODEL_ALGORITHMS = {ModelKind.SALES: _l("Linear regression"), ModelKind.PURCHASE: _l("Logistic regression")}

STATUS_LABELS = {
    RunStatus.QUEUED: _l("Queued"),
    RunStatus.RUNNING: _l("Running"),
    RunStatus.SUCCEEDED: _l("Succeeded"),
    RunStatus.FAILED: _l("Failed"),
}
STATUS_TONES = {
    RunStatus.QUEUED: "secondary",
    RunStatus.RUNNING: "info",
    RunStatus.SUCCEEDED: "success",
    RunStatus.FAILED: "danger",
}

JOB_STATE_LABELS = {
    JobState.QUEUED: _l("Queued"),
    JobState.RUNNING: _l("Running"),
    JobState.SUCCEEDED: _l("Finished"),
    JobState.FAILED: _l("Failed"),
}


def job_label(job: Job) -> str:
    """A job's state, with how far it got once it knows: "Running (1,200 of 2,000)"."""
    state = str(JOB_STATE_LABELS[job.state])
    if job.done is None or job.state is JobState.SUCCEEDED:
        return state
    if job.total is None:
        return str(_l("%(state)s (%(done)s done)", state=state, done=number(job.done)))
    return str(
        _l("%(state)s (%(done)s of %(total)s)", state=state, done=number(job.done), total=number(job.total))
    )


METRIC_LABELS = {
    "r2": _l("R²"),
    "mse": _l("MSE"),
    "mae": _l("MAE"),
    "revenue_bias": _l("Revenue bias"),
    "accuracy": _l("Accuracy"),
    "precision": _l("Precision"),
    "recall": _l("Recall"),
    "f1": _l("F1 score"),
    "roc_auc": _l("ROC AUC"),
}
METRIC_MEANINGS = {
    "r2": _l("Share of the variation in sales the model explains; 1 is perfect."),
    "mse": _l("Mean squared error, in %(currency)s²; lower is better."),
    "mae": _l("Mean absolute error: how far off a forecast is on average."),
    "revenue_bias": _l(
        "Total forecast against total actual sales: 0 is spot on, above 0 forecasts too much."
    ),
    "accuracy": _l("Share of clients whose outcome the model got right."),
    "precision": _l("Of the clients it picks as buyers, the share who bought."),
    "recall": _l("Of the clients who bought, the share it picked."),
    "f1": _l("Balance of precision and recall."),
    "roc_auc": _l("How well it ranks buyers above non-buyers; 0.5 is chance."),
}
METRICS_SHOWN = {
    ModelKind.SALES: ("r2", "mse", "mae", "revenue_bias"),
    ModelKind.PURCHASE: ("accuracy", "precision", "recall", "f1", "roc_auc"),
}
LOWER_IS_BETTER = frozenset({"mse", "mae"})
CLOSER_TO_ZERO_IS_BETTER = frozenset({"revenue_bias"})

BASELINE_LABELS = {
    "mean": _l("Average"),
    "zero": _l("Zero"),
    "last_month": _l("Last 30 days"),
    "base_rate": _l("Base rate"),
    "bought_last_30d": _l("Bought in 30 days"),
}

FEATURE_LABELS = {
    "purchases_30d": _l("Purchases in the last 30 days"),
    "avg_basket_value": _l("Average basket value"),
    "site_visits_30d": _l("Site visits in the last 30 days"),
    "days_since_last_purchase": _l("Days since the last purchase"),
    "tenure_months": _l("Months as a client"),
    "visits_7d": _l("Site visits in the last 7 days"),
    "newsletter_opened": _l("Opened the newsletter"),
    "ad_clicks_7d": _l("Ad clicks in the last 7 days"),
    "has_purchase_history": _l("Has bought before"),
    "time_on_site_7d": _l("Minutes on the site in the last 7 days"),
    "spend_30d": _l("Spent in the last 30 days"),
    "spend_90d": _l("Spent in the last 90 days"),
    "spend_180d": _l("Spent in the last 180 days"),
    "spend_365d": _l("Spent in the last 365 days"),
    "orders_365d": _l("Orders in the last 365 days"),
    "active_months_365d": _l("Months with an order in the last year"),
    "days_since_first_order": _l("Days since the first order"),
    "mean_days_between_orders": _l("Average days between orders"),
    "avg_order_value": _l("Average order value"),
    "purchase_days": _l("Days with an order"),
    "days_since_last_order": _l("Days since the last order"),
    "forecast_days": _l("Days in the month forecast"),
    NEVER_BOUGHT: _l("Purchase history"),
}

FEATURE_SET_LABELS = {
    FeatureSetName.BASIC: _l("Basic features"),
    FeatureSetName.EXTENDED: _l("Extended features (order history)"),
}
MODEL_FAMILY_LABELS = {
    ModelFamily.LINEAR: _l("Linear"),
    ModelFamily.BOOSTED: _l("Boosted trees"),
    ModelFamily.CLV: _l("Customer lifetime (BG/NBD × Gamma-Gamma)"),
}


def candidate_label(candidate: Candidate) -> str:
    """ "Boosted trees · Basic features"; the lifetime model has one set of inputs, so its name alone."""
    family = str(MODEL_FAMILY_LABELS[candidate.family])
    if candidate.family is ModelFamily.CLV:
        return family
    return f"{family} · {FEATURE_SET_LABELS[candidate.features]}"


FIELD_LABELS: Mapping[str, LazyString] = {
    **FEATURE_LABELS,
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "email": _l("Email"),
    "client_email": _l("Client's email"),
    "registered_on": _l("Registered on"),
    "ordered_at": _l("Ordered at"),
    "amount": _l("Amount"),
    "order_id": _l("Order number"),
    "occurred_at": _l("Occurred at"),
    "kind": _l("Kind"),
    "duration_s": _l("Duration in seconds"),
    "mode": _l("Mode"),
    "create_clients": _l("Create unknown clients"),
    "observed_on": _l("Observed on"),
    "through": _l("Through"),
    "sales_next_month": _l("Sales in the following month"),
    "purchased_next_14d": _l("Bought within 14 days"),
    "password": _l("Password"),
    "current_password": _l("Current password"),
    "new_password": _l("New password"),
    "password_confirmation": _l("New password again"),
    "expires_in_days": _l("Valid for"),
    "role": _l("Role"),
    "threshold": _l("Decision threshold"),
    "medium_from": _l("Medium from"),
    "high_from": _l("High from"),
    "file": _l("File"),
    "row": _l("Row"),
    "q": _l("Search"),
    "sort": _l("Sort"),
    "segment": _l("Segment"),
    "will_buy": _l("Decision"),
    "tier": _l("Contact priority"),
    "page": _l("Page"),
    "per_page": _l("Rows per page"),
    "after": _l("Next page"),
    "before": _l("Previous page"),
    "limit": _l("Number of clients"),
    "ids": _l("Chosen clients"),
    "dialect": _l("Format"),
    "lang": _l("Language"),
    "id": _l("ID"),
    "predicted_sales": _l("Forecast"),
    "purchase_probability": _l("Purchase probability"),
}


EXPORT_HEADERS: Mapping[str, LazyString] = {
    "id": _l("Client ID"),
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "email": _l("Email"),
    "registered_on": _l("Registered on"),
    "predicted_sales": _l("Forecast for next month (%(currency)s)"),
    "purchase_probability": _l("Chance of buying within 14 days"),
    "will_buy": _l("Likely to buy"),
    "segment": _l("Segment"),
    "tier": _l("Contact priority"),
}
"""The columns of the client export for a spreadsheet, in the reader's language (the plain CSV keeps
the machine names, so that it imports back)."""
DECISION_WORDS = {True: _l("Yes"), False: _l("No")}
"""A decision in the spreadsheet export, under the header "Likely to buy"."""


def field_label(name: str) -> str:
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name


# Refusals carry a stable code and the values of the rule they break; these say the same in the reader's
# language. A code the panel does not know is shown by its English message.
REFUSALS: Mapping[str, LazyString] = {
    "missing": _l("This value is required."),
    "missing_column": _l("This column is missing."),
    "string_too_long": _l("Use at most %(max_length)s characters."),
    "too_long": _l("Use at most %(max_length)s characters."),
    "invalid_email": _l("Enter a valid email address."),
    "int_parsing": _l("Enter a whole number."),
    "int_type": _l("Enter a whole number."),
    "int_from_float": _l("Enter a whole number."),
    "float_parsing": _l("Enter a number."),
    "number_format": _l("Enter a number, such as %(example)s."),
    "decimal_comma": _l("“%(label)s”: use a dot for decimals, as in %(example)s."),
    "ambiguous_number": _l(
        "“%(label)s”: write %(whole)s or %(decimal)s; with a dot, the number could be read either way."
    ),
    "float_type": _l("Enter a number."),
    "finite_number": _l("Enter a finite number."),
    "date_parsing": _l("Enter a date as YYYY-MM-DD."),
    "date_type": _l("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": _l("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": _l("Enter a date as YYYY-MM-DD."),
    "bool_parsing": _l("Choose yes or no."),
    "bool_type": _l("Choose yes or no."),
    "greater_than_equal": _l("Enter %(ge)s or more."),
    "less_than_equal": _l("Enter %(le)s or less."),
    "greater_than": _l("Enter more than %(gt)s."),
    "less_than": _l("Enter less than %(lt)s."),
    "out_of_range": _l("Enter a number from %(ge)s to %(le)s."),
    "literal_error": _l("Choose one of the offered values."),
    "enum": _l("Choose one of the offered values."),
    "string_pattern_mismatch": _l("Choose one of the offered values."),
    "unknown_sort": _l("Choose one of the offered values."),
    "invalid_cursor": _l("This link does not lead to a page of the list: use the list's own links."),
    "cursor_of_another_sort": _l("This link leads to a page of the list in another order."),
    "after_and_before": _l("A page is read after one client or before another, not both."),
    "probability_range": _l("Enter a probability between 0 and 1."),
    "date_format": _l("Write the date as one of: %(accepted)s."),
    "date_too_early": _l("Enter a date from %(earliest)s on."),
    "date_in_future": _l("The date must not be in the future."),
    "before_registration": _l("The date must not be before the client registered."),
    "week_exceeds_month": _l("Cannot exceed the visits of the last 30 days (a week is part of the month)."),
    "outcome_required": _l(
        "Fill in the sales of the following month, whether the client bought within 14 days, or both."
    ),
    "implausible_value": _l(
        "“%(label)s” is far beyond the usual: 99%% of the company's values are at most %(typical_max)s. "
        "Check it, or confirm below that it is right."
    ),
    "bands_out_of_order": _l("“High from” must be more than “Medium from”."),
    "value_required": _l(
        "Enter the worth of a client who buys, or value a conversion at the client's sales forecast."
    ),
    "no_forecasts": _l("No client has a sales forecast yet: score the clients first."),
    "unknown_currency": _l("Choose a currency by its ISO 4217 code, such as PLN or EUR."),
    "email_taken": _l("This email is already taken."),
    "passwords_differ": _l("Type the same new password twice."),
    "wrong_password": _l("This is not your current password."),
    "unknown_client": _l("No client has this email."),
    "snapshot_exists": _l("This client already has a snapshot on that date."),
    "after_first_snapshot": _l(
        "The client cannot register after their first snapshot (%(first_observed_on)s)."
    ),
    "duration_of_visit_only": _l("Only a visit has a duration."),
    "unknown_column": _l("This column is not known."),
    "too_many_values": _l("This line has more values than the header."),
    "invalid_csv": _l("The file is not valid CSV."),
    "not_utf8": _l("The file must be UTF-8 text (CSV)."),
    "empty_file": _l("The file is empty: expected a header line and rows."),
    "control_characters": _l("Use a single line of text, without control characters."),
    "extra_forbidden": _l("This value is not expected here."),
}
REFUSALS_OF_FIELD: Mapping[tuple[str, str], LazyString] = {
    ("role", "literal_error"): _l("Choose a role."),
    ("ids", "too_short"): _l("Tick at least one row of the list."),
    ("ids", "too_long"): _l("Tick at most %(max_length)s rows."),
    ("segment", "enum"): _l("Choose a segment."),
    ("tier", "enum"): _l("Choose a contact priority."),
    ("email", "repeats_line"): _l("Repeats the email of line %(line)s."),
    ("observed_on", "repeats_line"): _l("Repeats the client and date of line %(line)s."),
    ("ordered_at", "date_format"): _l(
        "Write the date, or the date and time, as one of: %(accepted)s (a time without an offset is UTC)."
    ),
    ("occurred_at", "date_format"): _l(
        "Write the date, or the date and time, as one of: %(accepted)s (a time without an offset is UTC)."
    ),
}
"""Where one code reads better said about its field."""

DATE_FORMAT_CODES = frozenset(
    {"date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact", "date_format"}
)
PICKED_DATE_REFUSAL = _l("Choose a date in the calendar.")
"""A date format refused in a form's date field: the calendar shows the reader's format and sends
ISO 8601, so the refusal names neither."""

_DATE_PARAMS = frozenset({"earliest", "registered_on", "today", "first_observed_on"})


class Refusal(Protocol):
    """A field's refusal: a form's `FieldError` or a file's `RowError`."""

    @property
    def field(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def params(self) -> Params: ...


def explain_refusal(refusal: Refusal) -> str:
    """A refusal from the commands or the domain, in the reader's language when the panel knows its code."""
    field, code, params = refusal.field, refusal.code, refusal.params
    if code == "string_too_short" and params.get("min_length") == 1:
        code = "missing"
    elif code == "string_too_short":
        return str(_l("Use at least %(min_length)s characters.")) % _readable(params)
    translation = REFUSALS_OF_FIELD.get((field, code)) or REFUSALS.get(code)
    if translation is None:
        return refusal.message
    try:
        return str(translation) % {"label": field_label(field), **_readable(params)}
    except (KeyError, TypeError, ValueError):
        return refusal.message


def _readable(params: Params) -> dict[str, str]:
    readable: dict[str, str] = {}
    for name, value in params.items():
        if name in _DATE_PARAMS and isinstance(value, str):
            readable[name] = day(date.fromisoformat(value))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            readable[name] = number(value, decimals=0 if float(value).is_integer() else 2)
        else:
            readable[name] = str(value)
    return readable
