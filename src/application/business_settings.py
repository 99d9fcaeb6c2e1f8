"""Use cases for the settings an admin changes at run time: the decision threshold, the segment bands and
the company's currency."""

from __future__ import annotations

from application.commands import CurrencyChange, SegmentBands, ThresholdChange
from application.ports import Clock, UnitOfWork
from domain.currency import Currency
from domain.predictions import DecisionThreshold
from domain.segments import SegmentRule


def current_threshold(uow: UnitOfWork) -> DecisionThreshold:
    with uow:
        return uow.settings.threshold()


def change_threshold(
    command: ThresholdChange, changed_by: str, uow: UnitOfWork, clock: Clock
) -> DecisionThreshold:
    """New decisions use the new threshold; stored predictions keep the one they were made with."""
    threshold = DecisionThreshold(command.threshold)
    with uow:
        uow.settings.set_threshold(threshold, changed_by, clock.now())
        uow.commit()
    return threshold


def current_segment_rule(uow: UnitOfWork) -> SegmentRule:
    with uow:
        return uow.settings.segment_rule()


def change_segment_rule(command: SegmentBands, changed_by: str, uow: UnitOfWork, clock: Clock) -> SegmentRule:
    rule = SegmentRule(medium_from=command.medium_from, high_from=command.high_from)
    with uow:
        uow.settings.set_segment_rule(rule, changed_by, clock.now())
        uow.commit()
    return rule


def current_currency(uow: UnitOfWork) -> Currency:
    with uow:
        return uow.settings.currency()


def change_currency(command: CurrencyChange, changed_by: str, uow: UnitOfWork, clock: Clock) -> Currency:
    """Say what the company's amounts are in; amounts on record are not converted."""
    currency = Currency(command.currency)
    with uow:
        uow.settings.set_currency(currency, changed_by, clock.now())
        uow.commit()
    return currency
