"""What half the bare app's rate would take of GET /api/v1/clients/{id}: the app served with its view, or
its hooks, replaced, each beside `bench/bare_app.py`, as CPU time a request.

    python bench/endpoint_floor.py [--seconds 6] [--variant "prognoza" --variant "raw view, no hooks" ...]

Each variant is served alone by gunicorn (one process of one thread, gthread, as `prognoza serve` runs
its workers) on the demo file of `bench/load.py read-client`, and read by `wrk` (2 s of warming, then
`--seconds`, 8 connections). The server's CPU time (its processes' user and system time from `/proc`)
over the requests answered is what a request costs it, whatever else the machine runs; the table gives
the bare app's cost as a share of each:

- prognoza: the app as it is;
- prognoza in full: every request through the app's own request handling, its client shortcut
  (`entrypoints.api.client_shortcut`) taken away;
- caller view: the view replaced by one that finds its caller (the bearer token's owner) and answers the
  id it was given; every hook kept;
- raw view: the view replaced by four hand-written `sqlite3` statements in one transaction (the
  credentials' revision, the client with its current predictions and newest snapshot's date, the
  settings) answered with `json.dumps`; every hook of the app kept;
- raw view, no hooks: the same, with the app's before-, after- and teardown-request hooks removed;
- id view: the view replaced by one that answers the id it was given, every hook kept;
- id view, no hooks: that, without the hooks.

Needs `wrk` (Debian's package). Exits 1 when a variant answered anything but 2xx.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from harness import sqlite_environment
from load import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    Reads,
    free_port,
    issue_token,
    prepare_demo,
    read_with_wrk,
    wait_until_up,
)

VARIANTS = (
    "bare",
    "prognoza",
    "prognoza in full",
    "caller view",
    "raw view",
    "raw view, no hooks",
    "id view",
    "id view, no hooks",
)
VARIANT = "FLOOR_VARIANT"
CONNECTIONS = 8
WARMING_SECONDS = 2
CLIENT_IDS = list(range(1, 301))

REVISION = "SELECT number FROM revisions WHERE name = 'credentials'"
CLIENT = """
SELECT c.id, c.first_name, c.last_name, c.email, c.registered_on,
       s.value, s.model_version, s.made_at, s.observed_on,
       p.probability, p.will_buy, p.threshold, p.expected_value, p.model_version, p.made_at, p.observed_on,
       (SELECT max(observed_on) FROM client_activity WHERE client_id = c.id)
