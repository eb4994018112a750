"""Form pieces shared by every domain area."""

from wtforms import SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


def strip(value):
    """Trim surrounding white space; keep None as None."""
    return value.strip() if isinstance(value, str) else value


def empty_to_none(value):
    """Trim, and treat an empty answer as no answer."""
    value = strip(value)
    return value or None


class NoControlCharacters:
    """Refuse invisible control characters (a pasted NUL byte breaks PostgreSQL text)."""

    def __call__(self, form, field):
        data = field.data or ""
        if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in data):
            raise ValidationError("Please remove the invisible control characters.")


def text_field(label: str, *validators, **kwargs) -> StringField:
    """A single-line text field that trims white space and refuses control characters."""
    return StringField(label, [*validators, NoControlCharacters()], filters=[strip], **kwargs)


def notes_field(label: str, *validators, **kwargs) -> TextAreaField:
    """A multi-line text field that trims, turns empty into None, refuses control characters."""
    return TextAreaField(
        label, [*validators, NoControlCharacters()], filters=[empty_to_none], **kwargs
    )


def choices(pairs) -> list[SelectChoice]:
    """Select/radio/checkbox options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes that reports an unknown choice in plain words."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        known = {choice.value for choice in self.choices}
        if any(value not in known for value in self.data or []):
            raise ValidationError("Pick from the choices shown.")


class PlausibleDate:
    """Refuse dates outside 2000-2100: nobody books a visit in the year 9999."""

    def __call__(self, form, field):
        if field.data is not None and not 2000 <= field.data.year <= 2100:
            raise ValidationError("Enter a date between the years 2000 and 2100.")
