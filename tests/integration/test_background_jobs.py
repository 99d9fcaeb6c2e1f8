"""Background jobs across processes: `prognoza serve` (gunicorn, 2 worker processes) puts jobs on Redis,
`prognoza worker`s perform them (a batch scoring in parts several workers take), and every process
answers a job's state from the database; a queue
worker killed mid-job (`kill -9`) leaves its job failed, and a new worker does the work again.

Needs Redis on 127.0.0.1:6379 (skipped, saying so, when none answers). The database is PostgreSQL when
PROGNOZA_TEST_DATABASE_URL is set, a SQLite file otherwise. Each test has a queue of its own in Redis
database 12, whose keys it deletes at the end.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Row, create_engine, text

SRC = Path(__file__).resolve().parents[2] / "src"
PROGNOZA = [sys.executable, "-m", "entrypoints.cli"]
REDIS_HOST, REDIS_PORT, REDIS_DATABASE = "127.0.0.1", 6379, 12
ADMIN_EMAIL = "admin@prognoza.example"
ADMIN_PASSWORD = "correct horse battery"
LEASE_S = 3
"""The jobs' lease in these tests: a job whose worker died is failed within seconds."""
CLIENTS = 200
CLIENTS_PER_PART = 25
JOB_NAMES = ("train", "score_all", "score_clients")


def redis_answers() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1) as probe:
            probe.sendall(b"PING\r\n")
            return probe.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_queue() -> str:
    """A queue of this test's own (`forget_queue` deletes its keys afterwards)."""
    if not redis_answers():
        pytest.skip(f"Redis does not answer on {REDIS_HOST}:{REDIS_PORT}: background jobs on RQ need it")
    return f"prognoza-test-{uuid.uuid4().hex[:12]}"


def forget_queue(queue: str, job_ids: list[str]) -> None:
    """Delete what RQ kept of a queue: its keys, its jobs' and those of its workers (a killed one's too)."""
    from redis import Redis

    redis = Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DATABASE)
    try:
        workers = [
            key
            for key in redis.scan_iter("rq:worker:*")
            if redis.type(key) == b"hash" and redis.hget(key, "queues") == queue.encode()
        ]
        names = [queue.encode(), *(job_id.encode() for job_id in job_ids), *workers]
        ours = [key for key in redis.scan_iter("rq:*") if any(name in key for name in names)]
        if ours:
            redis.delete(*ours)
        redis.srem("rq:queues", f"rq:queue:{queue}")
        if workers:
            redis.srem("rq:workers", *workers)
    finally:
        redis.close()


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated, empty database of this test's own: PostgreSQL when the tests have one, else SQLite."""
    fixture = "postgres_url" if os.environ.get("PROGNOZA_TEST_DATABASE_URL") else "sqlite_url"
    return str(request.getfixturevalue(fixture))


