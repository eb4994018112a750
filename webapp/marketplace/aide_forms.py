"""Forms for aide profiles, vetting, the aide directory and reviews."""

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.validators import DataRequired, Length, ValidationError

from webapp.forms import CheckboxesField, choices, notes_field, text_field
from webapp.marketplace.models import CURRENCIES, MAX_RATE_CENTS, MIN_RATE_CENTS, SKILLS
from webapp.money import parse_cents

BIO_MAX = 2000
NOTE_MAX = 2000
COMMENT_MAX = 2000
AREA_MAX = 200
LANGUAGES_MAX = 200

CURRENCY_NAMES = {
    "USD": "US dollars (USD)",
    "CAD": "Canadian dollars (CAD)",
    "EUR": "Euros (EUR)",
    "GBP": "Pounds sterling (GBP)",
    "AUD": "Australian dollars (AUD)",
}
RATINGS = (
    (5, "5 stars: excellent"),
    (4, "4 stars: good"),
    (3, "3 stars: all right"),
    (2, "2 stars: poor"),
    (1, "1 star: very poor"),
)
VETTING_FILTERS = (("all", "All aides"), ("unverified", "Not verified"), ("verified", "Verified"))


def text_from_cents(cents: int) -> str:
    """2550 as "25.50", the way the rate field shows a stored rate."""
    return f"{Decimal(cents) / 100:.2f}"


RATE_RANGE_MESSAGE = (
    f"Enter an hourly rate from {text_from_cents(MIN_RATE_CENTS)} "
    f"to {text_from_cents(MAX_RATE_CENTS)}."
)


class AideProfileForm(FlaskForm):
    """What an aide offers patients: skills, rate, where they travel, languages."""

    bio = notes_field(
        "About you (optional)",
        Length(max=BIO_MAX, message=f"Keep this under {BIO_MAX} characters."),
        description="Your experience with stretching, exercise support or care after hip "
        "problems. Patients read this before they book you.",
    )
    # "At least one" is checked in validate_skills: InputRequired would mark every box required.
    skills = CheckboxesField("What you can help with", choices=choices(SKILLS))
    hourly_rate = text_field(
        "Hourly rate",
        DataRequired("Enter your hourly rate, like 25 or 25.50."),
        description=f"From {text_from_cents(MIN_RATE_CENTS)} to {text_from_cents(MAX_RATE_CENTS)} "
        "an hour, in the currency below.",
    )
    currency = SelectField(
        "Currency",
        choices=choices((code, CURRENCY_NAMES[code]) for code in CURRENCIES),
        default="USD",
        invalid_choice_message="Choose a currency from the list.",
    )
    service_area = text_field(
        "Where you travel",
        DataRequired("Say where you travel to, e.g. 02139, Somerville."),
        Length(max=AREA_MAX, message=f"Keep this under {AREA_MAX} characters."),
        description="Postal codes or towns, separated by commas.",
    )
    languages = text_field(
        "Languages you speak",
        DataRequired("List at least one language you speak."),
        Length(max=LANGUAGES_MAX, message=f"Keep this under {LANGUAGES_MAX} characters."),
        default="English",
        description="Separated by commas.",
    )

    #: The validated rate in cents, set by validate_hourly_rate.
    rate_cents: int | None = None

    @classmethod
    def for_profile(cls, profile) -> "AideProfileForm":
        """The form filled in with a stored profile (the posted answers win when submitted)."""
        if profile is None:
            return cls()
        return cls(
            data={
                "bio": profile.bio,
                "skills": profile.skill_keys,
                "hourly_rate": text_from_cents(profile.hourly_rate_cents),
                "currency": profile.currency,
                "service_area": profile.service_area,
                "languages": profile.languages,
            }
        )

    def validate_skills(self, field):
        if not field.data:
            raise ValidationError("Pick at least one thing you can help with.")

    def validate_hourly_rate(self, field):
        cents = parse_cents(field.data)
        if cents is None:
            raise ValidationError("Enter the rate as a number, like 25 or 25.50.")
        if not MIN_RATE_CENTS <= cents <= MAX_RATE_CENTS:
            raise ValidationError(RATE_RANGE_MESSAGE)
        self.rate_cents = cents


class VerificationForm(FlaskForm):
    """An admin's note on a background check (one per aide on the vetting page, by prefix)."""

    note = notes_field(
        "Note for the record",
        DataRequired("Write what you checked, e.g. the date and reference of the check."),
        Length(max=NOTE_MAX, message=f"Keep the note under {NOTE_MAX} characters."),
    )


def verification_prefix(aide_id: int) -> str:
    """Keeps each aide's note field and its label, hint and error ids unique on one page."""
    return f"aide-{aide_id}"


class VettingFilterForm(FlaskForm):
    """Which aides the vetting page lists. A GET form: nothing changes, so no CSRF token."""

    class Meta:
        csrf = False

    show = SelectField(
        "Show",
        choices=choices(VETTING_FILTERS),
        default="all",
        invalid_choice_message="Choose from the list.",
    )


class DirectoryFilterForm(FlaskForm):
    """Narrow the aide directory. A GET form: nothing changes, so no CSRF token."""

    class Meta:
        csrf = False

    skill = SelectField(
        "Help with",
        choices=choices([("", "Anything"), *SKILLS]),
        default="",
        invalid_choice_message="Choose from the list.",
    )
    area = text_field(
        "Area",
        Length(max=AREA_MAX, message=f"Keep this under {AREA_MAX} characters."),
        description="A postal code or town, e.g. 02139 or Somerville.",
    )


class ReviewForm(FlaskForm):
    """A patient's stars and words about a completed visit."""

    rating = RadioField(
        "How was the visit?",
        choices=choices(RATINGS),
        coerce=int,
        invalid_choice_message="Choose a rating from 1 to 5 stars.",
        invalid_value_message="Choose a rating from 1 to 5 stars.",
    )
    comment = notes_field(
        "Comment (optional)",
        Length(max=COMMENT_MAX, message=f"Keep the comment under {COMMENT_MAX} characters."),
        description="Shown on the aide's profile with your rating, without your name.",
    )
