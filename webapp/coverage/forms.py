"""Forms for coverage: the hours of each part of the day, and covering one care window."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TimeField
from wtforms.validators import InputRequired, Optional, ValidationError

from webapp.care.models import TIMES_OF_DAY
from webapp.coverage.windows import DEFAULT_PART_TIMES, PART_KEYS, PART_LABELS, overlapping_parts
from webapp.forms import PlausibleDate, choices


def _default_hint(part: str) -> str:
    start, end = DEFAULT_PART_TIMES[part]
    return f"Leave both empty for the usual {start:%H:%M}-{end:%H:%M}."


class DayPartsForm(FlaskForm):
    """From and until for each part of the day, in the patient's own time zone."""

    morning_start = TimeField("Morning from", [Optional()], description=_default_hint("morning"))
    morning_end = TimeField("Morning until", [Optional()])
    midday_start = TimeField("Midday from", [Optional()], description=_default_hint("midday"))
    midday_end = TimeField("Midday until", [Optional()])
    afternoon_start = TimeField(
        "Afternoon from", [Optional()], description=_default_hint("afternoon")
    )
    afternoon_end = TimeField("Afternoon until", [Optional()])
    evening_start = TimeField("Evening from", [Optional()], description=_default_hint("evening"))
    evening_end = TimeField("Evening until", [Optional()])
    bedtime_start = TimeField("Bedtime from", [Optional()], description=_default_hint("bedtime"))
    bedtime_end = TimeField("Bedtime until", [Optional()])

    def fields_of(self, part: str):
        """The from and until fields of one part of the day."""
        return self[f"{part}_start"], self[f"{part}_end"]

    def fill(self, times) -> None:
        """Show the saved hours; parts on the default hours stay empty."""
        for part, value in times.items():
            if not value.is_default:
                start, end = self.fields_of(part)
                start.data, end.data = value.starts_at, value.ends_at

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not ok:
            return False
        for part in PART_KEYS:
            start, end = self.fields_of(part)
            if (start.data is None) != (end.data is None):
                missing = end if end.data is None else start
                missing.errors.append(
                    f"Give both times for {PART_LABELS[part].lower()}, or leave both empty."
                )
                ok = False
            elif start.data is not None and end.data <= start.data:
                end.errors.append(f"{PART_LABELS[part]} must end after it starts.")
                ok = False
        if not ok:
            return False
        if all(times is None for times in self.chosen().values()):
            self.morning_start.errors.append(
                "Give the hours of at least one part of the day; the others keep the usual hours."
            )
            return False
        clash = overlapping_parts(
            {part: times or DEFAULT_PART_TIMES[part] for part, times in self.chosen().items()}
        )
        if clash is not None:
            first, second = clash
            self.fields_of(second)[0].errors.append(
                f"{PART_LABELS[second]} starts before {PART_LABELS[first].lower()} ends. "
                "Give each part of the day its own hours."
            )
            return False
        return True

    def chosen(self) -> dict:
        """Each part's (from, until), or None for the default hours."""
        result = {}
        for part in PART_KEYS:
            start, end = self.fields_of(part)
            result[part] = (start.data, end.data) if start.data is not None else None
        return result


class CoverForm(FlaskForm):
    """ "I'll do it": the window is named by its local day and part, never by a sent time."""

    day = DateField("Day", [InputRequired("Pick the day of the window."), PlausibleDate()])
    part = SelectField(
        "Part of the day",
        choices=choices(TIMES_OF_DAY),
        validators=[InputRequired("Pick a part of the day.")],
        validate_choice=False,
    )

    def validate_part(self, field):
        if field.data not in PART_KEYS:
            raise ValidationError("Pick a part of the day from the list.")

    def first_error(self) -> str:
        """The first problem, in words, for a refusal page."""
        for errors in self.errors.values():
            if errors:
                return errors[0] if isinstance(errors[0], str) else str(errors[0])
        return "That window could not be read."
