"""The composition root: the one place that picks which adapter serves each port."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.clock import SystemClock
from adapters.hashing import WerkzeugPasswordHasher
from adapters.sqlalchemy import SqlAlchemyUnitOfWork, make_engine, make_session_factory
from entrypoints.settings import Settings


class Container(containers.DeclarativeContainer):
    wiring_config = containers.WiringConfiguration(packages=["entrypoints.web"])

    settings = providers.Singleton(Settings)

    engine = providers.Singleton(make_engine, url=settings.provided.database_url)
    session_factory = providers.Singleton(make_session_factory, engine=engine)
    uow = providers.Factory(SqlAlchemyUnitOfWork, session_factory=session_factory)

    clock = providers.Singleton(SystemClock)
    password_hasher = providers.Singleton(WerkzeugPasswordHasher)


def build_container(settings: Settings) -> Container:
    container = Container()
    container.settings.override(providers.Object(settings))
    return container
