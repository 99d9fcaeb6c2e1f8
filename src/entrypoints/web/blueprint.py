"""The blueprint every page of the panel hangs on."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__)
