"""A long job split into parts: every part done once, whichever worker takes it; a part whose worker
failed or stopped done again by the job that shared the work out."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from adapters.clock import FixedClock
from adapters.leases import ThreadJobLease
from adapters.memory import InMemoryStore, InMemoryUnitOfWork
from application.jobs import PartFailed, PartReport, WorkSharing, perform_job
from application.ports import JobProgress
from domain.jobs import JOB_LEASE, JobState
from unit.job_fakes import TEST_WORKER

NOW = datetime(2024, 4, 2, 8, 0, tzinfo=UTC)
PARTS = [{"first": first, "last": first + 9} for first in range(1, 50, 10)]
DONE_ONCE = PartReport(50, {"parts and their firsts": [5, 1 + 11 + 21 + 31 + 41]})
"""What the parts report, added up, when each was done once."""


class Parts:
    """Counts the items of each part it is asked to do (and, on the way, the part and its first item);
    fails the parts named in `failing` `times` times."""

    def __init__(self, failing: set[int] = frozenset(), times: int = 1) -> None:  # type: ignore[assignment]
        self.done: Counter[int] = Counter()
        self.failing = Counter({first: times for first in failing})

    def __call__(self, first: int, last: int, progress: JobProgress) -> PartReport:
        if self.failing[first]:
            self.failing[first] -= 1
            raise RuntimeError(f"part {first} broke")
        self.done[first] += 1
        progress(last - first + 1, None)
        return PartReport(last - first + 1, {"parts and their firsts": [1, first]})


class Queue:
    """A queue whose other worker takes every part with a first item in `taken` as soon as it is put on
    it: performs it at once, or (`dies`) starts it and stops for good."""

    shares_work = True

    def __init__(self, perform_elsewhere, taken: set[int], dies: bool = False) -> None:
        self.perform_elsewhere = perform_elsewhere
        self.taken = taken
        self.dies = dies
        self.store: InMemoryStore | None = None
        self.clock: FixedClock | None = None

    def submit(self, job_id: str) -> None:
        assert self.store is not None and self.clock is not None
        with InMemoryUnitOfWork(self.store) as uow:
            job = uow.jobs.get(job_id)
        if job is None or job.parameters["first"] not in self.taken:
            return
        if self.dies:
            with InMemoryUnitOfWork(self.store) as uow:
                uow.jobs.start(job_id, "elsewhere:1", self.clock.now())
                uow.commit()
        else:
            self.perform_elsewhere(job_id)


def sharing(store: InMemoryStore, clock: FixedClock, parts: Parts, runner) -> WorkSharing:
    uow_factory = lambda: InMemoryUnitOfWork(store)  # noqa: E731
    here = ThreadJobLease(uow_factory, clock, interval_s=3600, worker=TEST_WORKER)
    elsewhere = ThreadJobLease(uow_factory, clock, interval_s=3600, worker="elsewhere:2")
    handlers = {"count": parts}
    runner.store, runner.clock = store, clock
    runner.perform_elsewhere = lambda job_id: perform_job(job_id, uow_factory(), clock, handlers, elsewhere)

    def wait(seconds: float) -> None:  # time passes while the job waits for the others' parts
        clock.moment += JOB_LEASE

    return WorkSharing(
        uow_factory,
        clock,
        runner,
        lambda job_id: perform_job(job_id, uow_factory(), clock, handlers, here),
        here,
        wait,
    )


def parts_by_worker(store: InMemoryStore) -> Counter[str | None]:
    return Counter(job.worker for job in store.jobs.values() if job.state is JobState.SUCCEEDED)


def test_with_no_other_worker_every_part_is_done_here_once_and_recorded_as_a_job() -> None:
    store, clock, parts = InMemoryStore(), FixedClock(NOW), Parts()
    told: list[tuple[int, int | None]] = []

    report = sharing(store, clock, parts, Queue(None, taken=set())).perform_parts(
        "count", PARTS, lambda part: f"items {part['first']}-{part['last']}", lambda *p: told.append(p), 50
    )

    assert report == DONE_ONCE
    assert parts.done == Counter({first: 1 for first in range(1, 50, 10)})
    assert parts_by_worker(store) == Counter({TEST_WORKER: 5})
    assert told[-1] == (50, 50)
    assert sorted(job.description for job in store.jobs.values())[0] == "items 1-10"


def test_parts_another_worker_takes_are_not_done_again_here() -> None:
    store, clock, parts = InMemoryStore(), FixedClock(NOW), Parts()

    report = sharing(store, clock, parts, Queue(None, taken={11, 31})).perform_parts("count", PARTS, str)

    assert report == DONE_ONCE
    assert parts.done == Counter({first: 1 for first in range(1, 50, 10)})
    assert parts_by_worker(store) == Counter({TEST_WORKER: 3, "elsewhere:2": 2})


def test_a_part_whose_worker_stopped_is_done_again_here_once_its_lease_lapses() -> None:
    store, clock, parts = InMemoryStore(), FixedClock(NOW), Parts()

    report = sharing(store, clock, parts, Queue(None, taken={21}, dies=True)).perform_parts(
        "count", PARTS, str
    )

    assert report == DONE_ONCE
    assert parts.done == Counter({first: 1 for first in range(1, 50, 10)})
    abandoned = [job for job in store.jobs.values() if job.state is JobState.FAILED]
    assert [job.parameters["first"] for job in abandoned] == [21]
    assert parts_by_worker(store) == Counter({TEST_WORKER: 5})


def test_a_part_that_failed_once_is_done_again_and_one_that_fails_twice_fails_the_whole_job() -> None:
    store, clock = InMemoryStore(), FixedClock(NOW)
    once = Parts(failing={41})

    assert (
        sharing(store, clock, once, Queue(None, taken=set())).perform_parts("count", PARTS, str) == DONE_ONCE
    )
    assert once.done[41] == 1

    twice = Parts(failing={41}, times=2)
    with pytest.raises(PartFailed, match="part 41 broke"):
        sharing(InMemoryStore(), clock, twice, Queue(None, taken=set())).perform_parts("count", PARTS, str)
