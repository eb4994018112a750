"""Care windows: which parts of which days the routine needs a helper, in the patient's time.

A window is one part of one local day (e.g. Tuesday morning, 08:00-10:00 at the patient's
home) that holds at least one routine item marked "needs a helper" or a medication due then.
Days are walked in the patient's wall-clock time with zoneinfo and only then turned into UTC,
so a morning on a daylight-saving day is still 08:00-10:00 on the clock. A wall time the
clocks skip that night (spring forward) is read as the same time on the old offset, i.e. an
hour later on the new one; a time that happens twice (fall back) means the first of the two.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from webapp.care.models import TIMES_OF_DAY, WEEKDAYS
from webapp.timezones import clock_text, short_day_text

PART_KEYS = tuple(key for key, _ in TIMES_OF_DAY)
PART_LABELS = dict(TIMES_OF_DAY)
#: The clock times used for a part of the day the patient has not set.
DEFAULT_PART_TIMES = {
    "morning": (time(8, 0), time(10, 0)),
    "midday": (time(12, 0), time(13, 0)),
    "afternoon": (time(15, 0), time(16, 0)),
    "evening": (time(18, 0), time(20, 0)),
    "bedtime": (time(21, 0), time(22, 0)),
}
#: What a window lists when any medication is due in it.
MEDICATIONS = "medications"


@dataclass(frozen=True)
class CareWindow:
    """One part of one local day that needs a helper, with its UTC bounds and what it needs."""

    patient_id: int
    day: date
    part: str
    part_label: str
    starts_at: datetime
    ends_at: datetime
    #: Exercise names, and "medications" when a dose is due: the page decides who sees names.
    needs: tuple[str, ...]

    @property
    def key(self) -> tuple[date, str]:
        return (self.day, self.part)

    @property
    def exercise_count(self) -> int:
        return sum(1 for need in self.needs if need != MEDICATIONS)

    @property
    def has_medications(self) -> bool:
        return MEDICATIONS in self.needs


@dataclass(frozen=True)
class PartTimes:
    """The wall-clock times of one part of the day, and whether they are the defaults."""

    part: str
    starts_at: time
    ends_at: time
    is_default: bool

    @property
    def label(self) -> str:
        return PART_LABELS[self.part]


def part_times(rows) -> dict[str, PartTimes]:
    """Each part's times: the patient's own where set (DayPart rows), else the defaults."""
    own = {row.part: row for row in rows}
    result = {}
    for part in PART_KEYS:
        if part in own:
            result[part] = PartTimes(part, own[part].starts_at, own[part].ends_at, False)
        else:
            start, end = DEFAULT_PART_TIMES[part]
            result[part] = PartTimes(part, start, end, True)
    return result


def wall_to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time at the patient's home (fold=0 on ambiguous days)."""
    if wall.fold:
        wall = wall.replace(fold=0)
    return datetime.combine(day, wall, zone).astimezone(UTC)


def window_bounds(day: date, times: PartTimes, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """A part of a local day in UTC; never empty, even when the clocks jump inside it."""
    starts_at = wall_to_utc(day, times.starts_at, zone)
    ends_at = wall_to_utc(day, times.ends_at, zone)
    if ends_at <= starts_at:  # e.g. 02:00-03:00 on the night the clocks skip that hour
        length = datetime.combine(day, times.ends_at) - datetime.combine(day, times.starts_at)
        ends_at = starts_at + length
    return starts_at, ends_at


def week_needs(first_day: date, days: int, items, medications) -> list[list[tuple]]:
    """What each part of a day needs (helper exercises due then, and medications), for each
    of the (at most seven) weekdays from first_day: (part index, needs) for the parts that need
    anything. Weekday bit 0 of RoutineItem.weekdays is Monday; times_of_day bits follow
    PART_KEYS."""
    helpers = [item for item in items if item.needs_helper]
    medication_parts = 0
    for medication in medications:
        medication_parts |= medication.times_of_day
    week = []
    for offset in range(min(days, 7)):
        day_bit = 1 << (first_day + timedelta(days=offset)).weekday()
        due = [item for item in helpers if item.weekdays & day_bit]
        parts = []
        for index in range(len(PART_KEYS)):
            part_bit = 1 << index
            needs = [item.exercise.name for item in due if item.times_of_day & part_bit]
            if medication_parts & part_bit:
                needs.append(MEDICATIONS)
            if needs:
                parts.append((index, tuple(needs)))
        week.append(parts)
    return week


def expand_windows(
    *,
    patient_id: int,
    timezone: str,
    first_day: date,
    days: int,
    times: dict[str, PartTimes],
    items,
    medications,
    sparse_before: date | None = None,
    keep_days: frozenset[date] = frozenset(),
) -> list[CareWindow]:
    """Every care window from first_day for `days` local days, in time order; with
    `sparse_before`, the days before it only when they are in `keep_days`."""
    zone = ZoneInfo(timezone)
    # What a part of a day needs depends only on its weekday: for each of the (at most seven)
    # weekdays, the parts that need anything, with what they need, worked out once.
    week = [
        [
            (PART_KEYS[index], PART_LABELS[PART_KEYS[index]], times[PART_KEYS[index]], needs)
            for index, needs in parts
        ]
        for parts in week_needs(first_day, days, items, medications)
    ]
    windows = []
    first = first_day.toordinal()
    sparse = sparse_before.toordinal() - first if sparse_before is not None else 0
    for offset in range(days):
        parts = week[offset % 7]
        if not parts:
            continue
        day = date.fromordinal(first + offset)
        if offset < sparse and day not in keep_days:
            continue
        for part, label, hours, needs in parts:
            starts_at, ends_at = window_bounds(day, hours, zone)
            windows.append(CareWindow(patient_id, day, part, label, starts_at, ends_at, needs))
    windows.sort(key=lambda window: (window.starts_at, window.part))
    return windows


def overlapping_parts(spans: dict[str, tuple[time, time]]) -> tuple[str, str] | None:
    """The first two parts of the day whose hours overlap, or None."""
    ordered = sorted(spans.items(), key=lambda pair: (pair[1][0], PART_KEYS.index(pair[0])))
    for (first, (_, first_end)), (second, (second_start, _)) in zip(
        ordered, ordered[1:], strict=False
    ):
        if second_start < first_end:
            return first, second
    return None


def weekday_name(day: date) -> str:
    """Mon ... Sun, as the routine writes weekdays."""
    return WEEKDAYS[day.weekday()]


def window_time(window: CareWindow, tz: ZoneInfo) -> str:
    """ "Mon 7 Dec, 08:00–10:00 EST" in the given zone (the viewer's)."""
    start, end = window.starts_at.astimezone(tz), window.ends_at.astimezone(tz)
    return f"{short_day_text(start)}, {clock_text(start)}–{clock_text(end)} {end.tzname()}"
