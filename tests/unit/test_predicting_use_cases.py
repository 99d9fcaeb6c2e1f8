import math
from dataclasses import replace
from datetime import date, timedelta

import pytest

from adapters.clock import FixedClock
from application.business_settings import change_segment_rule, change_threshold
from application.commands import SegmentBands, ThresholdChange
from application.predicting import (
    ActiveModels,
    NoActivityYet,
    explain_client,
    predict_all,
    predict_client,
    what_if,
)
from application.queries import client_overview
from application.training import activate_version, queue_training, run_training
from application.validation import InvalidInput
from domain.errors import ClientNotFound
from domain.features import NEVER_BOUGHT, PURCHASE_FEATURES, PURCHASE_HISTORY, SALES_FEATURES
from domain.model_runs import ModelNotTrained
from domain.predictions import ModelKind
from domain.segments import SegmentRule
from domain.tiers import TierCuts, expected_value
from unit.ml_fakes import NOW, FakeModelStore, FakePredictor, FakeTrainer, add_client_with_history


@pytest.fixture
def model_store() -> FakeModelStore:
    return FakeModelStore()


@pytest.fixture
def models(model_store) -> ActiveModels:
    return ActiveModels(model_store)


@pytest.fixture
def trained(uow, clock, model_store) -> list[int]:
    """Sixty clients with history, and both models trained; returns the client ids."""
    ids = [add_client_with_history(uow, n).id for n in range(60)]
    trainer = FakeTrainer()
    for kind in ModelKind:
        run = queue_training(kind, "admin@example.com", uow, clock)
        run_training(run.id, uow, trainer, model_store, clock)
    return ids


def test_predicting_without_a_trained_model_says_so(uow, clock, models) -> None:
    client = add_client_with_history(uow, 1)
    with pytest.raises(ModelNotTrained, match="not trained yet"):
        predict_client(client.id, uow, models, FakePredictor(), clock)


def test_predicting_for_an_unknown_client_is_not_found(uow, clock, models, trained) -> None:
    with pytest.raises(ClientNotFound):
        predict_client(9999, uow, models, FakePredictor(), clock)


def test_a_client_without_activity_cannot_be_scored(uow, clock, models, trained) -> None:
    from datetime import date

    from domain.clients import Client

    with uow:
        client = uow.clients.add(Client("Jan", "Bez", "jan.bez@example.com", date(2025, 1, 1)))
        uow.commit()
    with pytest.raises(NoActivityYet):
        predict_client(client.id, uow, models, FakePredictor(), clock)


def test_a_prediction_is_stored_as_current_with_threshold_and_versions(uow, clock, models, trained) -> None:
    result = predict_client(trained[7], uow, models, FakePredictor(), clock)
    assert result.purchase.probability == pytest.approx(0.7)
    assert result.purchase.will_buy is True  # 0.7 >= 0.70: at the threshold counts as yes
    assert result.purchase.threshold == 0.70
    assert (result.forecast.model_version, result.purchase.model_version) == (1, 1)
    with uow:
        forecast, purchase = uow.predictions.current(trained[7])
    assert forecast and forecast.value == result.forecast.value
    assert purchase and (purchase.probability, purchase.will_buy) == (0.7, True)


def test_reasons_cover_every_feature_largest_first(uow, clock, models, trained) -> None:
    result = predict_client(trained[9], uow, models, FakePredictor(), clock)
    assert {r.feature for r in result.sales_reasons} == set(SALES_FEATURES.names)
    assert {r.feature for r in result.purchase_reasons} == set(PURCHASE_FEATURES.names)
    sizes = [abs(r.contribution) for r in result.sales_reasons]
    assert sizes == sorted(sizes, reverse=True)
    assert explain_client(trained[9], uow, models, FakePredictor()) == (
        result.sales_reasons,
        result.purchase_reasons,
    )


def test_a_client_who_never_bought_has_one_purchase_history_reason_instead_of_its_features(
    uow, clock, models, trained
) -> None:
    never_bought = trained[20]  # no purchase in the last 30 days and no last purchase
    result = predict_client(never_bought, uow, models, FakePredictor(), clock)
    for reasons, features in (
        (result.sales_reasons, SALES_FEATURES),
        (result.purchase_reasons, PURCHASE_FEATURES),
    ):
        assert {r.feature for r in reasons} == {NEVER_BOUGHT, *(set(features.names) - PURCHASE_HISTORY)}
        assert next(r for r in reasons if r.feature == NEVER_BOUGHT).value is None


