"""The request board's filters."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Length, Optional, ValidationError

from webapp.care.catalogue import EXERCISES
from webapp.forms import PlausibleDate, choices, text_field
from webapp.money import parse_cents

TASK_CHOICES = (
    [("", "Any task")]
    + [(e.slug, e.name) for e in EXERCISES]
    + [("medications", "Medication help")]
)


class BoardFilterForm(FlaskForm):
    """Narrow the board: area, dates, task, minimum rate. Read from the query string."""

    class Meta:
        csrf = False  # a GET search form changes nothing

    area = text_field("Area (town or postal code)", Optional(), Length(max=100))
    date_from = DateField("From", [Optional(), PlausibleDate()])
    date_to = DateField("Until", [Optional(), PlausibleDate()])
    task = SelectField("Task", choices=choices(TASK_CHOICES), default="")
    min_rate = text_field("Minimum rate per hour", Optional(), Length(max=12))

    def validate_min_rate(self, field):
        if field.data:
            cents = parse_cents(field.data)
            if cents is None or cents < 0:
                raise ValidationError("Enter a rate as a number, e.g. 25.")

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")
