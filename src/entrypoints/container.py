"""The composition root: the one place that picks which adapter serves each port."""

from __future__ import annotations

from typing import cast

from dependency_injector import containers, providers
from flask import current_app

from adapters.clock import SystemClock
from adapters.hashing import WerkzeugPasswordHasher
from adapters.joblib_store import JoblibModelStore
from adapters.jobs import ThreadJobRunner
from adapters.sklearn_models import SklearnModelPredictor, SklearnModelTrainer
from adapters.sqlalchemy import SqlAlchemyUnitOfWork, make_engine, make_session_factory
from application.predicting import ActiveModels
from entrypoints.settings import Settings


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)

    engine = providers.Singleton(make_engine, url=settings.provided.database_url)
    session_factory = providers.Singleton(make_session_factory, engine=engine)
    uow = providers.Factory(SqlAlchemyUnitOfWork, session_factory=session_factory)

    clock = providers.Singleton(SystemClock)
    password_hasher = providers.Singleton(WerkzeugPasswordHasher)

    model_store = providers.Singleton(JoblibModelStore, directory=settings.provided.models_path)
    trainer = providers.Singleton(SklearnModelTrainer, seed=42)
    predictor = providers.Singleton(SklearnModelPredictor)
    # One loaded copy of each active model per process, shared by every request thread.
    active_models = providers.ThreadSafeSingleton(ActiveModels, store=model_store)
    job_runner = providers.ThreadSafeSingleton(ThreadJobRunner)


def build_container(settings: Settings) -> Container:
    container = Container()
    container.settings.override(providers.Object(settings))
    return container


def current_container() -> Container:
    """The container of the app serving this request or command. Each app has its own (tests run
    several in one process), so callers look it up each time rather than through module-wide wiring."""
    return cast(Container, current_app.extensions["container"])
