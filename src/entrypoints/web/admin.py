"""Pages for administrators: staff accounts and the machine-learning models."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from flask import render_template
from flask.typing import ResponseReturnValue

from application.ports import UnitOfWork
from application.users import list_users
from domain.predictions import DEFAULT_THRESHOLD
from domain.users import Permission
from entrypoints.auth import requires
from entrypoints.container import Container
from entrypoints.web.blueprint import bp


@bp.get("/users")
@requires(Permission.MANAGE_USERS)
@inject
def users(uow: UnitOfWork = Provide[Container.uow]) -> ResponseReturnValue:
    return render_template("users/list.html", users=list_users(uow))


@bp.get("/ml")
@requires(Permission.TRAIN_MODELS)
def ml() -> ResponseReturnValue:
    return render_template("ml/overview.html", threshold=DEFAULT_THRESHOLD)
