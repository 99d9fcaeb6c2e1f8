"""Business settings in memory: a setting never changed reads as the domain's default."""

from __future__ import annotations

from datetime import datetime

from adapters.memory.store import InMemoryStore
from application.ports import DemoCompany
from domain.currency import Currency
from domain.predictions import DecisionThreshold
from domain.segments import SegmentRule
from domain.tiers import TierCuts


class InMemorySettingsRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def threshold(self) -> DecisionThreshold:
        return self.store.settings.get("threshold", DecisionThreshold())

    def set_threshold(self, threshold: DecisionThreshold, changed_by: str, at: datetime) -> None:
        self.store.settings["threshold"] = threshold

    def segment_rule(self) -> SegmentRule:
        return self.store.settings.get("segment_rule", SegmentRule())

    def set_segment_rule(self, rule: SegmentRule, changed_by: str, at: datetime) -> None:
        self.store.settings["segment_rule"] = rule

    def segment_rule_is_set(self) -> bool:
        return "segment_rule" in self.store.settings

    def currency(self) -> Currency:
        return self.store.settings.get("currency", Currency())

    def set_currency(self, currency: Currency, changed_by: str, at: datetime) -> None:
        self.store.settings["currency"] = currency

    def demo_company(self) -> DemoCompany | None:
        company: DemoCompany | None = self.store.settings.get("demo_company")
        return company

    def set_demo_company(self, company: DemoCompany, changed_by: str, at: datetime) -> None:
        self.store.settings["demo_company"] = company

    def tier_cuts(self) -> TierCuts | None:
        return self.store.settings.get("tier_cuts")

    def set_tier_cuts(self, cuts: TierCuts, changed_by: str, at: datetime) -> None:
        self.store.settings["tier_cuts"] = cuts
