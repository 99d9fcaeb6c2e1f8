"""The composition root: the one place that picks which adapter serves each port, and hands each use
case its adapters.

An entrypoint asks for a use case and gives it only its inputs: `container.predict_client()(client_id)`.
Each use case provider binds the adapters by keyword (a fresh unit of work on every call, since `uow`
is a factory), so a test can override one adapter, or one use case, on one app.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar, cast

from dependency_injector import containers, providers
from flask import Flask, current_app

from adapters.clock import CalendarClock, SystemClock
from adapters.hashing import WerkzeugPasswordHasher
from adapters.joblib_store import JoblibModelStore
from adapters.jobs import InlineJobRunner, RqJobRunner, ThreadJobRunner
from adapters.leases import ThreadJobLease, ThreadRunLease
from adapters.sqlalchemy import SqlAlchemyUnitOfWork, make_engine, make_session_factory
from adapters.sqlalchemy.client_reads import SqlAlchemyClientReads
from adapters.sqlalchemy.engine import reading_only
from application import (
    business_settings,
    calibration,
    clients,
    decisions,
    demo,
    demo_advance,
    drift,
    exports,
    imports,
    jobs,
    known_callers,
    leases,
    lifetime,
    monitoring,
    predicting,
    queries,
    sessions,
    snapshots,
    tokens,
    training,
    users,
)
from application.ports import LifetimeEstimator, ModelPredictor, ModelTrainer, UnitOfWork
from application.predicting import ActiveModels
from domain.jobs import heartbeat_interval
from entrypoints.settings import Settings

R = TypeVar("R")

EXTENSION = "container"


def use_case(
    function: Callable[..., R], **adapters: providers.Provider[Any]
) -> providers.Factory[Callable[..., R]]:
    """A provider of `function` with its adapters bound by keyword: callers pass only the inputs."""
    return providers.Factory[Callable[..., R]](functools.partial, function, **adapters)


def _sklearn_trainer(seed: int) -> ModelTrainer:
    """scikit-learn is imported by the first use that trains, not by every start of the app (it is more
    than a second of every command otherwise)."""
    from adapters.sklearn_models import SklearnModelTrainer

    return SklearnModelTrainer(seed=seed)


WORKER_FUNCTION = "entrypoints.worker.perform"
"""What an RQ worker calls, with a job's id, to perform it: `prognoza worker` builds the app first."""


def _job_runner_kind(redis_url: str) -> str:
    return "redis" if redis_url else "thread"


def _performer(container: Container) -> Callable[[str], object]:
    """Performs a job by its id with `container`'s `perform_job`, looked up when a job is performed (the
    runners are built before the use cases whose work the jobs are)."""
    return lambda job_id: container.perform_job()(job_id)


def _heartbeat_seconds(lease: timedelta) -> float:
    return heartbeat_interval(lease).total_seconds()


def _sklearn_predictor() -> ModelPredictor:
    from adapters.sklearn_models import SklearnModelPredictor

    return SklearnModelPredictor()


def _company_day(uow_factory: Callable[[], UnitOfWork]) -> Callable[[], date | None]:
    """How the clock reads the demo company's calendar day: in a transaction of its own that only
    reads, so on SQLite it never waits for the write lock the request asking the clock may hold."""

    def read() -> date | None:
        with reading_only():
            return demo_advance.demo_company_day(uow_factory())

    return read


def _lifetime_estimator() -> LifetimeEstimator:
    from adapters.lifetime import BgNbdLifetimeEstimator

    return BgNbdLifetimeEstimator()


