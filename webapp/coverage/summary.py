"""How the coverage page sums up a span of days: headlines per week, gaps by part, needs."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from webapp.coverage.services import WindowCoverage
from webapp.coverage.windows import MEDICATIONS, PART_KEYS, CareWindow, window_time


@dataclass(frozen=True)
class WeekHeadline:
    """ "11 of 14 windows covered" for the seven days from first_day."""

    first_day: date
    covered: int
    total: int


def weekly_headlines(rows: list[WindowCoverage], first_day: date, days: int) -> list[WeekHeadline]:
    """One headline per seven days shown: how many windows are covered (aide, family, done)."""
    result = []
    for start in range(0, days, 7):
        week_start = first_day + timedelta(days=start)
        week_end = week_start + timedelta(days=7)
        week = [row for row in rows if week_start <= row.window.day < week_end]
        covered = sum(1 for row in week if not row.is_gap)
        result.append(WeekHeadline(week_start, covered, len(week)))
    return result


def future_gaps_by_part(rows: list[WindowCoverage], now: datetime) -> dict[str, list]:
    """Gaps still to come, grouped by part of the day in the day's order."""
    grouped: dict[str, list] = {}
    for part in PART_KEYS:
        gaps = [r for r in rows if r.is_gap and r.window.part == part and r.window.starts_at > now]
        if gaps:
            grouped[part] = gaps
    return grouped


def needs_text(window: CareWindow, show_names: bool) -> str:
    """What a window needs: the names for those who may see the routine, else a count."""
    if show_names:
        return ", ".join(window.needs)
    parts = []
    if window.exercise_count:
        count = window.exercise_count
        parts.append(f"{count} exercise" + ("" if count == 1 else "s"))
    if window.has_medications:
        parts.append(MEDICATIONS)
    return ", ".join(parts)


@dataclass(frozen=True)
class Slot:
    """A care window as the coverage page lists it, its words worked out once for the viewer."""

    row: WindowCoverage
    #: "Mon 7 Dec, 08:00–10:00 EST" in the viewer's zone.
    here: str
    #: The same at the patient's home when that zone is not the viewer's, else None.
    home: str | None
    #: What the window needs (names or a count, see needs_text).
    needs: str
    #: The window's local day, YYYY-MM-DD.
    day: str


def slots(
    rows: list[WindowCoverage], viewer_zone: str, home_zone: str, show_names: bool
) -> list[Slot]:
    """Each row with its times in the viewer's zone (and the home's), and its needs in words."""
    viewer_tz = ZoneInfo(viewer_zone)
    home_tz = ZoneInfo(home_zone) if home_zone != viewer_zone else None
    # A part of the day needs the same on every day of its weekday: worded once per need.
    needs_words: dict[tuple[str, ...], str] = {}
    result = []
    for row in rows:
        window = row.window
        needs = needs_words.get(window.needs)
        if needs is None:
            needs = needs_words[window.needs] = needs_text(window, show_names)
        result.append(
            Slot(
                row,
                window_time(window, viewer_tz),
                None if home_tz is None else window_time(window, home_tz),
                needs,
                window.day.isoformat(),
            )
        )
    return result
