"""The client page's "What if…" card: the newest snapshot's values to change, and the predictions they
would give beside the current ones. Nothing is stored; the card's script asks the API the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from application.commands import SnapshotChanges
from application.predicting import WhatIf
from application.queries import ClientOverview
from domain.activity import ActivitySnapshot
from entrypoints.web.explaining import FACTORS_EACH_WAY, Factors, in_points, top_factors
from entrypoints.web.formatting import company_currency, money
from entrypoints.web.forms import WhatIfForm
from entrypoints.web.labels import FEATURE_LABELS, MODEL_LABELS
from entrypoints.web.numbers import written_number


@dataclass(frozen=True)
class WhatIfCard:
    form: WhatIfForm
    result: WhatIf | None = None
    problem: str | None = None
    """Why there is no result (a model not trained or not loadable)."""
    open: bool = False

    @property
    def factors(self) -> list[Factors]:
        if self.result is None:
            return []
        return top_factors(self.result.prediction.sales_reasons, self.result.prediction.purchase_reasons)

    def forecast_change(self, current: float) -> str:
        """The tried forecast against the current one, in money with its sign."""
        assert self.result is not None
        difference = self.result.prediction.forecast.value - current
        return ("+" if difference >= 0 else "") + money(difference)

    def chance_change(self, current: float) -> str:
        """The tried chance against the current one, in percentage points."""
        assert self.result is not None
        return in_points(self.result.prediction.purchase.probability - current)


def what_if_card(
    newest: ActivitySnapshot,
    form: WhatIfForm | None = None,
    result: WhatIf | None = None,
    problem: str | None = None,
) -> WhatIfCard:
    """The card with the values tried (or the newest snapshot's) and, once tried, what they give."""
    shown = form or WhatIfForm(formdata=None, prefix="whatif", data=_written_values(newest))
    return WhatIfCard(shown, result, problem, open=form is not None)


def _written_values(snapshot: ActivitySnapshot) -> dict[str, str]:
    """The snapshot's values as the form shows them to be edited, in the panel's language."""
    values = {}
    for name in SnapshotChanges.model_fields:
        value = getattr(snapshot, name)
        if value is None:
            values[name] = ""
        elif isinstance(value, bool):
            values[name] = str(value).lower()
        else:
            values[name] = written_number(value, get_locale())
    return values


def script_settings(overview: ClientOverview) -> dict[str, Any]:
    """What the card's script needs to write a result as the page does."""
    return {
        "locale": str(get_locale()),
        "currency": company_currency(),
        "each_way": FACTORS_EACH_WAY,
        "current": {
            "forecast": None if overview.forecast is None else overview.forecast.value,
            "probability": None if overview.purchase is None else overview.purchase.probability,
        },
        "labels": {name: str(label) for name, label in FEATURE_LABELS.items()},
        "models": {kind.value: str(label) for kind, label in MODEL_LABELS.items()},
        "words": {
            "up": _("Pushing it up"),
            "down": _("Pushing it down"),
            "points": _("%(sign)s%(points)s pp", sign="{sign}", points="{points}"),
            "refused": _("Check the values marked: they cannot be used as they are."),
            "failed": _("The predictions could not be computed now: try again."),
        },
    }
