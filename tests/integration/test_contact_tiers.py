"""Contact tiers on a seeded company, scored by the real models: the shares each tier holds."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.clock import FixedClock
from adapters.joblib_store import JoblibModelStore
from adapters.memory import InMemoryStore, InMemoryUnitOfWork
from adapters.sklearn_models import SklearnModelPredictor, SklearnModelTrainer
from application.commands import ClientListQuery
from application.demo import seed_demo_company
from application.exports import export_clients
from application.predicting import ActiveModels, predict_all
from application.training import activate_version, queue_training, run_training
from domain.candidates import Candidate, FeatureSetName
from domain.predictions import ModelKind
from domain.tiers import ContactTier

CLOCK = FixedClock(datetime(2025, 11, 26, tzinfo=UTC))


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> InMemoryUnitOfWork:
    """A demo company of 1,000 clients over 6 months (seed 7), both extended models trained and active,
    and every client scored."""
    uow = InMemoryUnitOfWork(InMemoryStore())
    seed_demo_company(uow, CLOCK, clients=1000, months=6, seed=7)
    store = JoblibModelStore(Path(tmp_path_factory.mktemp("models")))
    for kind in ModelKind:
        run = queue_training(kind, "admin@example.com", uow, CLOCK, Candidate(FeatureSetName.EXTENDED))
        run = run_training(run.id, uow, SklearnModelTrainer(), store, CLOCK)
        activate_version(kind, run.version, "admin@example.com", uow, CLOCK)
    predict_all(uow, ActiveModels(store), SklearnModelPredictor(), CLOCK)
    return uow


def test_a_batch_splits_a_seeded_company_about_10_20_30_and_40_percent(scored: InMemoryUnitOfWork) -> None:
    tiers = Counter(item.tier for item in export_clients(ClientListQuery(), scored))
    scored_clients = sum(tiers.values()) - tiers[None]

    shares = {tier: tiers[tier] / scored_clients for tier in ContactTier}
    assert shares == pytest.approx(
        {ContactTier.TOP: 0.1, ContactTier.NEXT: 0.2, ContactTier.THIRD: 0.3, ContactTier.REST: 0.4}, abs=0.01
    )