FROM clients c
LEFT JOIN sales_predictions s ON s.client_id = c.id AND s.is_current
LEFT JOIN purchase_predictions p ON p.client_id = c.id AND p.is_current
WHERE c.id = ?
"""
SETTINGS = "SELECT key, value FROM app_settings"


def served() -> Any:
    """The app of the variant named by FLOOR_VARIANT (gunicorn's factory: `endpoint_floor:served()`)."""
    from flask import Response, jsonify, request

    from entrypoints.api.security import caller
    from entrypoints.app import create_app

    variant = os.environ[VARIANT]
    app = create_app()
    if variant == "prognoza":
        return app
    app.wsgi_app = app.wsgi_app.inner  # type: ignore[attr-defined,method-assign]  # no client shortcut
    if variant.startswith("id view"):
        app.view_functions["api.get_client"] = lambda client_id: jsonify(id=client_id)
    elif variant == "caller view":

        def caller_view(client_id: int) -> Response:
            caller()
            return jsonify(id=client_id)

        app.view_functions["api.get_client"] = caller_view
    elif variant.startswith("raw view"):
        local = threading.local()
        database = os.environ["PROGNOZA_DATABASE_URL"].removeprefix("sqlite:///")

        def raw_view(client_id: int) -> Response:
            if not hasattr(local, "connection"):
                local.connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
            # The token hashed as the app hashes it; the credentials' revision read below stands for its
            # owner remembered since (`application.tokens.TokenCache`).
            hashlib.sha256(request.headers["Authorization"].encode()).hexdigest()
            cursor = local.connection.cursor()
            cursor.execute("BEGIN")
            cursor.execute(REVISION).fetchone()
            row = cursor.execute(CLIENT, (client_id,)).fetchone()
            cursor.execute(SETTINGS).fetchall()
            cursor.execute("ROLLBACK")
            return Response(json.dumps(_answer(row)), mimetype="application/json")

        app.view_functions["api.get_client"] = raw_view
    if variant.endswith("no hooks"):
        for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
            hooks.clear()
    return app


def _answer(row: tuple[Any, ...]) -> dict[str, Any]:
    client_id, first_name, last_name, email, registered_on, *predicted, latest = row
    forecast, purchase = predicted[:4], predicted[4:]
    return {
        "id": client_id,
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "registered_on": registered_on,
        "url": f"/api/v1/clients/{client_id}",
        "forecast": dict(zip(("value", "model_version", "made_at", "observed_on"), forecast, strict=True)),
        "purchase": dict(
            zip(
                (
                    "probability",
                    "will_buy",
                    "threshold",
                    "expected_value",
                    "model_version",
                    "made_at",
                    "observed_on",
                ),
                purchase,
                strict=True,
            )
        ),
        "latest_observed_on": latest,
        "links": {
            "activity": f"/api/v1/clients/{client_id}/activity",
            "predictions": f"/api/v1/clients/{client_id}/predictions",
        },
    }


@contextmanager
def serving(variant: str, env: dict[str, str], database: Path) -> Iterator[tuple[str, int]]:
    """gunicorn serving `variant`, one process of one thread; its URL and its master's process id."""
    port = free_port()
    app = "bare_app:app" if variant == "bare" else "endpoint_floor:served()"
    where = ["--bind", f"127.0.0.1:{port}", "--chdir", str(Path(__file__).parent)]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-k", "gthread", "--workers", "1", "--threads", "1", *where, app],
        env=env | {VARIANT: variant, "BARE_DATABASE": str(database)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, path="/clients/1" if variant == "bare" else "/api/v1/openapi.json")
        yield url, server.pid
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def cpu_seconds(master: int) -> float:
    """User and system time of the gunicorn master and its workers so far."""
    ticks = 0
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in [master, *map(int, children)]:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15 of stat
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(variant: str, env: dict[str, str], database: Path, seconds: float) -> tuple[Reads, float]:
    with serving(variant, env, database) as (url, master):
        token = "" if variant == "bare" else issue_token(url, ADMIN_EMAIL, ADMIN_PASSWORD)
        base = f"{url}/clients/" if variant == "bare" else f"{url}/api/v1/clients/"
        read_with_wrk(base, token, CLIENT_IDS, CONNECTIONS, WARMING_SECONDS)
        before = cpu_seconds(master)
        reads = read_with_wrk(base, token, CLIENT_IDS, CONNECTIONS, seconds)
        used = cpu_seconds(master) - before
    return reads, used / max(reads.requests, 1)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument(
        "--variant",
        action="append",
        choices=VARIANTS,
        help="one to serve beside the bare app, again for more (default: every one)",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database, env = sqlite_environment(folder)
        print("preparing a demo database (300 clients, 4 months, both models trained, clients scored) ...")
        prepare_demo(env)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).parent), env.get("PYTHONPATH")]))
        chosen = ["bare", *(name for name in options.variant or VARIANTS if name != "bare")]
        results = {variant: measure(variant, env, database, options.seconds) for variant in chosen}
    bare_cost = results["bare"][1]
    print(f"\n{'served':24s} {'req/s':>8s} {'CPU a request':>14s} {'the bare app as a share':>24s}")
    for variant, (reads, cost) in results.items():
        print(f"{variant:24s} {reads.rate:8.0f} {cost * 1000:11.3f} ms {bare_cost / cost:23.0%}")
    failed = sum(reads.failed for reads, _ in results.values())
    print(f"failed (any answer but 2xx/3xx, or none): {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
