"""Web forms. They check what a browser form needs; the rules of the input live in application.commands."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import InputRequired, Length

from application.commands import PASSWORD_MAX_LENGTH
from application.validation import InvalidInput
from domain.clients import EMAIL_MAX_LENGTH

TOO_LONG = _l("Use at most %(max)d characters.")


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[
            InputRequired(message=_l("Enter your email address.")),
            Length(max=EMAIL_MAX_LENGTH, message=TOO_LONG),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(message=_l("Enter your password.")),
            Length(max=PASSWORD_MAX_LENGTH, message=TOO_LONG),
        ],
    )
    remember = BooleanField(_l("Keep me signed in"))

    def credentials(self) -> dict[str, Any]:
        return {"email": self.email.data, "password": self.password.data}


def show_invalid_input(form: FlaskForm, error: InvalidInput) -> None:
    """Put each refused value's message next to its field, or above the form if no field matches."""
    for problem in error.errors:
        field = form._fields.get(problem.field)
        if field is None:
            form.form_errors.append(problem.message)
        else:
            field.errors = [*field.errors, problem.message]
