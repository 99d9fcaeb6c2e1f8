"""Training, scoring and rollback through `prognoza`, with real scikit-learn, files and databases."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import Result

from adapters.sqlalchemy import SqlAlchemyUnitOfWork, make_engine, make_session_factory
from application.exports import EXPORT_COLUMNS
from domain.predictions import ModelKind
from integration.test_cli import assert_refused_cleanly, environment, prognoza, upgraded  # noqa: F401


def succeeded(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def seeded(upgraded: str) -> str:  # noqa: F811
    succeeded(prognoza("demo", "seed", "--clients", "300", "--months", "4", "--seed", "7"))
    return upgraded


def active_versions(url: str) -> dict[ModelKind, int | None]:
    engine = make_engine(url)
    try:
        with SqlAlchemyUnitOfWork(make_session_factory(engine)) as uow:
            runs = {kind: uow.model_runs.active(kind) for kind in ModelKind}
            return {kind: run.version if run else None for kind, run in runs.items()}
    finally:
        engine.dispose()


def scored_clients(url: str) -> int:
    engine = make_engine(url)
    try:
        with SqlAlchemyUnitOfWork(make_session_factory(engine)) as uow:
            threshold, rule = uow.settings.threshold(), uow.settings.segment_rule()
            return uow.predictions.summary(threshold, rule).clients_scored
    finally:
        engine.dispose()


def test_both_models_train_beside_their_baselines_and_score_every_client(seeded: str) -> None:
    sales = succeeded(prognoza("train", "sales")).stdout
    purchase = succeeded(prognoza("train", "purchase", "--activate-anyway")).stdout
    scored = succeeded(prognoza("predict")).stdout

    assert "* sales v1 succeeded" in sales and "r2 " in sales and "baseline last_month: r2 " in sales
    assert "test month of 296 (trained on 552)" in sales
    assert "* purchase v1 succeeded" in purchase and "baseline bought_last_30d: roc_auc " in purchase
    # Every client who visited or bought has snapshots, hence predictions; a few never came.
    count = scored_clients(seeded)
    assert 250 < count <= 300
    assert f"Scored {count} clients with sales v1 and purchase v1 at threshold 70%" in scored
    assert active_versions(seeded) == {ModelKind.SALES: 1, ModelKind.PURCHASE: 1}


def test_one_client_is_scored_with_its_decision_and_threshold(seeded: str) -> None:
    succeeded(prognoza("train", "sales"))
    succeeded(prognoza("train", "purchase", "--activate-anyway"))

    result = succeeded(prognoza("predict", "--client", "5")).stdout

    assert "Client 5: forecast" in result and "at threshold 70%" in result


def test_predicting_before_training_is_a_clean_not_trained_error(seeded: str) -> None:
    assert_refused_cleanly(prognoza("predict"), 1, "not trained yet")


def test_too_little_data_is_a_recorded_failed_run_and_nothing_becomes_active(upgraded: str) -> None:  # noqa: F811
    succeeded(prognoza("demo", "seed", "--clients", "10", "--months", "3", "--seed", "1"))

    assert_refused_cleanly(
        prognoza("train", "sales"), 1, "Too little data: 10 labelled snapshots before the newest"
    )
    assert "sales v1 failed" in succeeded(prognoza("models", "list")).stdout
    assert active_versions(upgraded)[ModelKind.SALES] is None


def test_an_earlier_version_can_be_reactivated_and_back(seeded: str) -> None:
    succeeded(prognoza("train", "sales"))
    succeeded(prognoza("train", "sales"))

    succeeded(prognoza("models", "activate", "sales", "1"))
    assert active_versions(seeded)[ModelKind.SALES] == 1
    listing = succeeded(prognoza("models", "list", "--kind", "sales")).stdout
    assert "* sales v1" in listing and "  sales v2" in listing

    succeeded(prognoza("models", "activate", "sales", "2"))
    assert active_versions(seeded)[ModelKind.SALES] == 2
    assert_refused_cleanly(prognoza("models", "activate", "sales", "9"), 1, "not found")


def test_a_tampered_model_file_is_refused(seeded: str, tmp_path: Path) -> None:
    succeeded(prognoza("train", "sales"))
    succeeded(prognoza("train", "purchase", "--activate-anyway"))
    artifact = tmp_path / "instance" / "models" / "sales" / "v0001.joblib"
    artifact.write_bytes(artifact.read_bytes() + b"tampered")

    assert_refused_cleanly(prognoza("predict"), 1, "does not match its recorded SHA-256")


def test_export_clients_writes_the_scored_list_as_the_panel_does(seeded: str, tmp_path: Path) -> None:
    succeeded(prognoza("train", "sales"))
    succeeded(prognoza("train", "purchase", "--activate-anyway"))
    succeeded(prognoza("predict"))
    everyone, some = tmp_path / "clients.csv", tmp_path / "some.csv"

    told = succeeded(prognoza("export", "clients", str(everyone))).stdout
    rows = list(csv.DictReader(everyone.open(encoding="utf-8")))
    # A demo client who never visited nor bought has no snapshot, so nothing to be scored on.
    scored = [row for row in rows if row["predicted_sales"]]
    segment = scored[0]["segment"]
    succeeded(prognoza("export", "clients", str(some), "--segment", segment, "--sort", "-predicted_sales"))
    chosen = list(csv.DictReader(some.open(encoding="utf-8")))

    assert f"Exported 300 clients to {everyone}" in told
    assert tuple(rows[0]) == EXPORT_COLUMNS and len(rows) == 300
    assert len(scored) >= 290
    assert all(row["will_buy"] in {"true", "false"} and row["segment"] for row in scored)
    assert all(not row["will_buy"] and not row["segment"] for row in rows if not row["predicted_sales"])
    assert len(chosen) == sum(row["segment"] == segment for row in rows)
    assert {row["segment"] for row in chosen} == {segment}
    sales = [float(row["predicted_sales"]) for row in chosen]
    assert sales == sorted(sales, reverse=True)


def test_export_clients_writes_the_top_n_for_polish_excel(seeded: str, tmp_path: Path) -> None:
    top = tmp_path / "top.csv"

    told = succeeded(
        prognoza(
            "export",
            "clients",
            str(top),
            "--sort",
            "email",
            "--limit",
            "7",
            "--dialect",
            "excel",
            "--lang",
            "pl",
        )
    ).stdout

    data = top.read_bytes()
    assert f"Exported 7 clients to {top}" in told
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0][:3] == ["ID klienta", "Imię", "Nazwisko"] and len(rows) == 8
    assert [row[3] for row in rows[1:]] == sorted((row[3] for row in rows[1:]), key=str.lower)


def test_export_clients_refuses_a_bad_limit_naming_it(seeded: str, tmp_path: Path) -> None:
    result = prognoza("export", "clients", str(tmp_path / "x.csv"), "--limit", "0")

    assert_refused_cleanly(result, 1, "limit")
    assert not (tmp_path / "x.csv").exists()


def test_export_clients_refuses_a_bad_filter_naming_it(seeded: str, tmp_path: Path) -> None:
    result = prognoza("export", "clients", str(tmp_path / "x.csv"), "--segment", "huge")

    assert_refused_cleanly(result, 1, "segment")
    assert not (tmp_path / "x.csv").exists()


def test_a_purchase_model_no_better_than_bought_in_the_last_30_days_is_not_activated_silently(
    seeded: str,
) -> None:
    purchase = succeeded(prognoza("train", "purchase")).stdout

    assert "  purchase v1 succeeded" in purchase
    assert "warning: Not better than the baseline: ROC AUC" in purchase
    assert active_versions(seeded)[ModelKind.PURCHASE] is None
    assert_refused_cleanly(prognoza("predict"), 1, "not trained yet")

    succeeded(prognoza("models", "activate", "purchase", "1"))
    listing = succeeded(prognoza("models", "list", "--kind", "purchase")).stdout
    assert "* purchase v1" in listing and "warning: Not better than the baseline" in listing
