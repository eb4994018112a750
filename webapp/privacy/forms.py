"""The account deletion form: the current password again, and a deliberate tick."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, InputRequired, Length

from webapp.auth.passwords import MAX_LENGTH


class DeleteAccountForm(FlaskForm):
    """Re-authenticate and confirm before the account is deleted."""

    # The route checks the password itself: a wrong one is counted like a failed log-in.

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