@dataclass
class Stack:
    """`prognoza serve` and `prognoza worker` processes sharing one database and one Redis queue."""

    env: dict[str, str]
    database_url: str
    port: int = 0
    server: subprocess.Popen[str] | None = None
    workers: list[subprocess.Popen[str]] = field(default_factory=list)
    token: str = ""

    def run(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [*PROGNOZA, *args], env=self.env, input=stdin, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def serve(self) -> None:
        self.port = free_port()
        self.server = subprocess.Popen(
            [*PROGNOZA, "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        assert self.server.stdout is not None
        assert f"http://127.0.0.1:{self.port}" in self.server.stdout.readline()
        wait_for(self.port)

    def start_worker(self) -> subprocess.Popen[str]:
        log = Path(self.env["PROGNOZA_INSTANCE_DIR"]) / f"worker-{len(self.workers) + 1}.log"
        with log.open("w") as output:  # read it when a test fails
            worker = subprocess.Popen(
                [*PROGNOZA, "worker"],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
        self.workers.append(worker)
        return worker

    def stop(self) -> None:
        for process in [*self.workers, *([self.server] if self.server else [])]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
                raise

    def call(self, method: str, path: str, payload: object = None) -> Reply:
        """One request on a connection of its own, so that successive calls reach either process of the
        server; the reply says which one answered."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        body = None if payload is None else json.dumps(payload)
        connection.request(method, f"/api/v1{path}", body=body, headers=headers)
        response = connection.getresponse()
        answered_by = self.process_serving(connection)
        document = json.loads(response.read() or b"{}")
        connection.close()
        return Reply(response.status, document, answered_by)

    def process_serving(self, connection: http.client.HTTPConnection) -> int | None:
        """The server process holding the other end of `connection` (gunicorn keeps it open a moment
        after the response), read from /proc: which worker answered."""
        assert connection.sock is not None and self.server is not None
        client_port = connection.sock.getsockname()[1]
        inode = _socket_inode(local_port=self.port, remote_port=client_port)
        return None if inode is None else _holder_of(inode, _children(self.server.pid))

    def jobs(self, name: str) -> list[dict[str, object]]:
        """The jobs of a name, oldest first, as any tool sees them in the database."""
        columns = "id, state, error, done, total, worker"
        query = f"SELECT {columns} FROM jobs WHERE name = :name ORDER BY created_at"
        return [dict(row._mapping) for row in self.query(query, name=name)]

    def scalar(self, query: str) -> object:
        return self.query(query)[0][0]

    def query(self, query: str, **parameters: object) -> list[Row[Any]]:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return list(connection.execute(text(query), parameters))
        finally:
            engine.dispose()


@dataclass(frozen=True)
class Reply:
    status: int
    document: dict[str, object]
    answered_by: int | None


@pytest.fixture
def stack(tmp_path: Path, database_url: str, redis_queue: str) -> Iterator[Stack]:
    """A demo company of 200 clients over 4 months, an admin with a token, the server up; no worker yet."""
    env = os.environ | {
        "PYTHONPATH": str(SRC),
        "PROGNOZA_INSTANCE_DIR": str(tmp_path),
        "PROGNOZA_DATABASE_URL": database_url,
        "PROGNOZA_REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DATABASE}",
        "PROGNOZA_JOB_QUEUE": redis_queue,
        "PROGNOZA_JOB_LEASE_S": str(LEASE_S),
        "PROGNOZA_LOG_LEVEL": "WARNING",
        "PROGNOZA_WORKERS": "2",
        "PROGNOZA_CLIENTS_PER_PART": str(CLIENTS_PER_PART),
        "PROGNOZA_THREADS": "2",
    }
    started = Stack(env, database_url)
    started.run("db", "upgrade")
    started.run("demo", "seed", "--clients", str(CLIENTS), "--months", "4")
    started.run("users", "create", ADMIN_EMAIL, "--role", "admin", "--password-stdin", stdin=ADMIN_PASSWORD)
    started.serve()
    try:
        issued = started.call("POST", "/auth/tokens", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        started.token = str(issued.document["token"])
        yield started
    finally:
        started.stop()
        forget_queue(
            redis_queue,
            [
                str(job["id"])
                for name in ("train", "score_all", "score_clients")
                for job in started.jobs(name)
            ],
        )


def until(condition: Callable[[], object], seconds: float, what: str) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


def poll_job(stack: Stack, job_id: str, seconds: float = 120) -> tuple[Reply, list[Reply]]:
    """Poll a job until it has ended and both server processes have answered; the last reply, and all."""
    replies: list[Reply] = []

    def ended_and_seen_by_both() -> bool:
        replies.append(stack.call("GET", f"/jobs/{job_id}"))
        assert replies[-1].status == 200, replies[-1]
        ended = replies[-1].document["state"] in ("succeeded", "failed")
        return ended and len({reply.answered_by for reply in replies} - {None}) == 2

    until(ended_and_seen_by_both, seconds, f"job {job_id} ended, polled through both server processes")
    return replies[-1], replies


def poll_run(stack: Stack, url: str, seconds: float = 120) -> dict[str, object]:
    path = url.removeprefix("/api/v1")

    def ended() -> dict[str, object] | None:
        reply = stack.call("GET", path)
        assert reply.status == 200, reply
        return reply.document if reply.document["status"] in ("succeeded", "failed") else None

    return until(ended, seconds, f"run {url} ended")  # type: ignore[return-value]


def test_jobs_queued_by_the_server_are_performed_by_workers_and_every_server_process_reports_them(
    stack: Stack,
) -> None:
    started = time.monotonic()
    stack.start_worker()
    stack.start_worker()

    trainings = {kind: stack.call("POST", f"/models/{kind}/training") for kind in ("sales", "purchase")}
    assert {reply.status for reply in trainings.values()} == {202}
    for kind, reply in trainings.items():
        run = poll_run(stack, str(reply.document["url"]))
        assert run["status"] == "succeeded", run
        if not run["is_active"]:  # a model no better than its baselines on so small a company
            assert stack.call("POST", f"/models/{kind}/active", {"version": run["version"]}).status == 200
    trained = time.monotonic()

    scoring = stack.call("POST", "/predictions/batch")
    assert scoring.status == 202
    last, replies = poll_job(stack, str(scoring.document["id"]))
    scored = time.monotonic()

    assert last.document["state"] == "succeeded", last.document
    scored_clients = last.document["result"]["clients_scored"]  # type: ignore[index]
    assert CLIENTS * 0.9 < scored_clients <= CLIENTS  # every client with a snapshot
    assert (last.document["done"], last.document["total"]) == (scored_clients, scored_clients)
    assert {reply.status for reply in replies} == {200}
    assert len({reply.answered_by for reply in replies}) >= 2
    assert [job["state"] for job in stack.jobs("train")] == ["succeeded", "succeeded"]
    parts = stack.jobs("score_clients")
    assert len(parts) == math.ceil(scored_clients / CLIENTS_PER_PART)
    assert {part["state"] for part in parts} == {"succeeded"}
    assert sum(int(part["done"]) for part in parts) == scored_clients  # type: ignore[call-overload]
    assert stack.scalar("SELECT count(DISTINCT made_at) FROM sales_predictions") == 1
    assert stack.scalar("SELECT count(*) FROM sales_predictions WHERE is_current") == scored_clients
    listed = stack.call("GET", "/clients?sort=-predicted_sales&per_page=5")
    assert all(item["predicted_sales"] is not None for item in listed.document["items"])  # type: ignore[attr-defined]
    answering = len({reply.answered_by for reply in replies})
    by_worker = Counter(str(part["worker"]).rpartition(":")[2] for part in parts)
    print(
        f"\ntwo trainings {trained - started:.1f} s, scoring {scored_clients} clients "
        f"{scored - trained:.1f} s in {len(parts)} parts (parts per worker process: {dict(by_worker)}), "
        f"{len(replies)} polls answered by {answering} server processes"
    )


def test_a_job_whose_queue_worker_is_killed_is_failed_and_a_new_worker_does_the_work_again(
    stack: Stack,
) -> None:
    first = stack.start_worker()
    comparison = stack.call("POST", "/models/sales/comparisons")
    assert comparison.status == 202
    until(lambda: "running" in runs_of(stack, "sales"), 60, "the comparison trains its first candidate")
    [job] = stack.jobs("train")
    assert job["state"] == "running"

    killed = time.monotonic()
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    last, replies = poll_job(stack, str(job["id"]), seconds=LEASE_S * 10)
    failed = time.monotonic()

    assert last.document["state"] == "failed"
    assert str(last.document["error"]).startswith("Abandoned: the worker performing it")
    assert {reply.status for reply in replies} == {200}

    again = stack.call("POST", "/models/sales/comparisons")
    assert again.status == 202, (again.document, runs_of(stack, "sales"))
    stack.start_worker()
    runs = [poll_run(stack, str(run["url"]), seconds=300) for run in again.document["runs"]]  # type: ignore[attr-defined]
    redone = time.monotonic()

    assert all(run["status"] == "succeeded" for run in runs), runs
    until(lambda: stack.jobs("train")[-1]["state"] == "succeeded", 30, "the job records its end")
    assert [j["state"] for j in stack.jobs("train")] == ["failed", "succeeded"]
    print(
        f"\nkilled job shown failed after {failed - killed:.1f} s (lease {LEASE_S} s); "
        f"comparison done again by a new worker in {redone - failed:.1f} s"
    )


def runs_of(stack: Stack, kind: str) -> list[str]:
    """The status of each run of a model, newest first."""
    return [str(run["status"]) for run in stack.call("GET", f"/models/{kind}/runs").document["items"]]  # type: ignore[attr-defined]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered on port {port}")


def _socket_inode(local_port: int, remote_port: int) -> str | None:
    """The inode of the server's end of a TCP connection on 127.0.0.1, from /proc/net/tcp."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        if int(local.split(":")[1], 16) == local_port and int(remote.split(":")[1], 16) == remote_port:
            return inode
    return None


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


def _holder_of(inode: str, pids: list[int]) -> int | None:
    for pid in pids:
        try:
            descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                if os.readlink(descriptor) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None
