"""Words for the things the panel shows: features, fields, segments, statuses, metrics, and refusals.

Every label a page prints for a name from the code lives here, once, in both languages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from domain.model_runs import RunStatus
from domain.predictions import ModelKind
from domain.segments import Segment
from domain.users import Role
from entrypoints.web.formatting import day, number

ROLE_LABELS = {Role.ADMIN: _l("Administrator"), Role.ANALYST: _l("Analyst")}

SEGMENT_LABELS = {Segment.HIGH: _l("High"), Segment.MEDIUM: _l("Medium"), Segment.LOW: _l("Low")}

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
    "queued": _l("Queued"),
    "running": _l("Running"),
    "succeeded": _l("Finished"),
    "failed": _l("Failed"),
}

METRIC_LABELS = {
    "r2": _l("R²"),
    "mse": _l("MSE"),
    "mae": _l("MAE"),
    "accuracy": _l("Accuracy"),
    "precision": _l("Precision"),
    "recall": _l("Recall"),
    "f1": _l("F1 score"),
    "roc_auc": _l("ROC AUC"),
}
METRIC_MEANINGS = {
    "r2": _l("Share of the variation in sales the model explains; 1 is perfect."),
    "mse": _l("Mean squared error, in PLN²; lower is better."),
    "mae": _l("Mean absolute error: how far off a forecast is on average."),
    "accuracy": _l("Share of clients whose outcome the model got right."),
    "precision": _l("Of the clients it picks as buyers, the share who bought."),
    "recall": _l("Of the clients who bought, the share it picked."),
    "f1": _l("Balance of precision and recall."),
    "roc_auc": _l("How well it ranks buyers above non-buyers; 0.5 is chance."),
}
METRICS_SHOWN = {
    ModelKind.SALES: ("r2", "mse", "mae"),
    ModelKind.PURCHASE: ("accuracy", "precision", "recall", "f1", "roc_auc"),
}
LOWER_IS_BETTER = frozenset({"mse", "mae"})

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
}

FIELD_LABELS: Mapping[str, LazyString] = {
    **FEATURE_LABELS,
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "email": _l("Email"),
    "client_email": _l("Client's email"),
    "registered_on": _l("Registered on"),
    "observed_on": _l("Observed on"),
    "sales_next_month": _l("Sales in the following month"),
    "purchased_next_14d": _l("Bought within 14 days"),
    "password": _l("Password"),
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
    "page": _l("Page"),
    "per_page": _l("Rows per page"),
    "id": _l("ID"),
    "predicted_sales": _l("Forecast"),
    "purchase_probability": _l("Purchase probability"),
}


def field_label(name: str) -> str:
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name


# Refusals come from the commands' rules in English; these patterns say the same in the reader's language.
# A message no pattern knows is shown as it is.
_MESSAGES: tuple[tuple[re.Pattern[str], LazyString], ...] = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
        (r"Field required|column is missing", _l("This value is required.")),
        (r"String should have at least 1 character|must not be empty", _l("This value is required.")),
        (r"String should have at least (?P<limit>\d+) characters", _l("Use at least %(limit)s characters.")),
        (
            r"String should have at most (?P<limit>\d+) characters"
            r"|must be at most (?P<limit2>\d+) characters",
            _l("Use at most %(limit)s characters."),
        ),
        (r"(value )?is not a valid email address.*", _l("Enter a valid email address.")),
        (r"Input should be a valid integer.*|must be a whole number", _l("Enter a whole number.")),
        (r"Input should be a valid number.*|must be a number", _l("Enter a number.")),
        (r"Input should be a finite number|must be a finite number", _l("Enter a finite number.")),
        (r"Input should be a valid date.*", _l("Enter a date as YYYY-MM-DD.")),
        (r"Input should be a valid boolean.*", _l("Choose yes or no.")),
        (r"Input should be greater than or equal to (?P<limit>[\d.]+)", _l("Enter %(limit)s or more.")),
        (r"must not be negative", _l("Enter 0 or more.")),
        (r"Input should be less than or equal to (?P<limit>[\d.]+)", _l("Enter %(limit)s or less.")),
        (r"Input should be greater than (?P<limit>[\d.]+)", _l("Enter more than %(limit)s.")),
        (r"Input should be less than (?P<limit>[\d.]+)", _l("Enter less than %(limit)s.")),
        (r"Input should be 'admin' or 'analyst'", _l("Choose a role.")),
        (r"Input should be 'high', 'medium' or 'low'", _l("Choose a segment.")),
        (r"must be strictly between 0 and 1", _l("Enter a probability between 0 and 1.")),
        (r"must not be before (?P<date>\d{4}-\d\d-\d\d)", _l("Enter a date from %(date)s on.")),
        (r"must not be in the future", _l("The date must not be in the future.")),
        (
            r"must not be before the client registered",
            _l("The date must not be before the client registered."),
        ),
        (
            r"cannot exceed site_visits_30d.*",
            _l("Cannot exceed the visits of the last 30 days (a week is part of the month)."),
        ),
        (
            r"give sales_next_month, purchased_next_14d or both",
            _l(
                "Fill in the sales of the following month, whether the client bought within 14 days, or both."
            ),
        ),
        (r"high_from must be greater than medium_from", _l("“High from” must be more than “Medium from”.")),
        (r"need 0 < medium_from < high_from.*", _l("“High from” must be more than “Medium from”.")),
        (r"The email .* is already taken\.|is already taken", _l("This email is already taken.")),
        (r"repeats the email of line (?P<line>\d+)", _l("Repeats the email of line %(line)s.")),
        (
            r"repeats the client and date of line (?P<line>\d+)",
            _l("Repeats the client and date of line %(line)s."),
        ),
        (r"no client has this email", _l("No client has this email.")),
        (
            r"this client already has a snapshot on that date"
            r"|Client \d+ already has an activity snapshot on .*",
            _l("This client already has a snapshot on that date."),
        ),
        (r"is not a known column", _l("This column is not known.")),
        (r"has more values than the header has columns", _l("This line has more values than the header.")),
        (r"must be UTF-8 text \(CSV\)", _l("The file must be UTF-8 text (CSV).")),
        (
            r"is empty: expected a header line and rows",
            _l("The file is empty: expected a header line and rows."),
        ),
        (
            r"must not contain control characters.*",
            _l("Use a single line of text, without control characters."),
        ),
        (r"Extra inputs are not permitted", _l("This value is not expected here.")),
        (r"must be one of .*|String should match pattern.*", _l("Choose one of the offered values.")),
    )
)


def translate_message(message: str) -> str:
    """A refusal from the commands or the domain, in the reader's language when the panel knows it."""
    for pattern, translation in _MESSAGES:
        found = pattern.fullmatch(message.strip())
        if found:
            values = {name: _readable(name, value) for name, value in found.groupdict().items() if value}
            if "limit2" in values:
                values["limit"] = values.pop("limit2")
            return str(translation) % values if values else str(translation)
    return message


def _readable(name: str, value: str) -> str:
    if name == "date":
        return day(date.fromisoformat(value))
    try:
        amount = float(value)
    except ValueError:
        return value
    decimals = 0 if amount.is_integer() else len(value.partition(".")[2])
    return number(amount, decimals=decimals)
