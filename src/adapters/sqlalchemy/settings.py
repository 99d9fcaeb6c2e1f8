"""Business settings on SQLAlchemy Core: one JSON document per key in `app_settings`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from adapters.sqlalchemy.statements import rows_changed
from adapters.sqlalchemy.tables import app_settings
from application.ports import DemoCompany
from domain.currency import Currency
from domain.predictions import DecisionThreshold
from domain.segments import SegmentRule
from domain.tiers import TierCuts

THRESHOLD = "decision_threshold"
SEGMENT_RULE = "segment_rule"
CURRENCY = "currency"
DEMO_COMPANY = "demo_company"
TIER_CUTS = "tier_cuts"

S = TypeVar("S", DecisionThreshold, SegmentRule, Currency)

EVERY_SETTING = select(app_settings.c.key, app_settings.c.value)


class SqlAlchemySettingsRepository:
    """A setting never changed reads as the domain's default. Never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._stored: dict[str, Any] | None = None

    def threshold(self) -> DecisionThreshold:
        return self._read(THRESHOLD, DecisionThreshold)

    def set_threshold(self, threshold: DecisionThreshold, changed_by: str, at: datetime) -> None:
        self._write(THRESHOLD, threshold, changed_by, at)

    def segment_rule(self) -> SegmentRule:
        return self._read(SEGMENT_RULE, SegmentRule)

    def set_segment_rule(self, rule: SegmentRule, changed_by: str, at: datetime) -> None:
        self._write(SEGMENT_RULE, rule, changed_by, at)

    def segment_rule_is_set(self) -> bool:
        return self._document(SEGMENT_RULE) is not None

    def currency(self) -> Currency:
        return self._read(CURRENCY, Currency)

    def set_currency(self, currency: Currency, changed_by: str, at: datetime) -> None:
        self._write(CURRENCY, currency, changed_by, at)

    def demo_company(self) -> DemoCompany | None:
        stored = self._document(DEMO_COMPANY)
        if stored is None:
            return None
        days = {name: date.fromisoformat(stored[name]) for name in ("logs_from", "through")}
        return DemoCompany(clients=stored["clients"], seed=stored["seed"], **days)

    def set_demo_company(self, company: DemoCompany, changed_by: str, at: datetime) -> None:
        """Its dates are held as ISO text, as JSON has no dates."""
        document = asdict(company) | {
            "logs_from": company.logs_from.isoformat(),
            "through": company.through.isoformat(),
        }
        self._write_document(DEMO_COMPANY, document, changed_by, at)

    def tier_cuts(self) -> TierCuts | None:
        return tier_cuts_in(self._documents())

    def set_tier_cuts(self, cuts: TierCuts, changed_by: str, at: datetime) -> None:
        self._write(TIER_CUTS, cuts, changed_by, at)

    def _read(self, key: str, setting: type[S]) -> S:
        return setting_in(self._documents(), key, setting)

    def _document(self, key: str) -> Any:
        return self._documents().get(key)

    def _documents(self) -> dict[str, Any]:
        """Every setting is read in one query, the first time one is asked for in the transaction (a
        request reads several)."""
        if self._stored is None:
            self._stored = {key: value for key, value in self.session.execute(EVERY_SETTING)}
        return self._stored

    def _write(self, key: str, setting: S | TierCuts, changed_by: str, at: datetime) -> None:
        self._write_document(key, asdict(setting), changed_by, at)

    def _write_document(self, key: str, document: dict[str, Any], changed_by: str, at: datetime) -> None:
        row = {"value": document, "updated_by": changed_by, "updated_at": at}
        changed = update(app_settings).where(app_settings.c.key == key).values(row)
        if rows_changed(self.session, changed) == 0:
            self.session.execute(insert(app_settings).values(key=key, **row))
        if self._stored is not None:
            self._stored[key] = document


def setting_in(documents: Mapping[str, Any], key: str, setting: type[S]) -> S:
    """A setting from the stored documents (each holds its setting's fields by name); never changed, the
    domain's default."""
    stored = documents.get(key)
    return setting() if stored is None else setting(**stored)


def tier_cuts_in(documents: Mapping[str, Any]) -> TierCuts | None:
    stored = documents.get(TIER_CUTS)
    return None if stored is None else TierCuts(**stored)
