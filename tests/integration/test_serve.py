"""`prognoza serve` on SQLite under concurrent writers, and a file that tools without the app can check."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PROGNOZA = [sys.executable, "-m", "entrypoints.cli"]
ADMIN_EMAIL = "admin@prognoza.example"
ADMIN_PASSWORD = "correct horse battery"
WRITERS = 12
WRITING_SECONDS = 6


def environment(folder: Path) -> dict[str, str]:
    return os.environ | {
        "PYTHONPATH": str(SRC),
        "PROGNOZA_INSTANCE_DIR": str(folder),
        "PROGNOZA_DATABASE_URL": f"sqlite:///{folder / 'prognoza.sqlite3'}",
        "PROGNOZA_LOG_LEVEL": "WARNING",
        "PROGNOZA_WORKERS": "3",
        "PROGNOZA_THREADS": "4",
    }


def prognoza(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [*PROGNOZA, *args], env=env, input=stdin, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post(
    connection: http.client.HTTPConnection, path: str, payload: object, token: str = ""
) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    connection.request("POST", path, body=json.dumps(payload), headers=headers)
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"{}")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """`prognoza serve` (3 processes x 4 threads) on a new SQLite file with an admin; its port and file."""
    env = environment(tmp_path)
    prognoza(env, "db", "upgrade")
    prognoza(env, "users", "create", ADMIN_EMAIL, "--role", "admin", "--password-stdin", stdin=ADMIN_PASSWORD)
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
        assert f"http://127.0.0.1:{port}" in server.stdout.readline()
        wait_for(port)
        yield port, tmp_path / "prognoza.sqlite3"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/openapi.json")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered on port {port}")


def write_clients(
    port: int, token: str, writer: int, until: float, statuses: Counter[int], ids: list[int]
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for n in range(1_000_000):
        if time.monotonic() >= until:
            return
        payload = {
            "first_name": "Łucja",
            "last_name": f"Żółć {writer}-{n}",
            "email": f"Łucja.{writer}.{n}@Example.PL",
            "registered_on": "2024-01-15",
        }
        status, document = post(connection, "/api/v1/clients", payload, token)
        statuses[status] += 1
        if status == 201:
            ids.append(int(document["id"]))


def test_concurrent_writers_under_gunicorn_are_each_answered_and_stored(served: tuple[int, Path]) -> None:
    port, database = served
    _, issued = post(
        http.client.HTTPConnection("127.0.0.1", port, timeout=30),
        "/api/v1/auth/tokens",
        {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
    )
    statuses: Counter[int] = Counter()
    ids: list[int] = []
    until = time.monotonic() + WRITING_SECONDS
    writers = [
        threading.Thread(target=write_clients, args=(port, issued["token"], writer, until, statuses, ids))
        for writer in range(WRITERS)
    ]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()

    with sqlite3.connect(database) as connection:  # no function of the app's: what any tool sees
        stored = {row[0] for row in connection.execute("SELECT id FROM clients")}
        integrity = connection.execute("PRAGMA integrity_check").fetchall()

    assert set(statuses) == {201}, statuses
    assert len(ids) > WRITERS
    assert set(ids) <= stored
    assert integrity == [("ok",)]


def test_a_demo_database_passes_the_integrity_check_of_tools_without_the_app(tmp_path: Path) -> None:
    env = environment(tmp_path)
    database = tmp_path / "prognoza.sqlite3"
    prognoza(env, "db", "upgrade")
    prognoza(env, "demo", "seed", "--clients", "60", "--months", "2")
    prognoza(
        env,
        "users",
        "create",
        "ŁUCJA@Example.PL",
        "--role",
        "analyst",
        "--password-stdin",
        stdin="secret-pass",
    )

    with sqlite3.connect(database) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchall()

    assert integrity == [("ok",)]
    if shutil.which("sqlite3"):
        shell = subprocess.run(
            ["sqlite3", str(database), "PRAGMA integrity_check"], capture_output=True, text=True
        )
        assert shell.stdout.strip() == "ok"


def read_client(
    port: int, path: str, token: str, until: float, answers: list[tuple[float, int, str]]
) -> None:
    """GET `path` again and again on one connection: when each request was sent, its status, the last name."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while (sent := time.monotonic()) < until:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        document = json.loads(response.read())
        answers.append((sent, response.status, document.get("last_name", "")))


def test_every_process_reads_a_change_and_refuses_a_revoked_token_at_once(served: tuple[int, Path]) -> None:
    """Readers on many connections, spread over the server's processes, each of which remembers the token's
    owner: a change made through one process is read by all from then on, and so is the revocation."""
    port, _ = served
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    _, issued = post(connection, "/api/v1/auth/tokens", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    token = issued["token"]
    new = {
        "first_name": "Anna",
        "last_name": "Stara",
        "email": "anna@example.pl",
        "registered_on": "2024-01-15",
    }
    _, client = post(connection, "/api/v1/clients", new, token)
    answers: list[tuple[float, int, str]] = []
    until = time.monotonic() + 4
    readers = [
        threading.Thread(target=read_client, args=(port, client["url"], token, until, answers))
        for _ in range(WRITERS)
    ]
    for thread in readers:
        thread.start()
    time.sleep(1)
    connection.request(
        "PATCH",
        client["url"],
        body=json.dumps({"last_name": "Nowa"}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    patched = connection.getresponse()
    assert (patched.status, json.loads(patched.read())["last_name"]) == (200, "Nowa")
    renamed = time.monotonic()
    time.sleep(1)
    connection.request("DELETE", "/api/v1/auth/tokens/current", headers={"Authorization": f"Bearer {token}"})
    assert connection.getresponse().status == 204
    revoked = time.monotonic()
    for thread in readers:
        thread.join()

    assert {status for _, status, _ in answers} == {200, 401}
    assert {name for sent, status, name in answers if sent > renamed and status == 200} == {"Nowa"}
    assert {status for sent, status, _ in answers if sent > revoked} == {401}
    assert len([sent for sent, _, _ in answers if sent > revoked]) > WRITERS
