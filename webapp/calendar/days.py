"""How a calendar page lists entries: by the day they start on in the viewer's zone, each with
its words worked out once (time, what it is, the time at the patient's home), and the days'
names."""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from webapp.calendar.services import Entry, times_text
from webapp.timezones import DAY_NAMES
from webapp.timezones import MONTH_NAMES as SHORT_MONTH_NAMES

#: Day and month names as strftime's %A and %B write them (%a and %b: timezones.py).
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Shown:
    """An entry as a calendar page lists it, its words worked out once for the viewer."""

    entry: Entry
    #: "09:00–10:00 EST" in the viewer's zone.
    time: str
    #: What it is and who is there: "Visit: Sam", "Morning: nobody yet", "Your visit".
    what: str
    #: The same time at the patient's home when their zone is not the viewer's, else None.
    home_time: str | None
    #: The day it starts on at the patient's home, YYYY-MM-DD (a gap's coverage week).
    home_day: str


def shown_by_day(
    entries: list[Entry], zone: str, *, show_patient: bool, for_aide: bool
) -> dict[date, list[Shown]]:
    """Entries as the page lists them, grouped by the day they start on in the zone, in order."""
    tz = ZoneInfo(zone)
    days: dict[date, list[Shown]] = {}
    for entry in entries:
        # Each end is turned into the viewer's zone (and the home's) once, for the time, the
        # day it is listed on and the home day.
        start = entry.starts_at.astimezone(tz)
        home_zone = entry.patient.timezone
        if home_zone == zone:
            home_time, home_day = None, start.date()
        else:
            home_tz = ZoneInfo(home_zone)
            home_start = entry.starts_at.astimezone(home_tz)
            home_time = times_text(home_start, entry.ends_at.astimezone(home_tz))
            home_day = home_start.date()
        days.setdefault(start.date(), []).append(
            Shown(
                entry,
                times_text(start, entry.ends_at.astimezone(tz)),
                _what(entry, show_patient=show_patient, for_aide=for_aide),
                home_time,
                home_day.isoformat(),
            )
        )
    return days


def _what(entry: Entry, *, show_patient: bool, for_aide: bool) -> str:
    if entry.kind == "gap":
        text = f"{entry.part_label}: nobody yet"
    elif entry.kind == "home":
        text = f"{entry.part_label}: done at home"
    elif entry.kind == "cover":
        label = f" ({entry.part_label})" if entry.part_label else ""
        text = f"{entry.what}{label}: {entry.who}"
    elif for_aide:
        text = "Your visit"
    else:
        text = f"{entry.what}: {entry.who}"
    if show_patient:
        return f"{text}, with {entry.patient.display_name}"
    return text


@dataclass(frozen=True)
class CalendarDay:
    """A day as a calendar page heads it, with the entries that start on it."""

    day: date
    entries: list[Shown]
    #: "Mon 30" and "Nov" for a grid, "Monday 30 November" for the agenda.
    short_name: str
    short_month: str
    long_name: str


def calendar_days(days: dict[date, list[Shown]], shown: list[date]) -> list[CalendarDay]:
    """The days to show, each with its entries (from shown_by_day) and its names."""
    return [
        CalendarDay(
            day,
            days.get(day, []),
            f"{DAY_NAMES[day.weekday()]} {day.day}",
            SHORT_MONTH_NAMES[day.month - 1],
            f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month]}",
        )
        for day in shown
    ]


def days_html(
    days: list[CalendarDay],
    *,
    today: date,
    agenda: bool,
    month: int | None,
    cover_pages: dict[int, str],
) -> Markup:
    """The page's days (CalendarDay) as the list items of its grid or agenda, written once
    here: a month's forty-odd days and their entries cost the template most of the page.
    Names, times and zones are escaped; the rest is fixed markup, ISO dates and state keys.
    `month`: the month a month view shows (its other days are marked as outside it)."""
    pages = {patient_id: escape(url) for patient_id, url in cover_pages.items()}
    homes: dict[int, str] = {}  # "at Rosa's home (America/New York)" by patient id
    items = []
    for cal_day in days:
        day = cal_day.day
        is_today = day == today
        classes = "cal-day"
        if not cal_day.entries:
            classes += " cal-day--empty"
        if is_today:
            classes += " cal-day--today"
        if month is not None and day.month != month:
            classes += " cal-day--outside"
        if agenda:
            name = cal_day.long_name
        else:
            name = f'{cal_day.short_name}<span class="cal-day__month"> {cal_day.short_month}</span>'
        if is_today:
            name += " (today)"
        entries = ""
        if cal_day.entries:
            entries = (
                '\n      <ul class="cal-entries">\n        '
                + "".join(_entry_html(shown, homes, pages) for shown in cal_day.entries)
                + "\n      </ul>\n      "
            )
        items.append(
            f'\n    \n    <li class="{classes}">\n'
            f'      <h3 class="cal-day__name">{name}</h3>\n      {entries}\n    </li>\n    '
        )
    return Markup("".join(items))


def _entry_html(shown: Shown, homes: dict[int, str], pages: dict[int, str]) -> str:
    entry = shown.entry
    state = entry.state
    time = escape(shown.time)
    home = act = ""
    if shown.home_time:
        patient = entry.patient
        at_home = homes.get(patient.id)
        if at_home is None:
            zone = patient.timezone.replace("_", " ")
            at_home = homes[patient.id] = (
                f"at {escape(patient.display_name)}'s home ({escape(zone)})"
            )
        home = (
            f'\n          <span class="cal-entry__home muted small">{escape(shown.home_time)}'
            f" {at_home}</span>\n          "
        )
    if entry.kind == "gap":
        act = (
            f'\n          <a class="cal-entry__act small" href="{pages[entry.patient.id]}'
            f'?week={shown.home_day}">Cover it or ask an aide<span class="visually-hidden">:'
            f" {escape(entry.part_label)}, {time}</span></a>\n          "
        )
    return (
        f'<li class="cal-entry cal-entry--{state}">\n'
        f'          <span class="tag cal-tag cal-tag--{state}">{entry.state_label}</span>\n'
        f'          <span class="cal-entry__time">{time}</span>\n'
        f'          <span class="cal-entry__what">{escape(shown.what)}</span>\n'
        f"          {home}\n          {act}\n        </li>"
    )
