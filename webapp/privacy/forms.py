"""The account deletion form: the current password again, and a deliberate tick."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from webapp.auth.passwords import MAX_LENGTH


class DeleteAccountForm(FlaskForm):
    """Re-authenticate and confirm before the account is deleted."""

    password = PasswordField(
        "Your current password",
        [InputRequired("Enter your current password."), Length(max=MAX_LENGTH)],
        description="We ask again so nobody else can delete your account from an open screen.",
    )
    understood = BooleanField(
        "I understand that my account and the data listed above will be deleted, "
        "and that this cannot be undone.",
        [DataRequired("Tick the box to confirm you want to delete your account.")],
    )

    def __init__(self, person, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def validate_password(self, field):
        if field.errors:  # too long: not worth hashing
            return
        if not self.person.check_password(field.data or ""):
            raise ValidationError("That is not your current password. Nothing was changed.")
