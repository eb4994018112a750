"""Filters and globals the templates use to show doses and times in plain words."""

from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app, request, url_for
from flask_wtf.csrf import generate_csrf

from webapp.care.catalogue import get_exercise
from webapp.care.models import WEEKDAYS
from webapp.money import format_money
from webapp.scheduling.models import LATE_CANCEL_HOURS
from webapp.timezones import MONTH_NAMES, clock_text, day_text, to_local


def dosage_text(dose, per_side: bool = False) -> str:
    """ "3 sets × 10 reps each side · hold 30 s · 20 min · twice a day" from any dose-like thing."""
    parts = []
    reps = getattr(dose, "reps", None)
    sets = getattr(dose, "sets", None)
    side = " each side" if per_side else ""
    if sets and reps:
        parts.append(f"{sets} sets × {reps} reps{side}")
    elif reps:
        parts.append(f"{reps} times{side}")
    elif sets:
        parts.append(f"{sets} sets{side}")
    if getattr(dose, "hold_seconds", None):
        parts.append(f"hold {dose.hold_seconds} s")
    if getattr(dose, "minutes", None):
        parts.append(f"{dose.minutes} min")
    times = getattr(dose, "times_per_day", None)
    if times:
        parts.append({1: "once a day", 2: "twice a day"}.get(times, f"{times} times a day"))
    return " · ".join(parts)


def weekdays_text(names: list[str]) -> str:
    """ "Every day", "Mon–Fri" or "Mon, Wed, Fri"."""
    if len(names) == 7:
        return "Every day"
    if names == list(WEEKDAYS[:5]):
        return "Mon–Fri"
    return ", ".join(names)


def schedule_text(posted) -> str:
    """When a request's visits happen, so two requests can be told apart:
    "Mon, Wed, Fri 09:00–10:00 until 25 Dec" or "Mon 30 Nov 2026, 09:00–10:00"."""
    hours = f"{clock_text(posted.start_time)}–{clock_text(posted.end_time)}"
    if posted.repeat != "weekly":
        return f"{day_text(posted.first_date)}, {hours}"
    days = weekdays_text([d for i, d in enumerate(WEEKDAYS) if posted.weekdays & (1 << i)])
    if days == "Every day":
        days = "Every day,"
    until = posted.until_date
    if until is None:
        first = posted.first_date
        return f"{days} {hours} from {first.day} {MONTH_NAMES[first.month - 1]}"
    year = f" {until.year}" if until.year != posted.first_date.year else ""
    return f"{days} {hours} until {until.day} {MONTH_NAMES[until.month - 1]}{year}"


def task_names(posted) -> str:
    """What a request asks help with: "Thomas stretch, Runner's lunge, Medications"."""
    names = [exercise_name(task.exercise_slug) for task in posted.tasks]
    if posted.includes_medications:
        names.append("Medications")
    return ", ".join(names)


def visit_time(visit, zone: str | None = None) -> str:
    """ "Mon 8 Mar 2027, 09:00–10:00 EST" in the patient's zone (where the visit happens).

    A visit across a clock change names each end's own offset and its real length:
    "Sun 7 Nov 2027, 01:30 EDT – 02:30 EST (2 h)".
    """
    zone = zone or visit.request.timezone
    start, end = to_local(visit.starts_at, zone), to_local(visit.ends_at, zone)
    day = day_text(start)
    if start.utcoffset() == end.utcoffset():
        return f"{day}, {clock_text(start)}–{clock_text(end)} {end.tzname()}"
    length = duration_text(visit.ends_at - visit.starts_at)
    return (
        f"{day}, {clock_text(start)} {start.tzname()} – {clock_text(end)} {end.tzname()} ({length})"
    )


