"""A bare Flask app answering GET /clients/<id> with one plain SQL query on Prognoza's SQLite file: the
yardstick `bench/load.py read-client` holds GET /api/v1/clients/{id} against, served the same way.

    BARE_DATABASE=/path/prognoza.sqlite3 gunicorn --workers 2 --threads 4 --chdir bench bare_app:app
"""

from __future__ import annotations

import os
import sqlite3
import threading

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

COLUMNS = ("id", "first_name", "last_name", "email", "registered_on")

app = Flask(__name__)
_local = threading.local()


def _connection() -> sqlite3.Connection:
    """One connection per thread, opened at its first request."""
    if not hasattr(_local, "connection"):
        _local.connection = sqlite3.connect(os.environ["BARE_DATABASE"])
    return _local.connection  # type: ignore[no-any-return]


@app.get("/clients/<int:client_id>")
def client(client_id: int) -> ResponseReturnValue:
    row = (
        _connection()
        .execute(f"SELECT {', '.join(COLUMNS)} FROM clients WHERE id = ?", (client_id,))
        .fetchone()
    )
    if row is None:
        return jsonify(error="not found"), 404
    return jsonify(dict(zip(COLUMNS, row, strict=True)))
