"""The pages every signed-in person reads: the dashboard and the client list."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from flask import render_template, request
from flask.typing import ResponseReturnValue

from application.clients import list_clients
from application.commands import ClientListQuery
from application.dashboard import count_clients
from application.ports import UnitOfWork
from domain.users import Permission
from entrypoints.auth import requires
from entrypoints.container import Container
from entrypoints.web.blueprint import bp

CLIENT_LIST_PARAMETERS = ("q", "page")


@bp.get("/")
@requires(Permission.READ)
@inject
def dashboard(uow: UnitOfWork = Provide[Container.uow]) -> ResponseReturnValue:
    return render_template("dashboard.html", client_count=count_clients(uow))


@bp.get("/clients")
@requires(Permission.READ)
@inject
def clients(uow: UnitOfWork = Provide[Container.uow]) -> ResponseReturnValue:
    given = {name: request.args[name] for name in CLIENT_LIST_PARAMETERS if request.args.get(name)}
    query = ClientListQuery.parse(given)
    return render_template("clients/list.html", query=query, page=list_clients(query, uow))
