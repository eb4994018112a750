"""The home session form, built for one patient's routine items and medications."""

import re

from flask import request
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SubmitField, TimeField
from wtforms.validators import InputRequired, Length

from webapp.care.models import TIMES_OF_DAY
from webapp.forms import PlausibleDate, choices, notes_field
from webapp.visits.forms import PainField, add_medication_fields, add_task_fields

#: Field names that carry an id: a posted id the form was not built with is someone else's.
_ID_FIELD = re.compile(r"^(task|medication)_([0-9]{1,12})_")


class HomeSessionBase(FlaskForm):
    part_of_day = RadioField(
        "Part of the day",
        choices=choices(TIMES_OF_DAY),
        validators=[InputRequired("Choose the part of the day.")],
    )
    done_on = DateField("Date", [InputRequired("Enter the date of the session."), PlausibleDate()])
    done_time = TimeField("Time", [InputRequired("Enter the time of the session, e.g. 09:30.")])
    pain_before = PainField("Pain before the exercises (0 = none, 10 = worst, optional)")
    pain_after = PainField("Pain after the exercises (optional)")
    notes = notes_field(
        "Notes (optional)", Length(max=5000, message="Keep notes under 5000 characters.")
    )
    save = SubmitField("Save the session")

    task_ids: list[int] = []
    medication_ids: list[int] = []

    def task_fields(self, item_id: int):
        """(status, reason, note) fields of one routine item."""
        return tuple(
            getattr(self, f"task_{item_id}_{part}") for part in ("status", "reason", "note")
        )

    def medication_fields(self, medication_id: int):
        """(outcome, given_at) fields of one medication."""
        return (
            getattr(self, f"medication_{medication_id}_outcome"),
            getattr(self, f"medication_{medication_id}_given_at"),
        )

    def has_entry(self, medication_id: int) -> bool:
        """Whether anything was posted for this medication."""
        outcome, given_at = self.medication_fields(medication_id)
        return bool(outcome.data or given_at.raw_data and given_at.raw_data[0])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        known = {"task": set(self.task_ids), "medication": set(self.medication_ids)}
        for key in request.form:
            match = _ID_FIELD.match(key)
            if match and int(match.group(2)) not in known[match.group(1)]:
                what = "exercise is not in" if match.group(1) == "task" else "medication is not on"
                self.form_errors.append(
                    f"That {what} this patient's list. Reload the page and try again."
                )
                return False
        for item_id in self.task_ids:
            status, reason, _ = self.task_fields(item_id)
            if status.data and status.data != "done" and not reason.data:
                reason.errors = [*reason.errors, "Say why it was not fully done."]
                ok = False
        for medication_id in self.medication_ids:
            outcome, given_at = self.medication_fields(medication_id)
            if outcome.data == "given" and not given_at.data and not given_at.errors:
                given_at.errors = [*given_at.errors, "Enter the time it was given."]
                ok = False
        return ok


def home_session_form(items, medications, **kwargs) -> HomeSessionBase:
    """A form class with fields for each routine item and each medication of the patient."""

    class HomeSessionForm(HomeSessionBase):
        pass

    for item in items:
        add_task_fields(HomeSessionForm, item)
    for medication in medications:
        add_medication_fields(HomeSessionForm, medication)
    HomeSessionForm.task_ids = [item.id for item in items]
    HomeSessionForm.medication_ids = [medication.id for medication in medications]
    return HomeSessionForm(**kwargs)
