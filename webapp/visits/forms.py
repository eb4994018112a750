"""The bedside log form, built for the tasks and medications of one visit."""

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SubmitField, TimeField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from webapp.forms import WholeNumberField, choices, notes_field
from webapp.visits.models import MEDICATION_OUTCOMES, SKIP_REASONS, TASK_STATUSES

PAIN_CHOICES = choices((str(level), str(level)) for level in range(11))


class PainField(RadioField):
    """0-10, as eleven big buttons; empty means not asked yet."""

    def __init__(self, label, **kwargs):
        super().__init__(label, choices=PAIN_CHOICES, validators=[Optional()], **kwargs)

    def pre_validate(self, form):
        if self.data not in (None, "", "None") and self.data not in {str(n) for n in range(11)}:
            raise ValidationError("Pain is a whole number from 0 (none) to 10 (worst).")

    @property
    def level(self) -> int | None:
        return int(self.data) if self.data not in (None, "", "None") else None


class VisitLogBase(FlaskForm):
    pain_before = PainField("Pain before the exercises (0 = none, 10 = worst)")
    pain_after = PainField("Pain after the exercises")
    notes = notes_field(
        "Notes for the patient and family (optional)",
        Length(max=5000, message="Keep notes under 5000 characters."),
    )
    save = SubmitField("Save")
    save_and_check_out = SubmitField("Save and check out")

    task_ids: list[int] = []
    medication_ids: list[int] = []

    def task_fields(self, item_id: int):
        """(status, reason, note, sets) fields of one task."""
        return tuple(
            getattr(self, f"task_{item_id}_{part}") for part in ("status", "reason", "note", "sets")
        )

    def medication_fields(self, medication_id: int):
        """(outcome, given_at) fields of one medication."""
        return (
            getattr(self, f"medication_{medication_id}_outcome"),
            getattr(self, f"medication_{medication_id}_given_at"),
        )

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for item_id in self.task_ids:
            status, reason, _, _ = self.task_fields(item_id)
            if status.data and status.data != "done" and not reason.data:
                reason.errors = [*reason.errors, "Say why it was not fully done."]
                ok = False
        for medication_id in self.medication_ids:
            outcome, given_at = self.medication_fields(medication_id)
            if outcome.data == "given" and not given_at.data and not given_at.errors:
                given_at.errors = [*given_at.errors, "Enter the time it was given."]
                ok = False
        return ok


def add_task_fields(form_class, item) -> None:
    """How one routine item went: done / partly / skipped, why not, and details."""
    setattr(
        form_class,
        f"task_{item.id}_status",
        RadioField(item.exercise.name, choices=choices(TASK_STATUSES), validators=[Optional()]),
    )
    setattr(
        form_class,
        f"task_{item.id}_reason",
        SelectField(
            "Why not fully done",
            choices=choices([("", "Choose a reason"), *SKIP_REASONS]),
            validators=[Optional()],
        ),
    )
    setattr(
        form_class,
        f"task_{item.id}_note",
        notes_field(
            "Details (optional)", Length(max=1000, message="Keep it under 1000 characters.")
        ),
    )


def add_medication_fields(form_class, medication) -> None:
    """Whether one dose was given (and when), refused or missed."""
    setattr(
        form_class,
        f"medication_{medication.id}_outcome",
        RadioField(
            f"{medication.name} {medication.dose}",
            choices=choices(MEDICATION_OUTCOMES),
            validators=[Optional()],
        ),
    )
    setattr(
        form_class,
        f"medication_{medication.id}_given_at",
        TimeField("Time given", [Optional()]),
    )


def visit_log_form(tasks, medications, **kwargs) -> VisitLogBase:
    """A form class with one group of fields per task and per medication of this visit."""

    class VisitLogForm(VisitLogBase):
        pass

    for item in tasks:
        add_task_fields(VisitLogForm, item)
        setattr(
            VisitLogForm,
            f"task_{item.id}_sets",
            WholeNumberField(
                "Sets done (optional)",
                [Optional(), NumberRange(0, 20, "Enter a number of sets from 0 to 20.")],
            ),
        )
    for medication in medications:
        add_medication_fields(VisitLogForm, medication)
    VisitLogForm.task_ids = [item.id for item in tasks]
    VisitLogForm.medication_ids = [medication.id for medication in medications]
    return VisitLogForm(**kwargs)