def test_a_new_threshold_applies_to_new_decisions_only(uow, clock, models, trained) -> None:
    before = predict_client(trained[6], uow, models, FakePredictor(), clock)
    later = FixedClock(NOW + timedelta(minutes=5))
    change_threshold(ThresholdChange.parse({"threshold": 0.5}), "admin@example.com", uow, later)
    after = predict_client(trained[6], uow, models, FakePredictor(), later)
    assert (before.purchase.will_buy, before.purchase.threshold) == (False, 0.70)
    assert (after.purchase.will_buy, after.purchase.threshold) == (True, 0.5)
    with uow:
        history = uow.predictions.history(trained[6])
    assert [p.threshold for _, p in history if p] == [0.5, 0.70]


def test_forecasts_are_never_negative(uow, clock, models, trained) -> None:
    class Pessimist(FakePredictor):
        def predict(self, kind, model, rows):
            return [-5.0] * len(rows) if kind is ModelKind.SALES else super().predict(kind, model, rows)

    result = predict_client(trained[0], uow, models, Pessimist(), clock)
    assert result.forecast.value == 0.0


def test_batch_scoring_gives_every_client_with_activity_a_current_prediction(
    uow, clock, models, trained
) -> None:
    told: list[tuple[int, int | None]] = []

    report = predict_all(
        uow, models, FakePredictor(), clock, clients_per_part=7, progress=lambda *p: told.append(p)
    )

    assert report.clients_scored == 60
    assert told == [(done, 60) for done in (*range(7, 60, 7), 60)]
    with uow:
        assert all(uow.predictions.current(client_id)[0] is not None for client_id in trained)


def test_the_first_batch_scoring_fits_the_segments_to_the_forecasts_and_later_ones_keep_them(
    uow, clock, models, trained
) -> None:
    first = predict_all(uow, models, FakePredictor(), clock, clients_per_part=7)
    with uow:
        forecasts = [uow.predictions.current(client_id)[0].value for client_id in trained]
        fitted = uow.settings.segment_rule()
    assert first.fitted_segments == fitted == SegmentRule.fitted_to(forecasts)

    assert predict_all(uow, models, FakePredictor(), clock).fitted_segments is None


def test_segments_an_admin_set_are_never_fitted_over(uow, clock, models, trained) -> None:
    change_segment_rule(
        SegmentBands.parse({"medium_from": 10, "high_from": 20}), "admin@example.com", uow, clock
    )
    assert predict_all(uow, models, FakePredictor(), clock).fitted_segments is None
    with uow:
        assert uow.settings.segment_rule() == SegmentRule(10, 20)


def test_the_active_model_is_loaded_once_and_reloaded_when_the_version_changes(
    uow, clock, models, model_store, trained
) -> None:
    predict_all(uow, models, FakePredictor(), clock, clients_per_part=10)
    predict_client(trained[0], uow, models, FakePredictor(), clock)
    assert model_store.loads == 2  # one per kind

    run = queue_training(ModelKind.SALES, "admin@example.com", uow, clock)
    run_training(run.id, uow, FakeTrainer(), model_store, clock)
    predict_client(trained[0], uow, models, FakePredictor(), clock)
    assert model_store.loads == 3

    activate_version(ModelKind.SALES, 1, "admin@example.com", uow, clock)
    result = predict_client(trained[0], uow, models, FakePredictor(), clock)
    assert model_store.loads == 4 and result.forecast.model_version == 1


def test_prediction_uses_exactly_the_features_the_model_was_trained_on(uow, clock, models) -> None:
    ids = [add_client_with_history(uow, n, unknown=("ad_clicks_7d",)).id for n in range(60)]
    trainer, store = FakeTrainer(), FakeModelStore()
    for kind in ModelKind:
        run_training(queue_training(kind, "admin@example.com", uow, clock).id, uow, trainer, store, clock)
    predictor = FakePredictor()

    result = predict_client(ids[4], uow, ActiveModels(store), predictor, clock)

    assert {len(row) for row in predictor.rows[ModelKind.PURCHASE]} == {4}
    assert {r.feature for r in result.purchase_reasons} == set(PURCHASE_FEATURES.names) - {"ad_clicks_7d"}
    assert {r.feature for r in result.sales_reasons} == set(SALES_FEATURES.names)


def test_a_used_feature_unknown_for_the_client_reaches_the_model_as_unknown_never_as_zero(
    uow, clock, models, trained
) -> None:
    client = add_client_with_history(uow, 70, unknown_in_newest=("visits_7d", "time_on_site_7d"))
    predictor = FakePredictor()

    result = predict_client(client.id, uow, models, predictor, clock)

    row = predictor.rows[ModelKind.PURCHASE][0]
    assert math.isnan(row[PURCHASE_FEATURES.names.index("visits_7d")])
    assert math.isnan(row[PURCHASE_FEATURES.names.index("time_on_site_7d")])
    unknown = {r.feature: r.value for r in result.purchase_reasons if r.value is None}
    assert set(unknown) == {"visits_7d", "time_on_site_7d"}


