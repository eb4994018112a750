"""Pain and adherence over the last weeks, and the geometry of the SVG charts drawn from them.

The charts are drawn on the server as plain SVG (no script), each with a text table beside it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from webapp.auth.models import User
from webapp.extensions import db
from webapp.visits.models import TaskLog
from webapp.visits.reports import recent_completed

WEEKS = 8
WIDTH, HEIGHT = 320, 180
LEFT, RIGHT, TOP, BOTTOM = 28, 8, 10, 26


@dataclass
class PainPoint:
    """One completed visit's pain before and after."""

    day: date
    before: int | None
    after: int | None
    x: float = 0.0
    y_before: float | None = None
    y_after: float | None = None


@dataclass
class Week:
    """Share of the visit tasks done in one week (partly done counts half)."""

    start: date
    planned: int
    done: float
    x: float = 0.0
    bar_height: float = 0.0

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.planned) if self.planned else None


@dataclass
class Trends:
    """What the dashboard charts show."""

    pain: list[PainPoint]
    weeks: list[Week]
    y_ticks: list[tuple[int, float]] = field(default_factory=list)

    @property
    def before_path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y_before:.1f}" for p in self.pain if p.y_before is not None)

    @property
    def after_path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y_after:.1f}" for p in self.pain if p.y_after is not None)


def _y(pain: int | None) -> float | None:
    if pain is None:
        return None
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - pain / 10)


def build(patient: User, now: datetime) -> Trends:
    """Pain before/after per visit and weekly adherence over the last eight weeks."""
    zone = ZoneInfo(patient.timezone)
    today = now.astimezone(zone).date()
    first_week = today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS - 1)
    since = datetime.combine(first_week, datetime.min.time()).replace(tzinfo=zone)
    rows = recent_completed(patient, since)
    logs = {}
    if rows:
        ids = [visit.id for visit, _ in rows]
        for log in db.session.scalars(select(TaskLog).where(TaskLog.visit_id.in_(ids))):
            logs.setdefault(log.visit_id, []).append(log)

    span = (today - first_week).days + 1
    plot_width = WIDTH - LEFT - RIGHT
    pain = []
    weeks = [Week(first_week + timedelta(weeks=n), 0, 0.0) for n in range(WEEKS)]
    for visit, report in rows:
        day = visit.starts_at.astimezone(zone).date()
        x = LEFT + plot_width * ((day - first_week).days + 0.5) / span
        pain.append(
            PainPoint(
                day,
                report.pain_before,
                report.pain_after,
                x,
                _y(report.pain_before),
                _y(report.pain_after),
            )
        )
        week = weeks[min((day - first_week).days // 7, WEEKS - 1)]
        week.planned += len(visit.request.tasks)
        week.done += sum(
            1.0 if log.status == "done" else 0.5 if log.status == "partly" else 0.0
            for log in logs.get(visit.id, [])
        )
    bar_area = HEIGHT - TOP - BOTTOM
    for index, week in enumerate(weeks):
        week.x = LEFT + plot_width * index / WEEKS + 4
        week.bar_height = bar_area * (week.percent or 0) / 100
    ticks = [(level, _y(level)) for level in (0, 5, 10)]
    return Trends(pain=pain, weeks=weeks, y_ticks=ticks)
