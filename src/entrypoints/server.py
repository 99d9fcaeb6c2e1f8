"""`prognoza serve`: the app under gunicorn, several processes of several threads each.

Each worker process builds its own app (and so its own engine and connection pool) after the fork:
nothing opened in the master is shared between processes.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from entrypoints.app import create_app
from entrypoints.settings import Settings

# Long enough for the slowest request (a CSV import of a large file); training runs in the background.
WORKER_TIMEOUT_SECONDS = 120


def gunicorn_options(settings: Settings, host: str, port: int) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": settings.workers,
        "threads": settings.threads,
        "worker_class": "gthread",
        "timeout": WORKER_TIMEOUT_SECONDS,
        # gunicorn's largest request line (its default is 4 KB): an export of the ticked rows of a page
        # names up to 100 ids in its query.
        "limit_request_line": 8190,
        "graceful_timeout": 30,
        "accesslog": None,  # the app logs every request itself, with its request id
        "errorlog": "-",
        "proc_name": "prognoza",
    }


class PrognozaServer(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints
    """gunicorn's application that serves `create_app()`, configured in code (no gunicorn.conf.py)."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return create_app()
