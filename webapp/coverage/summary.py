"""How the coverage page sums up a span of days: headlines per week, gaps by part, needs."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from webapp.coverage.services import WindowCoverage
from webapp.coverage.windows import MEDICATIONS, PART_KEYS, CareWindow


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
