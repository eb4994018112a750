"""Form pieces shared by every domain area: text and number fields, and the checks every
request's input passes before any route sees it (no NUL characters, readable UTF-8)."""

import re
from urllib.parse import unquote_to_bytes

import wtforms.widgets
from flask import Request, current_app
from markupsafe import Markup, escape
from wtforms import IntegerField, SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.widgets import core as widgets_core

#: A whole number as people type it: ASCII digits only ("²" and "٣" pass str.isdigit(), and
#: int() takes "٣" and "1_000").
_DIGITS = re.compile(r"[0-9]{1,9}")
_SIGNED_DIGITS = re.compile(r"-?[0-9]{1,30}")

NUL_MESSAGE = (
    "That form contained an invisible character it cannot accept (a NUL byte, often from "
    "copying and pasting). Please retype the text and try again. Nothing was changed."
)
GARBLED_MESSAGE = (
    "The form arrived garbled: some of its text was not readable as UTF-8. Please go back, "
    "reload the page and try again. Nothing was changed."
)


def html_params(**kwargs) -> Markup:
    """The attributes of a form element, written exactly as WTForms' own html_params writes
    them (sorted by name; "class_" is "class"; "data_"/"aria_" names take hyphens; True is a
    bare attribute, False none; every value escaped, a double quote as &quot;), with plain
    string work: WTForms formats each attribute through Markup.format, which was most of the
    time of drawing a field (a form page draws dozens of attributes)."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = widgets_core.clean_key(key)
        if value is True:
            params.append(str(escape(key)))
        elif value is not False:
            text = str(escape(value)).replace('"', "&quot;")
            params.append(f'{escape(key)}="{text}"')
    return Markup(" ".join(params))


# Every WTForms widget and label draws its attributes with the function above: the module's
# own name, the package's re-export (labels) and the inputs' and buttons' class attributes.
widgets_core.html_params = html_params
wtforms.widgets.html_params = html_params
widgets_core.Input.html_params = staticmethod(html_params)
widgets_core.Button.html_params = staticmethod(html_params)


def form_fields(template: str, form_class, form=None) -> Markup:
    """A form's fields drawn by `template` (given `form`): those of the form as sent, with
    what was typed and its errors, or, with `form` None, an empty form's.

    An empty form's fields read the same on every page view while WTForms takes up to a
    millisecond to draw them, so they are drawn once per app and kept with it (except while
    templates can change under a running app, in development). Nothing of the person or the
    request may go into such a template: the CSRF token is drawn by the page around it.
    """
    env = current_app.jinja_env
    if form is not None or env.auto_reload:
        return Markup(env.get_template(template).render(form=form or form_class(formdata=None)))
    drawn = current_app.extensions.setdefault("homestretch_empty_fields", {})
    if template not in drawn:
        drawn[template] = Markup(env.get_template(template).render(form=form_class(formdata=None)))
    return drawn[template]


def parse_int(value, low: int = 0, high: int = 999_999_999) -> int | None:
    """A whole number from a query string or form, within [low, high]; None for anything else."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value.strip()):
        return None
    number = int(value.strip())
    return number if low <= number <= high else None


class WholeNumberField(IntegerField):
    """An integer field that accepts ASCII digits only (int() would take "٣" or "1_000")."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            self.data = None
            return
        text = raw.strip() if isinstance(raw, str) else ""
        if not _SIGNED_DIGITS.fullmatch(text):
            self.data = None
            raise ValueError(self.gettext("Enter a whole number, using the digits 0-9."))
        self.data = int(text)  # out of range is the NumberRange validator's to say

    def pre_validate(self, form):
        if self.process_errors:  # unreadable: the range check would only repeat the complaint
            raise StopValidation()


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


def _undecodable(pairs: bytes) -> bool:
    """Whether any name or value of an urlencoded string is not valid UTF-8 once unquoted."""
    for pair in pairs.replace(b";", b"&").split(b"&"):
        try:
            unquote_to_bytes(pair.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return True
    return False


def input_problem(request: Request) -> str | None:
    """Why this request's query string or form cannot be accepted as it is, or None.

    Werkzeug quietly keeps undecodable bytes as "%FF" text, and PostgreSQL refuses any text
    with a NUL character in it, so both are checked here once for every form in HomeStretch.
    """
    if _undecodable(request.query_string):
        return GARBLED_MESSAGE
    if request.mimetype == "application/x-www-form-urlencoded" and _undecodable(
        request.get_data(cache=True)
    ):
        return GARBLED_MESSAGE
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return NUL_MESSAGE
    return None
