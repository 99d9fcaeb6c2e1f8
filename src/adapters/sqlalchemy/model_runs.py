"""Model runs and their activations on SQLAlchemy Core."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from sqlalchemy import false, func, insert, select, true, update
from sqlalchemy.orm import Session

from adapters.sqlalchemy.integrity import Translation, Violation, savepoint
from adapters.sqlalchemy.rows import ACTIVATIONS, RUNS
from adapters.sqlalchemy.statements import rows_changed
from adapters.sqlalchemy.tables import model_activations, model_runs
from domain.model_runs import Activation, ModelRun, RunNotFound, RunStatus, TrainingAlreadyRunning
from domain.predictions import ModelKind

_IN_PROGRESS = (RunStatus.QUEUED.value, RunStatus.RUNNING.value)


class SqlAlchemyModelRunRepository:
    """Runs in `model_runs`, at most one active per kind, and when each became active. Never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, run: ModelRun) -> ModelRun:
        """Stored inactive (only `activate` makes a run active); a version already taken, by a
        training queued at the same moment, is refused."""
        with savepoint(self.session, _refuse_taken_version(run)):
            statement = insert(model_runs).values(RUNS.values(run)).returning(model_runs.c.id)
            run_id = self.session.execute(statement).scalar_one()
        return replace(run, is_active=False, id=run_id)

    def get(self, run_id: int) -> ModelRun | None:
        row = self.session.execute(select(model_runs).where(model_runs.c.id == run_id)).one_or_none()
        return None if row is None else RUNS.from_row(row)

    def get_version(self, kind: ModelKind, version: int) -> ModelRun | None:
        statement = select(model_runs).where(model_runs.c.kind == kind.value, model_runs.c.version == version)
        row = self.session.execute(statement).one_or_none()
        return None if row is None else RUNS.from_row(row)

    def update(self, run: ModelRun) -> None:
        """Status, times, evaluation and artifact; whether the run is active changes only by `activate`."""
        statement = update(model_runs).where(model_runs.c.id == run.id).values(RUNS.values(run))
        if rows_changed(self.session, statement) == 0:
            raise RunNotFound(run.id)

    def finish(self, run: ModelRun) -> bool:
        """One conditional UPDATE: a run declared abandoned in between is never overwritten."""
        statement = (
            update(model_runs)
            .where(model_runs.c.id == run.id, model_runs.c.status == RunStatus.RUNNING.value)
            .values(RUNS.values(run))
        )
        if rows_changed(self.session, statement) == 1:
            return True
        if self.get(run.id or 0) is None:
            raise RunNotFound(run.id)
        return False

    def list(self, kind: ModelKind | None = None) -> list[ModelRun]:
        """Newest first."""
        statement = select(model_runs).order_by(model_runs.c.queued_at.desc(), model_runs.c.id.desc())
        if kind is not None:
            statement = statement.where(model_runs.c.kind == kind.value)
        return [RUNS.from_row(row) for row in self.session.execute(statement)]

    def next_version(self, kind: ModelKind) -> int:
        newest = select(func.max(model_runs.c.version)).where(model_runs.c.kind == kind.value)
        return (self.session.scalar(newest) or 0) + 1

    def in_progress(self, kind: ModelKind) -> ModelRun | None:
        statement = (
            select(model_runs)
            .where(model_runs.c.kind == kind.value, model_runs.c.status.in_(_IN_PROGRESS))
            .order_by(model_runs.c.version.desc())
            .limit(1)
        )
        row = self.session.execute(statement).one_or_none()
        return None if row is None else RUNS.from_row(row)

    def unfinished(self) -> builtins.list[ModelRun]:
        statement = select(model_runs).where(model_runs.c.status.in_(_IN_PROGRESS)).order_by(model_runs.c.id)
        return [RUNS.from_row(row) for row in self.session.execute(statement)]

    def renew_lease(self, run_ids: Collection[int], worker: str, at: datetime) -> None:
        """One statement that touches only unfinished runs: it never races the run's own end."""
        statement = (
            update(model_runs)
            .where(model_runs.c.id.in_(list(run_ids)), model_runs.c.status.in_(_IN_PROGRESS))
            .values(heartbeat_at=at, worker=worker)
        )
        self.session.execute(statement)

    def active(self, kind: ModelKind) -> ModelRun | None:
        statement = select(model_runs).where(model_runs.c.kind == kind.value, model_runs.c.is_active)
        row = self.session.execute(statement).one_or_none()
        return None if row is None else RUNS.from_row(row)

    def active_versions(self) -> dict[ModelKind, int | None]:
        statement = select(model_runs.c.kind, model_runs.c.version).where(model_runs.c.is_active)
        active = {ModelKind(kind): version for kind, version in self.session.execute(statement)}
        return {kind: active.get(kind) for kind in ModelKind}

    def activate(self, activation: Activation) -> None:
        """The active run of the kind is switched off before the chosen one is switched on: the
        database allows one active run per kind at every moment, not only at commit."""
        of_kind = model_runs.c.kind == activation.kind.value
        chosen = model_runs.c.version == activation.version
        if self.session.scalar(select(model_runs.c.id).where(of_kind, chosen)) is None:
            raise RunNotFound(f"{activation.kind.value} v{activation.version}")
        switch = update(model_runs).where(of_kind)
        self.session.execute(switch.where(model_runs.c.is_active).values(is_active=false()))
        self.session.execute(switch.where(chosen).values(is_active=true()))
        self.session.execute(insert(model_activations).values(ACTIVATIONS.values(activation)))

    def activations(self, kind: ModelKind) -> builtins.list[Activation]:
        """Newest first."""
        statement = (
            select(model_activations)
            .where(model_activations.c.kind == kind.value)
            .order_by(model_activations.c.activated_at.desc(), model_activations.c.id.desc())
        )
        return [ACTIVATIONS.from_row(row) for row in self.session.execute(statement)]


def _refuse_taken_version(run: ModelRun) -> Translation:
    return lambda violation: (
        TrainingAlreadyRunning(run.kind, run.version) if violation is Violation.UNIQUE else None
    )
