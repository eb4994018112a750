"""Time zones: validation, the choices shown in forms, and local/UTC conversion."""

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

#: Shown first in the list, so most people never scroll.
COMMON_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Toronto",
    "America/Vancouver",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
)


@cache
def all_zones() -> frozenset[str]:
    """Every IANA zone name this machine knows."""
    return frozenset(available_timezones())


def is_valid_timezone(name: str | None) -> bool:
    """Whether the name is a known IANA zone (case-sensitive, as IANA names are)."""
    return bool(name) and name in all_zones()


@cache
def timezone_choices() -> list[tuple[str, str]]:
    """Choices for a select list: common zones first, then the rest alphabetically."""
    common = [(z, z.replace("_", " ")) for z in COMMON_ZONES if z in all_zones()]
    rest = sorted(z for z in all_zones() if z not in COMMON_ZONES and "/" in z)
    return common + [(z, z.replace("_", " ")) for z in rest]


def to_local(moment: datetime, zone: str) -> datetime:
    """An aware UTC datetime shown in the given zone."""
    return moment.astimezone(ZoneInfo(zone))


# Writing times without strftime: pages write many, and integer fields with these names cost a
# fraction of a strftime call. The names are strftime's %a and %b in English.
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def clock_text(moment) -> str:
    """ "09:00": a time's hour and minute, as %H:%M writes them."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def short_day_text(day) -> str:
    """ "Mon 7 Dec", as %a, the day without a leading zero and %b write it."""
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"


def day_text(day) -> str:
    """ "Mon 8 Mar 2027"."""
    return f"{short_day_text(day)} {day.year}"
