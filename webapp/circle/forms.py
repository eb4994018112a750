"""Forms of the care circle pages."""

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField
from wtforms.validators import DataRequired, Email, InputRequired, Length

from webapp.circle.models import CIRCLE_ROLES
from webapp.forms import choices, strip


def _lower(value):
    value = strip(value)
    return value.lower() if isinstance(value, str) else value


ROLE_CHOICES = [(value, f"{label}: {meaning}") for value, label, meaning in CIRCLE_ROLES]


class InviteForm(FlaskForm):
    """Whom to invite and what they may see."""

    email = EmailField(
        "Their email address",
        [
            DataRequired("Enter the email address of the person you want to invite."),
            Length(max=254, message="That email address is too long."),
            Email("Enter a valid email address, like name@example.com."),
        ],
        filters=[_lower],
    )
    role = RadioField(
        "What may they see and do?",
        choices=choices(ROLE_CHOICES),
        default="viewer",
        validators=[InputRequired("Choose coordinator or viewer.")],
    )


class RoleForm(FlaskForm):
    """A member's new role."""

    role = RadioField(
        "Role",
        choices=choices([(value, label) for value, label, _ in CIRCLE_ROLES]),
        validators=[InputRequired("Choose coordinator or viewer.")],
    )
