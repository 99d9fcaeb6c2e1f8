"""`prognoza worker`: an RQ worker performing the app's background jobs from Redis.

RQ imports `perform` by its path and calls it with a job's id: the job's name and parameters are in the
database, so the queue carries nothing but the id. The worker performs each job in its own process (RQ's
`SimpleWorker`, no fork per job): the app, its connection pool and its loaded models are built once.
"""

from __future__ import annotations

import functools

from flask import Flask, current_app, has_app_context

from entrypoints.app import create_app
from entrypoints.container import container_of


def perform(job_id: str) -> None:
    """Perform the job stored under `job_id` (what RQ calls): its outcome is recorded on the job."""
    app = current_app if has_app_context() else _app()
    container_of(app).perform_job()(job_id)


@functools.cache
def _app() -> Flask:
    """The app of a worker started by RQ's own command rather than `prognoza worker`."""
    return create_app()


def run_worker(redis_url: str, queue: str, burst: bool = False) -> bool:
    """Perform jobs from `queue` until stopped (with `burst`, until the queue is empty); whether any was
    performed."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    class Worker(SimpleWorker):
        def unsubscribe(self) -> None:
            # RQ's listener of worker commands is a daemon thread that sleeps 60 s between reads, and
            # redis-py 8 waits for it to wake when it is stopped: a shutdown would take up to a minute.
            if self.pubsub_thread:
                self.pubsub.unsubscribe()

    connection = Redis.from_url(redis_url)
    worker = Worker([Queue(queue, connection=connection)], connection=connection)
    return worker.work(burst=burst)
