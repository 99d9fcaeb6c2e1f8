"""Business settings on SQLAlchemy Core: one JSON document per key in `app_settings`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from adapters.sqlalchemy.statements import rows_changed
from adapters.sqlalchemy.tables import app_settings
from domain.predictions import DecisionThreshold
from domain.segments import SegmentRule

THRESHOLD = "decision_threshold"
SEGMENT_RULE = "segment_rule"


class SqlAlchemySettingsRepository:
    """A setting never changed reads as the domain's default. Never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def threshold(self) -> DecisionThreshold:
        stored = self._read(THRESHOLD)
        return DecisionThreshold() if stored is None else DecisionThreshold(stored["value"])

    def set_threshold(self, threshold: DecisionThreshold, changed_by: str, at: datetime) -> None:
        self._write(THRESHOLD, {"value": threshold.value}, changed_by, at)

    def segment_rule(self) -> SegmentRule:
        stored = self._read(SEGMENT_RULE)
        return SegmentRule() if stored is None else SegmentRule(stored["medium_from"], stored["high_from"])

    def set_segment_rule(self, rule: SegmentRule, changed_by: str, at: datetime) -> None:
        bands = {"medium_from": rule.medium_from, "high_from": rule.high_from}
        self._write(SEGMENT_RULE, bands, changed_by, at)

    def _read(self, key: str) -> Any:
        return self.session.scalar(select(app_settings.c.value).where(app_settings.c.key == key))

    def _write(self, key: str, value: dict[str, float], changed_by: str, at: datetime) -> None:
        row = {"value": value, "updated_by": changed_by, "updated_at": at}
        changed = update(app_settings).where(app_settings.c.key == key).values(row)
        if rows_changed(self.session, changed) == 0:
            self.session.execute(insert(app_settings).values(key=key, **row))
