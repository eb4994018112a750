"""The request board's filters."""

from typing import NamedTuple

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
#: The filters' names, as the query string carries them.
FILTER_FIELDS = ("area", "date_from", "date_to", "task", "min_rate")
AREA_MAX, RATE_MAX = 100, 12


class BoardFilterForm(FlaskForm):
    """Narrow the board: area, dates, task, minimum rate. Read from the query string.

    The board writes these fields out as plain inputs (templates/scheduling/board.html, with
    the same labels, ids and limits), since rendering the widgets cost a good part of the page;
    this form reads and checks what comes back.
    """

    class Meta:
        csrf = False  # a GET search form changes nothing

    area = text_field("Area (town or postal code)", Optional(), Length(max=AREA_MAX))
    date_from = DateField("From", [Optional(), PlausibleDate()])
    date_to = DateField("Until", [Optional(), PlausibleDate()])
    task = SelectField("Task", choices=choices(TASK_CHOICES), default="")
    min_rate = text_field("Minimum rate per hour", Optional(), Length(max=RATE_MAX))

    def validate_min_rate(self, field):
        if field.data:
            cents = parse_cents(field.data)
            if cents is None or cents < 0:
                raise ValidationError("Enter a rate as a number, e.g. 25.")

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")


def shown_filters(form: BoardFilterForm | None) -> dict[str, str]:
    """What each filter input shows: what the aide sent, as the form's widgets would show it
    (trimmed text, a date as typed), or nothing when no filter was sent. The task is the
    chosen option's value."""
    if form is None:
        return dict.fromkeys(FILTER_FIELDS, "")
    return {
        "area": form.area._value(),
        "date_from": form.date_from._value(),
        "date_to": form.date_to._value(),
        "task": form.task.data if form.task.data is not None else "",
        "min_rate": form.min_rate._value(),
    }


class FilterInputs(NamedTuple):
    """What the board's filter inputs show and the problems found in what was sent: what
    templates/scheduling/_board_filters.html draws."""

    shown: dict[str, str]
    errors: dict[str, list[str]]
    #: The task select's options.
    task_choices = TASK_CHOICES

    @classmethod
    def of(cls, form: BoardFilterForm | None = None, formdata=None) -> "FilterInputs":
        """The inputs as the form sent them, or empty ones when no filter was sent (also when
        called as forms.form_fields calls a form class, with formdata=None)."""
        if form is None:
            return cls(shown_filters(None), {})
        return cls(shown_filters(form), form.errors)
