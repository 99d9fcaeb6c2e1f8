"""Two apps in one process (as in an export and import round trip): each panel serves its own database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Flask

from adapters.sqlalchemy import upgrade_database
from application.commands import NewClient
from domain.users import User
from e2e.conftest import AuthActions, app_on_instance
from entrypoints.container import container_of


def add_client(app: Flask, first_name: str, last_name: str) -> None:
    command = NewClient.parse(
        {
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{first_name.lower()}@example.pl",
            "registered_on": date(2024, 3, 15),
        }
    )
    container_of(app).register_client()(command)


def test_the_first_apps_pages_show_its_own_database_after_a_second_app_was_built(
    app: Flask, client, auth: AuthActions, admin: User, tmp_path: Path
):
    add_client(app, "Anna", "Kowalska")
    other_instance = tmp_path / "other"
    other_instance.mkdir()
    upgrade_database(f"sqlite:///{other_instance}/prognoza.sqlite3")
    other = app_on_instance(other_instance)
    try:
        add_client(other, "Piotr", "Nowak")

        signed_in = auth.login(admin.email)
        html = client.get("/clients").get_data(as_text=True)
    finally:
        container_of(other).engine().dispose()

    assert signed_in.status_code == 302
    assert "Anna Kowalska" in html
    assert "Piotr Nowak" not in html
