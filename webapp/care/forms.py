"""Forms for the routine, medications and activities to avoid."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from webapp.care.catalogue import SLUGS
from webapp.care.models import LIMITS, TIMES_OF_DAY, WEEKDAYS
from webapp.forms import CheckboxesField, WholeNumberField, choices, notes_field, text_field

NOTES_MAX = 5000


def dosage_field(label: str, column: str, unit: str) -> WholeNumberField:
    low, high = LIMITS[column]
    return WholeNumberField(
        label,
        [
            Optional(),
            NumberRange(low, high, f"Enter a whole number of {unit} from {low} to {high}."),
        ],
        description=f"{low}-{high} {unit}; leave empty if it does not apply.",
    )


class AddExerciseForm(FlaskForm):
    """Add one catalogue card to the routine (its default dose comes along)."""

    exercise = HiddenField(validators=[InputRequired("Choose an exercise.")])

    def validate_exercise(self, field):
        if field.data not in SLUGS:
            raise ValidationError("That exercise is not in the catalogue.")


class RoutineItemForm(FlaskForm):
    """The therapist's numbers for one exercise."""

    sets = dosage_field("Sets", "sets", "sets")
    reps = dosage_field("Repetitions (per set, per side)", "reps", "repetitions")
    hold_seconds = dosage_field("Hold (seconds)", "hold_seconds", "seconds")
    minutes = dosage_field("Minutes per session", "minutes", "minutes")
    times_per_day = WholeNumberField(
        "Times a day",
        [
            InputRequired("Say how many times a day, from 1 to 12."),
            NumberRange(1, 12, "Enter a whole number of times a day from 1 to 12."),
        ],
    )
    weekdays = CheckboxesField(
        "Days of the week",
        choices=choices((day, day) for day in WEEKDAYS),
        validators=[InputRequired("Pick at least one day.")],
    )
    times_of_day = CheckboxesField("Times of day", choices=choices(TIMES_OF_DAY))
    needs_helper = BooleanField("I need a helper for this one")
    notes = notes_field(
        "Notes from your therapist (optional)",
        Length(max=NOTES_MAX, message=f"Keep notes under {NOTES_MAX} characters."),
    )

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if not any(
            getattr(self, name).data for name in ("sets", "reps", "hold_seconds", "minutes")
        ):
            self.reps.errors.append("Enter at least one of sets, repetitions, hold or minutes.")
            return False
        return True


class MedicationForm(FlaskForm):
    """A medication as written on its label."""

    name = text_field(
        "Medication name",
        DataRequired("Enter the medication's name."),
        Length(max=200, message="Keep the name under 200 characters."),
    )
    dose = text_field(
        "Dose",
        DataRequired("Enter the dose, e.g. 400 mg or 1 tablet."),
        Length(max=100, message="Keep the dose under 100 characters."),
    )
    instructions = notes_field(
        "Instructions (optional)",
        Length(max=NOTES_MAX, message=f"Keep instructions under {NOTES_MAX} characters."),
        description="For example: with food; not on an empty stomach.",
    )
    times_of_day = CheckboxesField(
        "When", choices=choices(TIMES_OF_DAY), validators=[InputRequired("Pick when it is taken.")]
    )


class PrecautionForm(FlaskForm):
    """An activity to avoid, with a tip for helpers."""

    activity = text_field(
        "Activity to avoid",
        DataRequired("Name the activity to avoid."),
        Length(max=200, message="Keep it under 200 characters."),
    )
    tip = notes_field(
        "Tip for helpers (optional)",
        Length(max=1000, message="Keep the tip under 1,000 characters."),
    )


class BuiltinPrecautionForm(FlaskForm):
    """Put one of the seed's activities to avoid back on the list."""

    key = HiddenField(validators=[InputRequired()])


class ConfirmForm(FlaskForm):
    """An empty form: a button that carries only the CSRF token."""
