"""A training whose process is killed (`kill -9`) mid-training: its run is failed with the reason, and
the next training starts at once instead of being refused as "already in progress" forever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from adapters.clock import FixedClock
from domain.model_runs import RUN_LEASE, RunStatus
from domain.predictions import ModelKind
from entrypoints.app import create_app
from entrypoints.container import container_of
from entrypoints.settings import Settings

SALES = ModelKind.SALES
PROGNOZA = Path(sys.executable).with_name("prognoza")


def prognoza(instance: Path, *args: str) -> subprocess.Popen[bytes]:
    environment = os.environ | {
        "PROGNOZA_INSTANCE_DIR": str(instance),
        "PROGNOZA_DATABASE_URL": f"sqlite:///{instance / 'prognoza.sqlite3'}",
        "PROGNOZA_ENV": "development",
        "PROGNOZA_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [str(PROGNOZA), *args], env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def finished(process: subprocess.Popen[bytes]) -> None:
    out, err = process.communicate(timeout=240)
    assert process.returncode == 0, (out + err).decode()


def run_row(instance: Path) -> dict[str, object] | None:
    engine = create_engine(f"sqlite:///{instance / 'prognoza.sqlite3'}")
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT status, worker, heartbeat_at FROM model_runs ORDER BY id DESC LIMIT 1")
            ).one_or_none()
    finally:
        engine.dispose()
    return None if row is None else dict(row._mapping)


def wait_until_running(instance: Path, process: subprocess.Popen[bytes]) -> dict[str, object]:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        row = run_row(instance)
        if row is not None and row["status"] == RunStatus.RUNNING.value:
            return row
        assert process.poll() is None, "the training ended before it could be killed"
        time.sleep(0.02)
    pytest.fail("the training never started")


def killed_mid_training(instance: Path) -> tuple[dict[str, object], int]:
    """A seeded database whose `prognoza train sales` was killed (SIGKILL) while running: the run as it
    was then, and the pid of the process killed."""
    finished(prognoza(instance, "db", "upgrade"))
    finished(prognoza(instance, "demo", "seed", "--clients", "1000", "--months", "12"))
    training = prognoza(instance, "train", "sales")
    running = wait_until_running(instance, training)
    training.send_signal(signal.SIGKILL)
    training.wait(timeout=30)
    return running, training.pid


@pytest.mark.skipif(not PROGNOZA.exists(), reason="the prognoza script is not installed in this environment")
def test_a_training_killed_mid_way_is_failed_with_the_reason_and_the_next_one_starts_at_once(
    tmp_path: Path,
) -> None:
    instance = tmp_path / "instance"
    running, pid = killed_mid_training(instance)
    assert running["worker"] == f"{os.uname().nodename}:{pid}"

    # The next request that looks, once the lease has run out (the clock moved past it).
    app = create_app(
        Settings(
            env="testing", instance_dir=instance, database_url=f"sqlite:///{instance / 'prognoza.sqlite3'}"
        )
    )
    container = container_of(app)
    try:
        [killed] = container.list_runs()(SALES)
        assert killed.status is RunStatus.RUNNING  # within the lease its worker may still be alive
        assert killed.heartbeat_at is not None
        container.clock.override(FixedClock(killed.heartbeat_at + RUN_LEASE + timedelta(seconds=1)))

        [failed] = container.list_runs()(SALES)
        assert failed.status is RunStatus.FAILED
        assert failed.error == (
            f"The process training it ({running['worker']}) stopped (no heartbeat since "
            f"{killed.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC)."
        )

        run = container.queue_training()(SALES, "admin@example.com")
        assert run.version == 2
        assert container.run_training()(run.id).status is RunStatus.SUCCEEDED
    finally:
        container.engine().dispose()


@pytest.mark.skipif(not PROGNOZA.exists(), reason="the prognoza script is not installed in this environment")
def test_a_restart_on_the_same_machine_fails_the_killed_run_at_once_and_trains_again(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    running, _ = killed_mid_training(instance)

    # Well within the lease: the process it names is gone, and the new start sees it.
    again = prognoza(instance, "train", "sales")
    out, err = again.communicate(timeout=240)
    listed = prognoza(instance, "models", "list", "--kind", "sales").communicate(timeout=60)[0].decode()

    assert again.returncode == 0, (out + err).decode()
    assert "* sales v2 succeeded" in out.decode()
    assert "sales v1 failed" in listed and f"The process training it ({running['worker']}) stopped" in listed
