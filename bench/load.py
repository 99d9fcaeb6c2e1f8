"""A bounded load against a running Prognoza: concurrent writers or predictions, for a fixed time.

    python bench/load.py create-clients --concurrency 20 --seconds 20
    python bench/load.py predict --concurrency 64 --seconds 30
    python bench/load.py predict --url http://127.0.0.1:8000 --email admin@x.pl --password ...
    python bench/load.py read-client --concurrency 32 --seconds 10 --rounds 3

read-client reads GET /api/v1/clients/{id}, then the same clients from `bench/bare_app.py` (one plain
SQL query per request, on the same file, under gunicorn with as many processes and threads), and
prints what share of the bare endpoint's requests per second Prognoza reaches. Both are read by `wrk`
when it is installed (Debian's package `wrk`): a load generator in C, which leaves the two cores to the
servers. Python's threads (`--generator python`, the default without wrk) saturate first, at about
1,100 requests a second here (a fifth of what wrk reads from the bare app), and then measure themselves
more than the servers.

Without --url it starts the server itself: `prognoza serve` (PROGNOZA_WORKERS processes, default 2, of
PROGNOZA_THREADS threads, default 4) on a fresh SQLite file
seeded with a demo company (300 clients, 4 months), both models trained, every client scored, and an
admin to sign in as.
It prints requests per second, p50 and p99 latency and the count of each status; for create-clients
it then counts the clients stored and checks that every 201 is among them. The exit code is 1 when a
server error (5xx) was answered or a created client is missing.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from harness import PROGNOZA, sqlite_environment

ADMIN_EMAIL = "load@example.com"
ADMIN_PASSWORD = "load-test-password"
SERVER_WORKERS = os.environ.get("PROGNOZA_WORKERS", "2")
SERVER_THREADS = os.environ.get("PROGNOZA_THREADS", "4")


@dataclass
class Tally:
    """What every worker thread answered, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[int | str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)

    def record(self, status: int | str, seconds: float, created_id: int | None = None) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append(seconds)
            if created_id is not None:
                self.created_ids.append(created_id)


