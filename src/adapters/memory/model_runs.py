"""Training runs and their activations in memory."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from adapters.memory.store import InMemoryStore, in_utc
from domain.model_runs import Activation, ModelRun, RunNotFound, RunStatus, TrainingAlreadyRunning
from domain.predictions import ModelKind


class InMemoryModelRunRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def add(self, run: ModelRun) -> ModelRun:
        if self.get_version(run.kind, run.version) is not None:
            raise TrainingAlreadyRunning(run.kind, run.version)
        stored = replace(in_utc(run), is_active=False, id=self.store.next_id())
        self.store.model_runs[stored.id] = stored  # type: ignore[index]
        return stored

    def get(self, run_id: int) -> ModelRun | None:
        return self.store.model_runs.get(run_id)

    def get_version(self, kind: ModelKind, version: int) -> ModelRun | None:
        return next((r for r in self._of(kind) if r.version == version), None)

    def update(self, run: ModelRun) -> None:
        """Whether the run is active changes only by `activate`."""
        stored = self.store.model_runs.get(run.id or 0)
        if stored is None:
            raise RunNotFound(run.id)
        self.store.model_runs[stored.id] = replace(in_utc(run), is_active=stored.is_active)  # type: ignore[index]

    def finish(self, run: ModelRun) -> bool:
        stored = self.store.model_runs.get(run.id or 0)
        if stored is None:
            raise RunNotFound(run.id)
        if stored.status is not RunStatus.RUNNING:
            return False
        self.update(run)
        return True

    def list(self, kind: ModelKind | None = None) -> list[ModelRun]:
        runs = self.store.model_runs.values() if kind is None else self._of(kind)
        return sorted(runs, key=lambda r: (r.queued_at, r.id or 0), reverse=True)

    def next_version(self, kind: ModelKind) -> int:
        return max((r.version for r in self._of(kind)), default=0) + 1

    def in_progress(self, kind: ModelKind) -> ModelRun | None:
        running = [r for r in self._of(kind) if r.status in (RunStatus.QUEUED, RunStatus.RUNNING)]
        return max(running, key=lambda r: r.version, default=None)

    def unfinished(self) -> builtins.list[ModelRun]:
        return [r for r in self.store.model_runs.values() if not r.status.is_finished]

    def renew_lease(self, run_ids: Collection[int], worker: str, at: datetime) -> None:
        for run_id in run_ids:
            run = self.store.model_runs.get(run_id)
            if run is not None and not run.status.is_finished:
                self.store.model_runs[run_id] = in_utc(replace(run, heartbeat_at=at, worker=worker))

    def active(self, kind: ModelKind) -> ModelRun | None:
        return next((r for r in self._of(kind) if r.is_active), None)

    def active_versions(self) -> dict[ModelKind, int | None]:
        return {kind: None if (run := self.active(kind)) is None else run.version for kind in ModelKind}

    def activate(self, activation: Activation) -> None:
        chosen = self.get_version(activation.kind, activation.version)
        if chosen is None:
            raise RunNotFound(f"{activation.kind.value} v{activation.version}")
        for run in self._of(activation.kind):
            self.store.model_runs[run.id] = replace(run, is_active=run.id == chosen.id)  # type: ignore[index]
        self.store.activations.append(in_utc(activation))

    def activations(self, kind: ModelKind) -> builtins.list[Activation]:
        """Newest first; of two at the same moment, the one recorded later."""
        mine = [
            (a.activated_at, order, a) for order, a in enumerate(self.store.activations) if a.kind is kind
        ]
        return [a for _, _, a in sorted(mine, key=lambda entry: entry[:2], reverse=True)]

    def _of(self, kind: ModelKind) -> builtins.list[ModelRun]:
        return [r for r in self.store.model_runs.values() if r.kind is kind]
