"""Posting and editing an assistance request, and the patient's home address."""

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from webapp.care.models import WEEKDAYS
from webapp.forms import (
    CheckboxesField,
    PlausibleDate,
    WholeNumberField,
    choices,
    notes_field,
    text_field,
)
from webapp.marketplace.models import CURRENCIES, MAX_RATE_CENTS, MIN_RATE_CENTS
from webapp.money import format_money, parse_cents
from webapp.scheduling.recurrence import MAX_WEEKS


def money_field(label: str, description: str):
    return text_field(
        label,
        DataRequired("Enter an hourly rate, e.g. 28 or 28.50."),
        Length(max=12, message="Enter an hourly rate, e.g. 28 or 28.50."),
        description=description,
    )


class RequestDetailsForm(FlaskForm):
    """What the helper is for and what it pays: editable after posting."""

    tasks = CheckboxesField("Help with these exercises", coerce=int)
    includes_medications = BooleanField("Help with medications due in this window")
    rate = money_field("Hourly rate offered", "For example 28 or 28.50, per hour.")
    currency = SelectField("Currency", choices=choices((c, c) for c in CURRENCIES))
    notes = notes_field(
        "Notes for the aide (optional)",
        Length(max=5000, message="Keep notes under 5000 characters."),
        description="What else helps: parking, pets, how you like to be helped.",
    )

    def set_task_choices(self, items) -> None:
        """Offer the patient's own routine items (and nothing else)."""
        self.tasks.choices = choices((item.id, item.exercise.name) for item in items)

    def validate_rate(self, field):
        cents = parse_cents(field.data)
        if cents is None:
            raise ValidationError("Enter an hourly rate as a number, e.g. 28 or 28.50.")
        if not MIN_RATE_CENTS <= cents <= MAX_RATE_CENTS:
            low, high = format_money(MIN_RATE_CENTS), format_money(MAX_RATE_CENTS)
            raise ValidationError(f"Enter an hourly rate from {low} to {high}.")
        self.rate_cents = cents

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and not self.tasks.data and not self.includes_medications.data:
            self.tasks.errors.append("Pick at least one exercise, or help with medications.")
            return False
        return ok


class RequestForm(RequestDetailsForm):
    """A new request: the details plus when, and where."""

    submission_key = HiddenField(validators=[Optional(), Length(max=64)])
    first_date = DateField(
        "Date (first visit)", [InputRequired("Pick the date of the visit."), PlausibleDate()]
    )
    start_time = TimeField("From", [InputRequired("Pick a start time.")])
    end_time = TimeField("Until", [InputRequired("Pick an end time.")])
    repeat = RadioField(
        "Repeat",
        choices=choices([("once", "Just once"), ("weekly", "Every week on these days")]),
        default="once",
        validators=[InputRequired("Choose once or weekly.")],
    )
    weekdays = CheckboxesField(
        "Days of the week", choices=choices((str(i), day) for i, day in enumerate(WEEKDAYS))
    )
    ends = RadioField(
        "The series ends",
        choices=choices([("until", "On a date"), ("count", "After a number of visits")]),
        default="until",
    )
    until_date = DateField("End date", [Optional(), PlausibleDate()])
    count = WholeNumberField(
        "Number of visits",
        [
            Optional(),
            NumberRange(1, MAX_WEEKS * 7, f"Enter a number of visits from 1 to {MAX_WEEKS * 7}."),
        ],
    )
    offered_to = SelectField("Offer it first to", coerce=str, validate_choice=True)
    street = text_field(
        "Street address",
        DataRequired("Enter the street address where visits happen."),
        Length(max=200, message="Keep the address under 200 characters."),
        description="Only the aide who books a visit sees this.",
    )
    city = text_field(
        "Town or city",
        DataRequired("Enter the town or city."),
        Length(max=100, message="Keep the town under 100 characters."),
        description="Aides see the town and postal code before booking.",
    )
    postal_code = text_field(
        "Postal code",
        DataRequired("Enter the postal code."),
        Length(max=20, message="Keep the postal code under 20 characters."),
    )
    access_notes = notes_field(
        "Getting in (optional)",
        Length(max=1000, message="Keep this under 1000 characters."),
        description="Door code, parking, pets. Shown only to the booked aide.",
    )

    def prefill_from(self, args) -> None:
        """Fill tasks and times from a link's query args (e.g. gaps on the coverage page).

        Only readable values are taken, and only on the first showing: posting checks it all.
        """
        for name in PREFILL_FIELDS:
            values = args.getlist(name)
            if not values:
                continue
            field = self[name]
            before = field.data
            field.process(MultiDict((name, value) for value in values[:7]))
            if field.process_errors or not _known(field):
                field.process_errors, field.raw_data, field.data = [], [], before

    def set_aide_choices(self, aides) -> None:
        """Anyone, or one verified aide first."""
        self.offered_to.choices = choices(
            [("", "Any verified aide")] + [(str(aide.id), aide.display_name) for aide in aides]
        )

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.repeat.data == "weekly":
            if not self.weekdays.data:
                self.weekdays.errors.append("Pick at least one day of the week.")
                ok = False
            if self.ends.data == "count" and not self.count.data and not self.count.errors:
                self.count.errors.append("Enter how many visits.")
                ok = False
            if (
                self.ends.data != "count"
                and not self.until_date.data
                and not self.until_date.errors
            ):
                self.until_date.errors.append("Pick the date of the last visit.")
                ok = False
        return ok


#: The fields a link may prefill (the address, rate and notes are the patient's to type).
PREFILL_FIELDS = (
    "tasks",
    "includes_medications",
    "first_date",
    "start_time",
    "end_time",
    "repeat",
    "weekdays",
    "ends",
    "until_date",
)


def _known(field) -> bool:
    """Whether every chosen value is one of the field's choices (if it has choices)."""
    if getattr(field, "choices", None) is None:
        return True
    known = {choice.value for choice in field.choices}
    values = field.data if isinstance(field.data, list) else [field.data]
    return all(value in known for value in values)


class VisitActionForm(FlaskForm):
    """A button on a visit (book, cancel): only the CSRF token."""


class SeriesForm(FlaskForm):
    """Book every listed slot of a series at once."""

    visit_ids = CheckboxesField("Visits", coerce=int)