class Api:
    """One keep-alive HTTP connection per thread; reconnects after an error."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.token = token
        self.connection: http.client.HTTPConnection | None = None

    def post(self, path: str, payload: object) -> tuple[int, dict[str, object]]:
        return self.call("POST", path, payload)

    def get(self, path: str) -> tuple[int, dict[str, object]]:
        return self.call("GET", path)

    def call(self, method: str, path: str, payload: object = None) -> tuple[int, dict[str, object]]:
        headers = {"Accept": "application/json"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            body = None if payload is None else json.dumps(payload)
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        document = json.loads(raw) if raw and raw[:1] in b"{[" else {}
        return response.status, document if isinstance(document, dict) else {}


def issue_token(base_url: str, email: str, password: str) -> str:
    status, document = Api(base_url).post("/api/v1/auth/tokens", {"email": email, "password": password})
    if status != 201:
        raise SystemExit(f"could not sign in as {email}: {status} {document}")
    return str(document["token"])


def hammer(
    concurrency: int,
    seconds: float,
    request: Callable[[Api, int], tuple[int, int | None]],
    base_url: str,
    token: str,
) -> tuple[Tally, float]:
    """`concurrency` threads calling `request` back to back until `seconds` have passed."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    counter = itertools.count()

    def work() -> None:
        api = Api(base_url, token)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                status, created_id = request(api, next(counter))
            except (OSError, http.client.HTTPException) as error:
                tally.record(type(error).__name__, time.perf_counter() - started)
                continue
            tally.record(status, time.perf_counter() - started, created_id)

    threads = [threading.Thread(target=work) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - started


def create_client(run_id: str) -> Callable[[Api, int], tuple[int, int | None]]:
    def request(api: Api, n: int) -> tuple[int, int | None]:
        payload = {
            "first_name": "Łucja",
            "last_name": f"Obciążeniowa {n}",
            "email": f"load-{run_id}-{n}@example.com",
            "registered_on": "2024-01-15",
        }
        status, document = api.post("/api/v1/clients", payload)
        return status, int(str(document["id"])) if status == 201 else None

    return request


def predict(client_ids: list[int]) -> Callable[[Api, int], tuple[int, int | None]]:
    def request(api: Api, n: int) -> tuple[int, int | None]:
        status, _ = api.post(f"/api/v1/clients/{client_ids[n % len(client_ids)]}/predictions", {})
        return status, None

    return request


def read_client(path: str, client_ids: list[int]) -> Callable[[Api, int], tuple[int, int | None]]:
    def request(api: Api, n: int) -> tuple[int, int | None]:
        status, _ = api.get(path.format(client_ids[n % len(client_ids)]))
        return status, None

    return request


@contextmanager
def bare_server(database: Path) -> Iterator[str]:
    """`bench/bare_app.py` under gunicorn, with the workers and threads of `prognoza serve` here."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            SERVER_WORKERS,
            "--threads",
            SERVER_THREADS,
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(Path(__file__).parent),
            "bare_app:app",
        ],
        env=os.environ | {"BARE_DATABASE": str(database)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, path="/clients/1")
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def server_errors(tally: Tally) -> int:
    return sum(n for status, n in tally.statuses.items() if not isinstance(status, int) or status >= 500)


# --- starting a server of our own ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare_demo(env: dict[str, str]) -> None:
    steps = [
        ["db", "upgrade"],
        ["demo", "seed", "--clients", "300", "--months", "4"],
        ["train", "sales", "--auto", "--activate-anyway"],
        ["train", "purchase", "--auto", "--activate-anyway"],
        ["predict"],
    ]
    for step in steps:
        subprocess.run([*PROGNOZA, *step], env=env, check=True, capture_output=True, text=True)
    subprocess.run(
        [*PROGNOZA, "users", "create", ADMIN_EMAIL, "--role", "admin", "--password-stdin"],
        env=env,
        input=ADMIN_PASSWORD + "\n",
        check=True,
        capture_output=True,
        text=True,
    )


@contextmanager
def own_server(folder: str) -> Iterator[tuple[str, Path]]:
    """`prognoza serve` on a fresh, seeded SQLite file; its URL and the file."""
    database, env = sqlite_environment(folder)
    env |= {"PROGNOZA_WORKERS": SERVER_WORKERS, "PROGNOZA_THREADS": SERVER_THREADS}
    print(
        "preparing a demo database (300 clients, 4 months, both models trained, clients scored) ...",
        flush=True,
    )
    prepare_demo(env)
    port = free_port()
    server = subprocess.Popen(
        [*PROGNOZA, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        print(server.stdout.readline().strip(), flush=True)
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url)
        yield url, database
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def wait_until_up(url: str, seconds: float = 60, path: str = "/api/v1/openapi.json") -> None:
    parts = urlsplit(url)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=2)
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server at {url} did not answer within {seconds:.0f} s")


def stored(database: Path, ids: list[int]) -> tuple[int, int]:
    """How many clients the file holds, and how many of `ids` are missing from it."""
    with sqlite3.connect(database) as connection:
        total = connection.execute("SELECT count(*) FROM clients").fetchone()[0]
        present = {row[0] for row in connection.execute("SELECT id FROM clients")}
    return int(total), len(set(ids) - present)


# --- the command ---------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["create-clients", "predict", "read-client"])
    parser.add_argument("--concurrency", type=int, default=None, help="20 writers, or 64 connections")
    parser.add_argument("--seconds", type=float, default=None, help="20 for create-clients, 30 for predict")
    parser.add_argument("--url", help="a running server; without it the script starts one of its own")
    parser.add_argument("--email", default=ADMIN_EMAIL, help="an admin of the server at --url")
    parser.add_argument("--password", default=ADMIN_PASSWORD)
    parser.add_argument("--database", type=Path, help="the server's SQLite file, to count what was stored")
    parser.add_argument("--clients", default="1-300", help="ids to predict for, FIRST-LAST")
    parser.add_argument(
        "--generator",
        choices=["wrk", "python"],
        default="wrk" if shutil.which("wrk") else "python",
        help="what reads clients in read-client: wrk (when installed) or Python's threads",
    )
    parser.add_argument("--rounds", type=int, default=3, help="read-client: rounds of each server")
    args = parser.parse_args()
    concurrency = args.concurrency or {"create-clients": 20, "predict": 64, "read-client": 32}[args.mode]
    seconds = args.seconds or (20.0 if args.mode == "create-clients" else 30.0)

    with tempfile.TemporaryDirectory(prefix="prognoza-load-") as folder:
        if args.url:
            return run_load(args, args.url, args.database, concurrency, seconds)
        with own_server(folder) as (url, database):
            return run_load(args, url, database, concurrency, seconds)


def run_load(
    args: argparse.Namespace, url: str, database: Path | None, concurrency: int, seconds: float
) -> int:
    token = issue_token(url, args.email, args.password)
    first, last = (int(part) for part in args.clients.split("-"))
    client_ids = list(range(first, last + 1))
    if args.mode == "read-client":
        return compare_reads(
            url, token, database, client_ids, concurrency, seconds, args.generator, args.rounds
        )
    request = create_client(str(time.time_ns())) if args.mode == "create-clients" else predict(client_ids)
    tally, elapsed = hammer(concurrency, seconds, request, url, token)
    reads_of(tally, elapsed).report(args.mode, concurrency)
    failed = server_errors(tally)
    print(f"  server errors (5xx or no answer): {failed}")
    if args.mode == "create-clients" and database is not None:
        total, missing = stored(database, tally.created_ids)
        print(
            f"  created (201): {len(tally.created_ids)}, clients stored now: {total}, 201s missing: {missing}"
        )
        failed += missing
    return 1 if failed else 0


def compare_reads(
    url: str,
    token: str,
    database: Path | None,
    client_ids: list[int],
    concurrency: int,
    seconds: float,
    generator: str,
    rounds: int,
) -> int:
    """GET /api/v1/clients/{id} against the bare app's one query per request, side by side: `rounds`
    rounds, one server then the other. How gunicorn's processes share the connections, as each accepts
    them, moves a server's rate from round to round: the best round of each is compared."""
    if database is None:
        raise SystemExit("read-client needs the server's SQLite file (--database) for the bare app")
    read = read_with_wrk if generator == "wrk" else read_with_threads
    print(f"load generator: {generator}")
    ours: list[Reads] = []
    bare: list[Reads] = []
    with bare_server(database) as bare_url:
        for _ in range(rounds):
            ours.append(read(f"{url}/api/v1/clients/", token, client_ids, concurrency, seconds))
            ours[-1].report("GET /api/v1/clients/{id}", concurrency)
            bare.append(read(f"{bare_url}/clients/", "", client_ids, concurrency, seconds))
            bare[-1].report("bare Flask, one SQL query", concurrency)
    best_ours, best_bare = (max(side, key=lambda each: each.rate) for side in (ours, bare))
    print(
        f"  best rounds: Prognoza {best_ours.rate:.0f} req/s, bare app {best_bare.rate:.0f} req/s: "
        f"Prognoza reaches {best_ours.rate / best_bare.rate:.0%} of the bare endpoint's requests per second"
    )
    failed = sum(each.failed for each in ours + bare)
    print(f"  failed (a server error or no answer; with wrk, any answer but 2xx/3xx): {failed}")
    return 1 if failed else 0


@dataclass(frozen=True)
class Reads:
    """What one generator's reads of one server came to."""

    requests: int
    elapsed: float
    p50: float
    p99: float
    statuses: str
    failed: int

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed

    def report(self, name: str, concurrency: int) -> None:
        print(f"{name}: {concurrency} connections for {self.elapsed:.1f} s")
        print(
            f"  requests {self.requests}, {self.rate:.1f} req/s, "
            f"p50 {self.p50 * 1000:.0f} ms, p99 {self.p99 * 1000:.0f} ms"
        )
        print(f"  statuses {self.statuses}")


def read_with_threads(
    base: str, token: str, client_ids: list[int], concurrency: int, seconds: float
) -> Reads:
    parts = urlsplit(base)
    tally, elapsed = hammer(concurrency, seconds, read_client(parts.path + "{}", client_ids), base, token)
    return reads_of(tally, elapsed)


def reads_of(tally: Tally, elapsed: float) -> Reads:
    """What the threads answered, summed up; a 5xx or no answer counts as failed."""
    latencies = sorted(tally.latencies)
    total = len(latencies)
    return Reads(
        requests=total,
        elapsed=elapsed,
        p50=statistics.median(latencies) if latencies else 0.0,
        p99=latencies[min(total - 1, int(total * 0.99))] if latencies else 0.0,
        statuses=", ".join(f"{status}: {n}" for status, n in sorted(tally.statuses.items(), key=str)),
        failed=server_errors(tally),
    )


WRK_SCRIPT = """
local ids = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, wrk.path .. ids[n %% #ids + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect, e.read, e.write, e.timeout))
end
"""
"""Cycles through the client ids; prints the summary on one line (durations in microseconds)."""


def read_with_wrk(base: str, token: str, client_ids: list[int], concurrency: int, seconds: float) -> Reads:
    """`wrk` with two threads of `concurrency` connections in all. A non-2xx/3xx answer or a socket
    error counts as failed."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT % ", ".join(map(str, client_ids)))
        script.flush()
        headers = ["-H", f"Authorization: Bearer {token}"] if token else []
        done = subprocess.run(
            ["wrk", "-t2", f"-c{concurrency}", f"-d{seconds:g}s", "-s", script.name, *headers, base],
            check=True,
            capture_output=True,
            text=True,
        )
    found = re.search(r"^RESULT ([\d ]+)$", done.stdout, re.MULTILINE)
    if found is None:
        raise SystemExit(f"wrk printed no result:\n{done.stdout}{done.stderr}")
    requests, duration, p50, p99, bad_status, *socket_errors = map(int, found.group(1).split())
    unanswered = sum(socket_errors)
    return Reads(
        requests=requests,
        elapsed=duration / 1e6,
        p50=p50 / 1e6,
        p99=p99 / 1e6,
        statuses=f"2xx/3xx: {requests - bad_status}, other: {bad_status}, socket errors: {unanswered}",
        failed=bad_status + unanswered,
    )


if __name__ == "__main__":
    sys.exit(main())
