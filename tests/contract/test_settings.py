"""The settings repository: threshold, segment bands and currency, each a default until changed; the demo
company, once seeded."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from application.ports import DemoCompany
from contract.examples import UnitOfWorkFactory, later
from domain.currency import Currency
from domain.predictions import DEFAULT_THRESHOLD, DecisionThreshold
from domain.segments import SegmentRule
from domain.tiers import TierCuts


def test_the_threshold_is_the_default_until_an_admin_changes_it(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.settings.threshold() == DecisionThreshold() == DecisionThreshold(DEFAULT_THRESHOLD)


def test_a_changed_threshold_is_what_every_later_unit_of_work_reads(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.settings.set_threshold(DecisionThreshold(0.55), "admin@example.pl", later(0))
        uow.commit()

    with uow_factory() as uow:
        assert uow.settings.threshold() == DecisionThreshold(0.55)


def test_the_threshold_can_be_changed_again_and_again(uow_factory: UnitOfWorkFactory) -> None:
    for hour, value in enumerate([0.55, 0.9, 0.6]):
        with uow_factory() as uow:
            uow.settings.set_threshold(DecisionThreshold(value), "admin@example.pl", later(hour))
            uow.commit()

    with uow_factory() as uow:
        assert uow.settings.threshold() == DecisionThreshold(0.6)


def test_a_threshold_change_not_committed_is_rolled_back(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.settings.set_threshold(DecisionThreshold(0.3), "admin@example.pl", later(0))
        assert uow.settings.threshold() == DecisionThreshold(0.3)

    with uow_factory() as uow:
        assert uow.settings.threshold() == DecisionThreshold()


def test_the_segment_rule_is_the_default_until_an_admin_changes_it(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.settings.segment_rule() == SegmentRule()
        assert not uow.settings.segment_rule_is_set()


def test_a_segment_rule_set_once_is_set_even_when_it_equals_the_default(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.settings.set_segment_rule(SegmentRule(), "admin@example.pl", later(0))
        uow.commit()
    with uow_factory() as uow:
        assert uow.settings.segment_rule_is_set() and uow.settings.segment_rule() == SegmentRule()


def test_a_changed_segment_rule_is_what_every_later_unit_of_work_reads(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.settings.set_segment_rule(
            SegmentRule(medium_from=250.5, high_from=2000), "admin@example.pl", later(0)
        )
        uow.commit()
    with uow_factory() as uow:
        uow.settings.set_segment_rule(
            SegmentRule(medium_from=400, high_from=1500), "admin@example.pl", later(1)
        )
        uow.commit()

    with uow_factory() as uow:
        assert uow.settings.segment_rule() == SegmentRule(medium_from=400, high_from=1500)


def test_the_threshold_and_the_segment_rule_are_independent(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.settings.set_segment_rule(
            SegmentRule(medium_from=250.5, high_from=2000), "admin@example.pl", later(0)
        )
        uow.commit()

    with uow_factory() as uow:
        assert uow.settings.threshold() == DecisionThreshold()
        assert uow.settings.segment_rule() == SegmentRule(medium_from=250.5, high_from=2000)


def test_the_currency_is_pln_until_an_admin_changes_it(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.settings.currency() == Currency() == Currency("PLN")


def test_a_changed_currency_is_what_every_later_unit_of_work_reads_and_leaves_the_rest_alone(
    uow_factory: UnitOfWorkFactory,
) -> None:
    for at, code in enumerate(("EUR", "CZK")):
        with uow_factory() as uow:
            uow.settings.set_currency(Currency(code), "admin@example.pl", later(at))
            uow.commit()

    with uow_factory() as uow:
        assert uow.settings.currency() == Currency("CZK")
        assert uow.settings.threshold() == DecisionThreshold()
        assert uow.settings.segment_rule() == SegmentRule()


def test_the_demo_company_is_recorded_and_moved_on(uow_factory: UnitOfWorkFactory) -> None:
    seeded = DemoCompany(clients=300, seed=7, logs_from=date(2025, 8, 1), through=date(2025, 11, 30))
    with uow_factory() as uow:
        assert uow.settings.demo_company() is None
        uow.settings.set_demo_company(seeded, "demo data", later(0))
        uow.commit()
    with uow_factory() as uow:
        uow.settings.set_demo_company(replace(seeded, through=date(2025, 12, 31)), "demo data", later(1))
        uow.commit()

    with uow_factory() as uow:
        assert uow.settings.demo_company() == replace(seeded, through=date(2025, 12, 31))
        assert uow.settings.currency() == Currency()


def test_there_are_no_tier_cut_points_until_a_batch_scoring_fits_them(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.settings.tier_cuts() is None


def test_tier_cut_points_fitted_again_are_what_every_later_unit_of_work_reads(
    uow_factory: UnitOfWorkFactory,
) -> None:
    for hour, cuts in enumerate([TierCuts(900.5, 300.25, 12.0), TierCuts(800.0, 250.0, 0.0)]):
        with uow_factory() as uow:
            uow.settings.set_tier_cuts(cuts, "batch scoring", later(hour))
            uow.commit()

    with uow_factory() as uow:
        assert uow.settings.tier_cuts() == TierCuts(800.0, 250.0, 0.0)
