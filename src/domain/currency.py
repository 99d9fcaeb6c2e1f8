"""The company's currency: every amount Prognoza keeps (baskets, sales, forecasts, segment bands) is in it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import InvalidValue

ISO_4217_CODE = re.compile(r"[A-Z]{3}")
OFFERED_CURRENCIES = ("PLN", "EUR", "USD", "GBP", "CZK", "CHF", "SEK", "NOK", "DKK", "HUF")
"""The codes the panel offers; any other ISO 4217 code may be set through the API."""


@dataclass(frozen=True, slots=True)
class Currency:
    """An ISO 4217 code, PLN unless an admin sets another. Amounts are not converted when it changes:
    it says what the amounts already on record are in."""

    code: str = "PLN"

    def __post_init__(self) -> None:
        if not ISO_4217_CODE.fullmatch(self.code):
            raise InvalidValue(
                "currency",
                "unknown_currency",
                "must be an ISO 4217 code such as PLN or EUR",
                currency=self.code,
            )
