"""Forms about passwords and API tokens: a user's own account page, and an administrator's reset of
another user's password. As in `entrypoints.web.forms`, their rules are the commands'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectChoice, SelectField

from entrypoints.web.forms import CommandForm
from entrypoints.web.labels import FIELD_LABELS

TOKEN_LIFETIMES = (7, 30, 90, 365)
"""The lifetimes the account page offers, in days (the API takes any from 1 to 365)."""


class OwnPasswordForm(CommandForm):
    current_password = PasswordField(
        FIELD_LABELS["current_password"], render_kw={"autocomplete": "current-password"}
    )
    password = PasswordField(FIELD_LABELS["new_password"], render_kw={"autocomplete": "new-password"})
    password_confirmation = PasswordField(
        FIELD_LABELS["password_confirmation"], render_kw={"autocomplete": "new-password"}
    )


class PasswordResetForm(CommandForm):
    password = PasswordField(FIELD_LABELS["new_password"], render_kw={"autocomplete": "new-password"})


def _lifetimes() -> list[SelectChoice]:
    return [SelectChoice(str(days), _l("%(days)s days", days=days)) for days in TOKEN_LIFETIMES]


class TokenForm(CommandForm):
    expires_in_days = SelectField(
        FIELD_LABELS["expires_in_days"], choices=_lifetimes, default="30", validate_choice=False
    )
