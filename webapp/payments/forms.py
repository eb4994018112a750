"""The payment pages' forms: the admin's refund and filters, and plain buttons."""

import re
import secrets

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from webapp.forms import PlausibleDate, choices, notes_field, text_field
from webapp.money import parse_cents
from webapp.payments.models import PAYMENT_STATUSES

REASON_MAX = 500
STATUS_LABELS = {
    "pending": "Waiting to be authorized",
    "authorized": "Card authorized",
    "failed": "Card declined",
    "capture_failed": "Could not be collected",
    "captured": "Paid",
    "released": "Not charged (hold let go)",
    "partially_refunded": "Partly refunded",
    "refunded": "Refunded",
}
_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


class ButtonForm(FlaskForm):
    """A button that changes something (save a card, set up payouts): only the CSRF token."""


class RefundForm(FlaskForm):
    """An admin gives money back: how much, why, and a tick to confirm."""

    amount = text_field(
        "Amount to refund",
        InputRequired("Enter the amount to refund."),
        Length(max=15, message="That amount is too long."),
        description="For example 25 or 12.50.",
    )
    reason = notes_field(
        "Reason",
        DataRequired("Write why the money is given back; it stays on the record."),
        Length(max=REASON_MAX, message=f"Keep the reason under {REASON_MAX} characters."),
    )
    confirm = BooleanField(
        "I have checked the amount: refund it to the patient's card now",
        [DataRequired("Tick the box to confirm the refund.")],
    )
    #: Carried by the form, so a double tap or a replayed post refunds once.
    submission_key = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted() and not self.submission_key.data:
            self.submission_key.data = secrets.token_urlsafe(24)

    @property
    def cents(self) -> int | None:
        return parse_cents(self.amount.data)

    def validate_amount(self, field):
        cents = parse_cents(field.data)
        if cents is None or cents <= 0:
            raise ValidationError("Enter an amount above zero, e.g. 25 or 12.50.")

    def validate_submission_key(self, field):
        if not isinstance(field.data, str) or not _KEY.fullmatch(field.data):
            raise ValidationError("This form expired. Please reload the page and try again.")


class PaymentFilterForm(FlaskForm):
    """Narrow the admin's payment list. A GET form: nothing changes, so no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField(
        "Status",
        choices=choices([("", "Any"), *((s, STATUS_LABELS[s]) for s in PAYMENT_STATUSES)]),
        default="",
        invalid_choice_message="Choose from the list.",
    )
    date_from = DateField("Visits from", [Optional(), PlausibleDate()])
    date_to = DateField("Until", [Optional(), PlausibleDate()])
    person = text_field(
        "Patient or aide (name or email)",
        Optional(),
        Length(max=100, message="Keep this under 100 characters."),
    )

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")