def duration_text(length: timedelta) -> str:
    """ "45 min", "2 h", "1 h 30 min" from a length of time."""
    hours, minutes = divmod(int(length.total_seconds() // 60), 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def local_datetime(moment, zone: str) -> str:
    """ "Mon 8 Mar 2027, 09:00 EST"."""
    local = to_local(moment, zone)
    return f"{day_text(local)}, {clock_text(local)} {local.tzname()}"


def exercise_name(slug: str) -> str:
    """The catalogue name of an exercise slug."""
    exercise = get_exercise(slug)
    return exercise.name if exercise else slug


@dataclass(frozen=True)
class MenuLink:
    """One link of the main menu, and whether it leads to the page being shown."""

    label: str
    href: str
    current: bool


def _is(*endpoints):
    return lambda endpoint: endpoint in endpoints


def _starts(prefix):
    return lambda endpoint: endpoint.startswith(prefix)


#: The main menu by role: label, endpoint, and which pages count as "this one" (aria-current).
#: Links to the patient's own pages carry their id (see main_menu).
_MENUS = {
    "patient": (
        ("My routine", "care.routine", lambda e: e.startswith("care.") and e != "care.catalogue"),
        ("Aides", "marketplace.aide_directory", _is("marketplace.aide_directory")),
        (
            "Requests",
            "marketplace.my_requests",
            lambda e: e.endswith("request") or e == "marketplace.my_requests",
        ),
        (
            "Payments",
            "payments.history",
            _is("payments.history", "payments.card", "payments.receipt"),
        ),
    ),
    "admin": (
        ("Vet aides", "marketplace.vet_aides", _is("marketplace.vet_aides")),
        ("Payments", "payments.admin_payments", _starts("payments.")),
    ),
    "aide": (
        ("Board", "scheduling.board", _is("scheduling.board")),
        ("My visits", "scheduling.my_visits", _is("scheduling.my_visits")),
        ("Payouts", "payments.payouts", _is("payments.payouts")),
    ),
}
_FIRST = (
    ("Home", "main.dashboard", _is("main.dashboard")),
    ("Calendar", "calendar.my_calendar", _starts("calendar.")),
)
_LAST = (
    ("Exercises", "care.catalogue", _is("care.catalogue")),
    ("Profile", "auth.profile", _is("auth.profile")),
)
_PATIENT_OWN = frozenset({"care.routine", "payments.history"})


def fixed_url(endpoint: str) -> str:
    """The address of a page that takes no arguments, built once per app: every page links
    the same few (the menu, the footer)."""
    known = current_app.extensions.setdefault("homestretch_fixed_urls", {})
    key = (request.script_root, endpoint)
    if key not in known:
        known[key] = url_for(endpoint)
    return known[key]


def _link_to(endpoint: str, user) -> str:
    if endpoint in _PATIENT_OWN:
        return url_for(endpoint, patient_id=user.id)
    return fixed_url(endpoint)


def main_menu(user) -> list[MenuLink]:
    """The logged-in person's menu links, in order, marking the page being shown."""
    endpoint = request.endpoint or ""
    rows = _FIRST + _MENUS.get(user.role, ()) + _LAST
    return [
        MenuLink(label, _link_to(name, user), is_current(endpoint))
        for label, name, is_current in rows
    ]


def static_url(filename: str) -> str:
    """The address of a file in static/ (built once per app: every page links the same few)."""
    known = current_app.extensions.setdefault("homestretch_static_urls", {})
    key = (request.script_root, filename)
    if key not in known:
        known[key] = url_for("static", filename=filename)
    return known[key]


def register(app: Flask) -> None:
    """Install the helpers on the app's Jinja environment."""
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["exercise_name"] = exercise_name
    app.jinja_env.filters["visit_time"] = visit_time
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["duration"] = duration_text
    app.jinja_env.filters["dosage"] = dosage_text
    app.jinja_env.filters["weekdays"] = weekdays_text
    app.jinja_env.filters["schedule"] = schedule_text
    app.jinja_env.filters["task_names"] = task_names
    app.jinja_env.globals["late_window"] = timedelta(hours=LATE_CANCEL_HOURS)
    app.jinja_env.globals["csrf_token"] = generate_csrf
    app.jinja_env.globals["main_menu"] = main_menu
    app.jinja_env.globals["static_url"] = static_url
    app.jinja_env.globals["fixed_url"] = fixed_url
