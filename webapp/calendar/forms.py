"""Reading the calendar's query string strictly, and the feed link buttons."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField
from wtforms.validators import DataRequired, Regexp

from webapp.errors import InvalidInput
from webapp.forms import parse_int

VIEWS = ("month", "week", "agenda")
DEFAULT_VIEW = "agenda"
#: The agenda shows this many days from its first day.
AGENDA_DAYS = 30
#: The calendar goes this many years either side of today; further is refused.
YEARS_AWAY = 5
#: The largest id a database integer column holds; larger ones belong to no record.
MAX_ID = 2_147_483_647
DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


@dataclass(frozen=True)
class CalendarQuery:
    """Which view and which day the person asked for."""

    view: str
    day: date


def parse_calendar_query(args: MultiDict, today: date) -> CalendarQuery:
    """?view=month|week|agenda&date=YYYY-MM-DD, each at most once; InvalidInput otherwise."""
    views, dates = args.getlist("view"), args.getlist("date")
    if len(views) > 1 or len(dates) > 1:
        raise InvalidInput("Give the view and the date at most once each.")
    view = views[0] if views else DEFAULT_VIEW
    if view not in VIEWS:
        raise InvalidInput("The view is month, week or agenda.")
    if not dates:
        return CalendarQuery(view, today)
    text = dates[0]
    if not DATE_SHAPE.fullmatch(text):
        raise InvalidInput("Give the date as YYYY-MM-DD, for example 2027-03-08.")
    try:
        day = date.fromisoformat(text)
    except ValueError as error:
        raise InvalidInput(f"{text} is not a date on the calendar.") from error
    if abs(day.year - today.year) > YEARS_AWAY:
        raise InvalidInput(
            f"The calendar shows {YEARS_AWAY} years either side of today; pick a nearer date."
        )
    return CalendarQuery(view, day)


def view_days(query: CalendarQuery) -> tuple[date, date, date, date]:
    """The first and last day a view shows, and the days its previous and next links open."""
    day = query.day
    if query.view == "agenda":
        span = timedelta(days=AGENDA_DAYS)
        return day, day + span - timedelta(days=1), day - span, day + span
    if query.view == "week":
        monday = day - timedelta(days=day.weekday())
        return (
            monday,
            monday + timedelta(days=6),
            monday - timedelta(days=7),
            monday + timedelta(days=7),
        )
    first = day.replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    previous_month = (first - timedelta(days=1)).replace(day=1)
    # Whole weeks, Monday to Sunday, so the month lays out as a grid on wide screens.
    grid_start = first - timedelta(days=first.weekday())
    last = next_month - timedelta(days=1)
    grid_end = last + timedelta(days=6 - last.weekday())
    return grid_start, grid_end, previous_month, next_month


class FeedForm(FlaskForm):
    """Make a secret feed link to one calendar: 'visits' or 'patient-<id>'."""

    calendar = HiddenField(
        validators=[DataRequired(), Regexp(r"^(visits|patient-[1-9][0-9]{0,9})$")]
    )

    def own_visits(self) -> bool:
        """Whether an aide picked their own visits rather than a patient's calendar."""
        return self.calendar.data == "visits"

    def patient_id(self) -> int | None:
        """The patient whose calendar was picked; None for an id no record can have."""
        return parse_int(self.calendar.data.removeprefix("patient-"), low=1, high=MAX_ID)