class Container(containers.DeclarativeContainer):
    __self__ = providers.Self()

    # --- adapters ---------------------------------------------------------------------------------
    settings = providers.Singleton(Settings)

    engine = providers.Singleton(make_engine, url=settings.provided.database_url)
    session_factory = providers.Singleton(make_session_factory, engine=engine)
    uow = providers.Factory(SqlAlchemyUnitOfWork, session_factory=session_factory)

    clock = providers.Singleton(
        CalendarClock,
        wall=providers.Singleton(SystemClock),
        calendar=providers.Callable(_company_day, uow_factory=uow.provider),
    )
    password_hasher = providers.Singleton(WerkzeugPasswordHasher)

    model_store = providers.Singleton(JoblibModelStore, directory=settings.provided.models_path)
    trainer = providers.Singleton(_sklearn_trainer, seed=42)
    predictor = providers.Singleton(_sklearn_predictor)
    # One loaded copy of each active model per process, shared by every request thread.
    active_models = providers.ThreadSafeSingleton(ActiveModels, store=model_store)
    # Background jobs: a thread of this process, or RQ on Redis when PROGNOZA_REDIS_URL is set.
    job_performer = providers.Callable(_performer, __self__)
    job_runner = providers.Selector(
        providers.Callable(_job_runner_kind, settings.provided.redis_url),
        thread=providers.ThreadSafeSingleton(ThreadJobRunner, perform=job_performer),
        redis=providers.ThreadSafeSingleton(
            RqJobRunner,
            redis_url=settings.provided.redis_url,
            queue=settings.provided.job_queue,
            function=WORKER_FUNCTION,
            timeout_s=settings.provided.job_timeout_s,
        ),
    )
    inline_job_runner = providers.Singleton(InlineJobRunner, perform=job_performer)
    """Performs each job at once: for tests, which override `job_runner` with it."""
    job_lease = providers.Singleton(
        ThreadJobLease,
        uow_factory=uow.provider,
        clock=clock,
        interval_s=providers.Callable(_heartbeat_seconds, settings.provided.job_lease),
    )
    lifetime_models = providers.ThreadSafeSingleton(ActiveModels, store=model_store)
    """The newest customer-lifetime model, active or not, loaded once per process."""
    lifetime_estimator = providers.Singleton(_lifetime_estimator)

    # The heartbeat of the runs this process trains, so other processes can tell when it died.
    run_lease = providers.Singleton(ThreadRunLease, uow_factory=uow.provider, clock=clock)

    # --- staff accounts and API tokens ------------------------------------------------------------
    create_user = use_case(users.create_user, uow=uow, hasher=password_hasher)
    authenticate = use_case(users.authenticate, uow=uow, hasher=password_hasher)
    get_user = use_case(users.get_user, uow=uow)
    list_users = use_case(users.list_users, uow=uow)
    change_role = use_case(users.change_role, uow=uow)
    deactivate_user = use_case(users.deactivate_user, uow=uow)
    reactivate_user = use_case(users.reactivate_user, uow=uow, clock=clock)
    change_own_password = use_case(users.change_own_password, uow=uow, hasher=password_hasher, clock=clock)
    reset_password = use_case(users.reset_password, uow=uow, hasher=password_hasher, clock=clock)

    remember_browser = use_case(sessions.remember_browser, uow=uow, clock=clock)
    user_for_remember_cookie = use_case(sessions.user_for_remember_cookie, uow=uow, clock=clock)
    sign_out = use_case(sessions.sign_out, uow=uow, clock=clock)
    sign_out_everywhere = use_case(sessions.sign_out_everywhere, uow=uow, clock=clock)

    issue_token = use_case(tokens.issue_token, uow=uow, hasher=password_hasher, clock=clock)
    token_cache = providers.ThreadSafeSingleton(tokens.TokenCache)
    user_for_token = use_case(tokens.user_for_token, uow=uow, clock=clock, cache=token_cache)
    client_reads = providers.Singleton(SqlAlchemyClientReads, engine=engine)
    remembered_callers_overview = use_case(
        known_callers.remembered_callers_overview, reads=client_reads, clock=clock, cache=token_cache
    )
    revoke_token = use_case(tokens.revoke_token, uow=uow, clock=clock)
    issue_own_token = use_case(tokens.issue_own_token, uow=uow, clock=clock)
    list_tokens = use_case(tokens.list_tokens, uow=uow)
    revoke_own_token = use_case(tokens.revoke_own_token, uow=uow, clock=clock)

    # --- clients and their activity ---------------------------------------------------------------
    register_client = use_case(clients.register_client, uow=uow, clock=clock)
    update_client = use_case(clients.update_client, uow=uow, clock=clock)
    delete_client = use_case(clients.delete_client, uow=uow)
    get_snapshot = use_case(clients.get_snapshot, uow=uow)
    record_outcomes = use_case(clients.record_outcomes, uow=uow)

    # --- CSV in and out, demo data ----------------------------------------------------------------
    import_clients = use_case(imports.import_clients, uow=uow, clock=clock)
    import_orders = use_case(imports.import_orders, uow=uow, clock=clock)
    import_events = use_case(imports.import_events, uow=uow, clock=clock)
    export_clients = use_case(exports.export_clients, uow=uow)
    seed_demo_company = use_case(demo.seed_demo_company, uow=uow, clock=clock)
    advance_demo_company = use_case(demo_advance.advance_demo_company, uow=uow, clock=clock)

    # --- snapshots derived from orders and events -------------------------------------------------
    build_snapshots = use_case(snapshots.build_snapshots, uow=uow, clock=clock)

    # --- reads: what a page or an endpoint shows, one query each ----------------------------------
    list_clients = use_case(queries.list_clients, uow=uow)
    count_clients = use_case(queries.count_clients, uow=uow)
    client_page = use_case(queries.client_page, uow=uow)
    client_overview = use_case(queries.client_overview, uow=uow)
    client_activity = use_case(queries.client_activity, uow=uow)
    prediction_history = use_case(queries.prediction_history, uow=uow)
    dashboard = use_case(queries.dashboard, uow=uow)
    ml_panel = use_case(queries.ml_panel, uow=uow, clock=clock)

    # --- the business settings --------------------------------------------------------------------
    current_threshold = use_case(business_settings.current_threshold, uow=uow)
    change_threshold = use_case(business_settings.change_threshold, uow=uow, clock=clock)
    current_segment_rule = use_case(business_settings.current_segment_rule, uow=uow)
    change_segment_rule = use_case(business_settings.change_segment_rule, uow=uow, clock=clock)
    current_currency = use_case(business_settings.current_currency, uow=uow)
    change_currency = use_case(business_settings.change_currency, uow=uow, clock=clock)

    # --- training and choosing model versions -----------------------------------------------------
    queue_training = use_case(training.queue_training, uow=uow, clock=clock)
    run_training = use_case(
        training.run_training, uow=uow, trainer=trainer, store=model_store, clock=clock, lease=run_lease
    )
    start_training = use_case(
        training.start_training, uow_factory=uow.provider, clock=clock, jobs=job_runner, lease=run_lease
    )
    queue_comparison = use_case(training.queue_comparison, uow=uow, clock=clock, lease=run_lease)
    run_comparison = use_case(
        training.run_comparison, uow=uow, trainer=trainer, store=model_store, clock=clock, lease=run_lease
    )
    start_comparison = use_case(
        training.start_comparison, uow_factory=uow.provider, clock=clock, jobs=job_runner, lease=run_lease
    )
    activate_version = use_case(training.activate_version, uow=uow, clock=clock)
    get_run = use_case(training.get_run, uow=uow, clock=clock)
    active_run = use_case(training.active_run, uow=uow)
    list_runs = use_case(training.list_runs, uow=uow, clock=clock)
    fail_abandoned_runs = use_case(leases.fail_abandoned_runs, uow=uow, clock=clock, lease=run_lease)
    model_performance = use_case(monitoring.model_performance, uow=uow)
    threshold_advice = use_case(decisions.threshold_advice, uow=uow)
    # Drift: the API and the CLI measure it afresh; the pages read the advice kept with the data's state.
    model_drift = use_case(drift.model_drift, uow=uow)
    retraining_advice = use_case(drift.kept_retraining_advice, uow=uow)
    purchase_calibration = use_case(calibration.purchase_calibration, uow=uow)

    # --- predictions and background jobs ----------------------------------------------------------
    predict_client = use_case(
        predicting.predict_client, uow=uow, models=active_models, predictor=predictor, clock=clock
    )
    record_activity = use_case(
        predicting.record_activity_and_rescore,
        uow=uow,
        models=active_models,
        predictor=predictor,
        clock=clock,
    )
    work_sharing = providers.Factory(
        jobs.WorkSharing,
        uow_factory=uow.provider,
        clock=clock,
        runner=job_runner,
        perform=job_performer,
        lease=job_lease,
    )
    predict_all = use_case(
        predicting.predict_all,
        uow=uow,
        models=active_models,
        predictor=predictor,
        clock=clock,
        sharing=work_sharing,
        clients_per_part=settings.provided.clients_per_part,
    )
    score_clients = use_case(predicting.score_clients, uow=uow, models=active_models, predictor=predictor)
    # After new data: the same scoring, or nothing when no model can score yet.
    rescore_if_trained = use_case(predicting.rescore_if_trained, score_all=predict_all)
    start_rescore_if_trained = use_case(
        predicting.start_rescore_if_trained,
        uow_factory=uow.provider,
        models=active_models,
        predictor=predictor,
        clock=clock,
        jobs=job_runner,
    )
    import_activity = use_case(
        imports.import_activity, uow=uow, clock=clock, rescore=start_rescore_if_trained
    )
    start_snapshot_build = use_case(
        snapshots.start_snapshot_build, uow_factory=uow.provider, clock=clock, jobs=job_runner
    )
    build_snapshots_then_rescore = use_case(
        snapshots.build_snapshots_then_rescore, uow=uow, clock=clock, rescore=rescore_if_trained
    )
    what_if = use_case(predicting.what_if, uow=uow, models=active_models, predictor=predictor, clock=clock)
    explain_client = use_case(predicting.explain_client, uow=uow, models=active_models, predictor=predictor)
    client_lifetime = use_case(
        lifetime.client_lifetime, uow=uow, models=lifetime_models, estimator=lifetime_estimator
    )
    clients_scored = use_case(predicting.clients_scored, uow=uow)
    start_batch_prediction = use_case(
        predicting.start_batch_prediction,
        uow_factory=uow.provider,
        models=active_models,
        predictor=predictor,
        clock=clock,
        jobs=job_runner,
    )

    # --- background jobs: each name's work, performed by whichever process takes the job ----------
    job_handlers = providers.Dict(
        {
            jobs.SCORE_ALL: predict_all,
            jobs.SCORE_CLIENTS: score_clients,
            jobs.BUILD_SNAPSHOTS: build_snapshots_then_rescore,
            jobs.TRAIN: run_comparison,
        }
    )
    perform_job = use_case(jobs.perform_job, uow=uow, clock=clock, handlers=job_handlers, lease=job_lease)
    get_job = use_case(
        jobs.get_job, uow=uow, clock=clock, lease=job_lease, lease_of=settings.provided.job_lease
    )
    unfinished_jobs = use_case(
        jobs.unfinished_jobs, uow=uow, clock=clock, lease=job_lease, lease_of=settings.provided.job_lease
    )
    prune_jobs = use_case(jobs.prune_jobs, uow=uow, clock=clock)


def build_container(settings: Settings) -> Container:
    container = Container()
    container.settings.override(providers.Object(settings))
    return container


def init_container(app: Flask, settings: Settings) -> Container:
    """Give `app` its own container. Each app has its own (tests run several in one process), so
    callers look it up through the app rather than through module-wide wiring."""
    container = build_container(settings)
    app.extensions[EXTENSION] = container
    return container


def container_of(app: Flask) -> Container:
    """The container of `app`."""
    return cast(Container, app.extensions[EXTENSION])


def current_container() -> Container:
    """The container of the app serving this request or command."""
    return container_of(current_app)
