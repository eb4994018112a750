"""Sign-up, log-in, profile, email and password forms."""

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField
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


def email_field(label: str = "Email") -> EmailField:
    """An email address, trimmed and lower-cased (accounts are unique in any letter case)."""
    return EmailField(
        label,
        [
            DataRequired("Enter your email address."),
            Length(max=254, message="That email address is too long."),
            Email("Enter a valid email address, like name@example.com."),
        ],
        filters=[_lower],
    )


class NewPasswordMixin:
    """A new password, typed twice, that follows the password rules."""

    password = PasswordField(
        "Password",
        [InputRequired("Choose a password.")],
        description="At least 12 characters. A short sentence works well.",
    )
    confirm = PasswordField(
        "Repeat the password",
        [InputRequired("Repeat the password."), EqualTo("password", "The passwords differ.")],
    )

    def validate_password(self, field):
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


def current_password_field() -> PasswordField:
    """The password the person uses now, asked again before a sensitive change."""
    return PasswordField(
        "Your current password",
        [InputRequired("Enter your current password."), Length(max=MAX_LENGTH)],
        description="We ask again so nobody else at this device can make the change.",
    )


class SignupForm(ProfileFieldsMixin, NewPasswordMixin, FlaskForm):
    """A new account: who you are, how to reach you, and your role."""

    email = email_field()
    role = RadioField(
        "How will you use HomeStretch?",
        choices=choices(SIGNUP_ROLES),
        validators=[InputRequired("Choose how you will use HomeStretch.")],
    )
    health_data_consent = BooleanField(
        "I agree that HomeStretch stores my health data (my routine, medications and pain "
        "scores) so that I can share it with the people I choose.",
        description="Asked of patients only.",
    )

    def validate_health_data_consent(self, field):
        if self.role.data == "patient" and not field.data:
            raise ValidationError(
                "To sign up as a patient, please tick the box: "
                "HomeStretch cannot keep your routine without your agreement."
            )


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(
        "Email", [DataRequired("Enter your email address."), Length(max=254)], filters=[_lower]
    )
    password = PasswordField(
        "Password", [InputRequired("Enter your password."), Length(max=MAX_LENGTH)]
    )
    remember = BooleanField("Keep me logged in on this device for 30 days")


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


class ChangeEmailForm(FlaskForm):
    """A new email address, confirmed with the current password."""

    email = email_field("New email address")
    current_password = current_password_field()


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    """A new password, confirmed with the current one."""

    current_password = current_password_field()
    password = PasswordField(
        "New password",
        [InputRequired("Choose a new password.")],
        description="At least 12 characters. A short sentence works well.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        [InputRequired("Repeat the new password."), EqualTo("password", "The passwords differ.")],
    )


class ForgotPasswordForm(FlaskForm):
    """The address to send a "choose a new password" link to."""

    email = email_field("Your email address")


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    """A new password chosen with an emailed link."""

    password = PasswordField(
        "New password",
        [InputRequired("Choose a new password.")],
        description="At least 12 characters. A short sentence works well.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        [InputRequired("Repeat the new password."), EqualTo("password", "The passwords differ.")],
    )


class ConfirmSignupForm(FlaskForm):
    """Create the account a confirmation link stands for, with the password chosen at sign-up:
    someone who signed up with another person's address cannot have that person press the
    button and hand them an account whose password they know."""

    password = PasswordField(
        "The password you chose when signing up",
        [InputRequired("Type the password you chose when signing up.")],
    )


class SendAgainForm(FlaskForm):
    """ "Didn't get it? Send it again" on the check-your-email page."""
