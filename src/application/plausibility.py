"""Values far outside what the company's data shows, which are asked to be confirmed before they are stored.

A value is unusual when it is more than `UNUSUAL_MULTIPLE` times the `TYPICAL_PERCENT`th percentile of
its field over the snapshots stored: a typing slip (a decimal comma lost, a zero too many) rather than
a client. With fewer than `MIN_KNOWN_VALUES` values, or a percentile of zero, the data says nothing of
what is usual, and nothing is asked.
"""

from __future__ import annotations

from collections.abc import Mapping

from application.ports import ActivityRepository
from application.validation import InvalidInput
from domain.errors import FieldError

UNUSUAL_MULTIPLE = 10
TYPICAL_PERCENT = 99
MIN_KNOWN_VALUES = 20
CHECKED_FIELDS = (
    "purchases_30d",
    "avg_basket_value",
    "site_visits_30d",
    "visits_7d",
    "ad_clicks_7d",
    "sales_next_month",
)
"""The snapshot's counts and amounts, whose scale is the company's own (days and minutes have natural
bounds of their own)."""


class UnusualValues(InvalidInput):
    """Values far outside the company's usual ones, not stored unless confirmed; nothing was changed."""

    code = "implausible_value"


def refuse_unusual(values: Mapping[str, object], activity: ActivityRepository) -> None:
    """Raise UnusualValues naming each unusual value among `values`, with its field's typical range."""
    problems = [
        problem
        for field in CHECKED_FIELDS
        if (problem := _unusual(field, values.get(field), activity)) is not None
    ]
    if problems:
        raise UnusualValues(problems)


def _unusual(field: str, value: object, activity: ActivityRepository) -> FieldError | None:
    if not isinstance(value, int | float) or value <= 0:
        return None
    typical = activity.percentile(field, TYPICAL_PERCENT)
    if typical is None or typical.known < MIN_KNOWN_VALUES or typical.value <= 0:
        return None
    if value <= typical.value * UNUSUAL_MULTIPLE:
        return None
    return FieldError(
        field,
        "implausible_value",
        f"is more than {UNUSUAL_MULTIPLE} times the company's {TYPICAL_PERCENT}th percentile of this value "
        f"({typical.value:g}); confirm it to store it",
        {
            "value": value,
            "typical_max": typical.value,
            "percent": TYPICAL_PERCENT,
            "multiple": UNUSUAL_MULTIPLE,
        },
    )
