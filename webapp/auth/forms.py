"""Sign-up, log-in and profile forms."""

import re

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectField
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from webapp.auth.models import SIGNUP_ROLES
from webapp.auth.passwords import MAX_LENGTH, password_problem
from webapp.forms import choices, strip, text_field
from webapp.timezones import is_valid_timezone, timezone_choices

PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ().\-]{5,24}$")


def _lower(value):
    value = strip(value)
    return value.lower() if isinstance(value, str) else value


class TimezoneField(SelectField):
    """A select of IANA zones that reports an unknown zone in plain words."""

    def __init__(self, label="Time zone", **kwargs):
        super().__init__(
            label,
            choices=choices(timezone_choices()),
            validate_choice=False,
            validators=[InputRequired("Choose your time zone.")],
            **kwargs,
        )

    def pre_validate(self, form):
        if not is_valid_timezone(self.data):
            raise ValidationError("Choose a time zone from the list, e.g. America/New_York.")


class ProfileFieldsMixin:
    display_name = text_field(
        "Your name",
        DataRequired("Tell us what to call you."),
        Length(max=200, message="Keep the name under 200 characters."),
        description="Shown to your care circle and to aides you book.",
    )
    timezone = TimezoneField()


class SignupForm(ProfileFieldsMixin, FlaskForm):
    """A new account: who you are, how to reach you, and your role."""

    email = EmailField(
        "Email",
        [
            DataRequired("Enter your email address."),
            Length(max=254, message="That email address is too long."),
            Email("Enter a valid email address, like name@example.com."),
        ],
        filters=[_lower],
    )
    password = PasswordField(
        "Password",
        [InputRequired("Choose a password.")],
        description="At least 12 characters. A short sentence works well.",
    )
    confirm = PasswordField(
        "Repeat the password",
        [InputRequired("Repeat the password."), EqualTo("password", "The passwords differ.")],
    )
    role = RadioField(
        "How will you use HomeStretch?",
        choices=choices(SIGNUP_ROLES),
        validators=[InputRequired("Choose how you will use HomeStretch.")],
    )

    def validate_password(self, field):
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(
        "Email", [DataRequired("Enter your email address."), Length(max=254)], filters=[_lower]
    )
    password = PasswordField(
        "Password", [InputRequired("Enter your password."), Length(max=MAX_LENGTH)]
    )


class ProfileForm(ProfileFieldsMixin, FlaskForm):
    """The editable parts of an account."""

    phone = text_field(
        "Phone (optional)",
        Optional(),
        Length(max=32, message="That phone number is too long."),
        description="Aides you book see it, so they can call if they are running late.",
    )

    def validate_phone(self, field):
        if field.data and not PHONE_PATTERN.match(field.data):
            raise ValidationError("Use digits, spaces and + ( ) - only, e.g. +1 555 123 4567.")