def test_what_if_scores_the_newest_snapshot_with_the_changes_and_stores_nothing(
    uow, clock, models, trained
) -> None:
    with uow:
        before = (uow.activity.newest_row(trained[3]), uow.predictions.history(trained[3]))
    current = predict_client(trained[3], uow, models, FakePredictor(), clock)
    with uow:
        history = uow.predictions.history(trained[3])

    result = what_if(
        trained[3], {"visits_7d": "8", "avg_basket_value": "250,5"}, uow, models, FakePredictor(), clock
    )

    assert (result.snapshot.visits_7d, result.snapshot.avg_basket_value) == (8, 250.5)
    assert result.snapshot.observed_on == before[0].snapshot.observed_on
    assert result.prediction.purchase.probability == pytest.approx(0.8)  # 3 visits before: 0.3
    assert result.prediction.forecast.value > current.forecast.value
    visits = next(r for r in result.prediction.purchase_reasons if r.feature == "visits_7d")
    assert visits.value == 8
    with uow:
        assert uow.predictions.history(trained[3]) == history
        assert uow.activity.newest_row(trained[3]) == before[0]


def test_what_if_a_behavioural_feature_becomes_unknown_when_given_as_null(
    uow, clock, models, trained
) -> None:
    result = what_if(trained[5], {"visits_7d": None}, uow, models, FakePredictor(), clock)
    assert result.snapshot.visits_7d is None
    assert next(r for r in result.prediction.purchase_reasons if r.feature == "visits_7d").value is None


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"observed_on": "2026-01-01"}, "observed_on", "extra_forbidden"),
        ({"sales_next_month": 10}, "sales_next_month", "extra_forbidden"),
        ({"site_visits_30d": -1}, "site_visits_30d", "greater_than_equal"),
        ({"purchases_30d": None}, "purchases_30d", "missing"),
        ({"site_visits_30d": 1, "visits_7d": 5}, "visits_7d", "week_exceeds_month"),
        ({"site_visits_30d": 0}, "visits_7d", "week_exceeds_month"),  # against the snapshot's 3 visits
    ],
)
def test_what_if_refuses_changes_naming_the_field(uow, clock, models, trained, changes, field, code) -> None:
    with pytest.raises(InvalidInput) as refused:
        what_if(trained[3], changes, uow, models, FakePredictor(), clock)
    assert [(e.field, e.code) for e in refused.value.errors] == [(field, code)]


def test_what_if_is_refused_as_a_prediction_is(uow, clock, models) -> None:
    client = add_client_with_history(uow, 1)
    with pytest.raises(ModelNotTrained):
        what_if(client.id, {}, uow, models, FakePredictor(), clock)
    with pytest.raises(ClientNotFound):
        what_if(9999, {}, uow, models, FakePredictor(), clock)


def test_what_if_needs_a_snapshot(uow, clock, models, trained) -> None:
    from datetime import date

    from domain.clients import Client

    with uow:
        client = uow.clients.add(Client("Jan", "Bez", "jan.bez@example.com", date(2025, 1, 1)))
        uow.commit()
    with pytest.raises(NoActivityYet):
        what_if(client.id, {"visits_7d": 1}, uow, models, FakePredictor(), clock)


def test_every_batch_scoring_fits_the_contact_tiers_to_what_each_client_is_worth_now(
    uow, clock, models, trained
) -> None:
    first = predict_all(uow, models, FakePredictor(), clock, clients_per_part=7)
    with uow:
        worth = [expected_value(p.probability, f.value) for f, p in map(uow.predictions.current, trained)]
        assert first.fitted_tiers == uow.settings.tier_cuts() == TierCuts.fitted_to(worth)

    with uow:  # what half the clients are worth changes: the next batch fits the tiers again
        for client_id in trained[:30]:
            newest = uow.activity.newest_row(client_id).snapshot
            uow.activity.add(replace(newest, id=None, observed_on=date(2026, 4, 28), visits_7d=10))
        uow.commit()
    again = predict_all(uow, models, FakePredictor(), clock)
    assert again.fitted_tiers is not None and again.fitted_tiers != first.fitted_tiers
    with uow:
        assert uow.settings.tier_cuts() == again.fitted_tiers


def test_a_client_scored_alone_is_placed_by_the_cut_points_of_the_last_batch(
    uow, clock, models, trained
) -> None:
    cuts = predict_all(uow, models, FakePredictor(), clock).fitted_tiers
    assert cuts is not None
    predict_client(trained[0], uow, models, FakePredictor(), clock)

    overview = client_overview(trained[0], uow)
    worth = expected_value(overview.purchase.probability, overview.forecast.value)
    assert overview.tier is not None and overview.tier is cuts.tier_of(worth)
    with uow:
        assert uow.settings.tier_cuts() == cuts


def test_without_a_batch_scoring_a_client_has_no_tier(uow, clock, models, trained) -> None:
    predict_client(trained[0], uow, models, FakePredictor(), clock)

    assert client_overview(trained[0], uow).tier is None
