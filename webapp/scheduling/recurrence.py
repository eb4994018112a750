"""Turning a request's wall-clock schedule into UTC visit slots.

Recurrence is expanded in the patient's local wall time with dateutil's rrule, then each
occurrence is placed in the patient's zone, so 09:00 stays 09:00 across daylight-saving
changes. Two documented rules for the days the clocks change:

* A time that does not exist that day (clocks spring forward over it) is refused, naming
  the date, so the patient can pick a time that exists.
* A time that happens twice (clocks fall back) means the first of the two, i.e. the
  earlier instant, still on summer time (Python's fold=0).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import WEEKLY, rrule

from webapp.errors import InvalidInput

MAX_WEEKS = 26
MAX_WINDOW = timedelta(hours=12)
MIN_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Occurrence:
    """One slot, in UTC."""

    starts_at: datetime
    ends_at: datetime


def local_to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time, refusing times that do not exist that day."""
    local = datetime.combine(day, wall).replace(tzinfo=zone, fold=0)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise InvalidInput(
            f"{wall:%H:%M} does not exist on {day:%A %d %B %Y} in {zone.key}: the clocks "
            "move forward that night. Please pick a time outside the skipped hour."
        )
    return instant


def expand(
    *,
    first_date: date,
    start_time: time,
    end_time: time,
    timezone: str,
    weekdays: list[int] | None = None,
    until_date: date | None = None,
    count: int | None = None,
) -> list[Occurrence]:
    """Every slot of a one-off (weekdays=None) or weekly request, checked against the caps."""
    if end_time <= start_time:
        raise InvalidInput("The end time must be after the start time (visits end the same day).")
    window = datetime.combine(first_date, end_time) - datetime.combine(first_date, start_time)
    if window > MAX_WINDOW:
        raise InvalidInput("A visit can last at most 12 hours.")
    if window < MIN_WINDOW:
        raise InvalidInput("A visit lasts at least 15 minutes.")
    zone = ZoneInfo(timezone)
    if weekdays is None:
        days = [first_date]
    else:
        days = _weekly_days(first_date, weekdays, until_date, count)
    return [
        Occurrence(local_to_utc(day, start_time, zone), local_to_utc(day, end_time, zone))
        for day in days
    ]


def _weekly_days(
    first_date: date, weekdays: list[int], until_date: date | None, count: int | None
) -> list[date]:
    if not weekdays:
        raise InvalidInput("Pick at least one day of the week.")
    if (until_date is None) == (count is None):
        raise InvalidInput("Give either an end date or a number of visits.")
    last_allowed = first_date + timedelta(weeks=MAX_WEEKS) - timedelta(days=1)
    if until_date is not None:
        if until_date < first_date:
            raise InvalidInput("The end date is before the first date.")
        if until_date > last_allowed:
            raise InvalidInput(f"A series can run for at most {MAX_WEEKS} weeks.")
    if count is not None and not 1 <= count <= MAX_WEEKS * 7:
        raise InvalidInput(f"A series has from 1 to {MAX_WEEKS * 7} visits.")
    rule = rrule(
        WEEKLY,
        dtstart=datetime.combine(first_date, time()),
        byweekday=sorted(set(weekdays)),
        until=datetime.combine(until_date, time()) if until_date else None,
        count=count,
    )
    days = [moment.date() for moment in rule]
    if not days:
        raise InvalidInput("No visit falls on the chosen days before the end date.")
    if days[-1] > last_allowed:
        raise InvalidInput(f"A series can run for at most {MAX_WEEKS} weeks.")
    return days
