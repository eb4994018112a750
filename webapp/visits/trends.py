"""Pain and adherence over the last weeks, and the geometry of the SVG charts drawn from them.

Adherence counts the whole routine: each routine exercise is planned its times a day on its
weekdays (from the day it was added), and a time counts as done whether it was done at home
(the home log) or with an aide (a completed visit). The charts are drawn on the server as plain
SVG (no script), each with a text table beside it, and say in words which points and which
part of each bar come from home and which from visits.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from webapp.auth.models import User
from webapp.care import services as care
from webapp.extensions import db
from webapp.homelog import services as homelog
from webapp.visits.models import TaskLog
from webapp.visits.reports import recent_completed

WEEKS = 8
WIDTH, HEIGHT = 320, 180
# The left margin holds the widest axis label ("100%") whole at the labels' 11 px.
LEFT, RIGHT, TOP, BOTTOM = 42, 10, 12, 30
WHERE_LABELS = {"home": "At home", "visit": "With an aide"}


def day_label(day: date) -> str:
    """Every chart date the same way, as dates read elsewhere in HomeStretch: "5 Oct"."""
    return f"{day.day} {day:%b}"


@dataclass(frozen=True)
class ChartBox:
    """Where the plot sits inside each chart's 320 x 180 viewBox."""

    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    baseline: int = HEIGHT - BOTTOM

    @property
    def label_x(self) -> int:
        """Where the y-axis labels end (they are right-aligned against the plot)."""
        return self.left - 6

    @property
    def date_y(self) -> int:
        """The baseline of the date labels under the plot."""
        return self.baseline + 18


CHART = ChartBox()


@dataclass
class PainPoint:
    """One completed visit's or home session's pain before and after."""

    day: date
    before: int | None
    after: int | None
    x: float = 0.0
    y_before: float | None = None
    y_after: float | None = None
    #: "home" (the home log) or "visit" (with an aide).
    where: str = "visit"

    @property
    def where_label(self) -> str:
        return WHERE_LABELS[self.where]

    @property
    def day_label(self) -> str:
        """ "Mon 5 Oct"."""
        return f"{self.day:%a} {day_label(self.day)}"


@dataclass
class Week:
    """How many planned routine times were done in one week, at home and with an aide."""

    start: date
    planned: int = 0
    done_home: int = 0
    done_visit: int = 0
    partly_home: int = 0
    partly_visit: int = 0
    x: float = 0.0
    bar_height: float = 0.0
    home_height: float = 0.0
    #: Only every other week is named under its bar, so the dates never run into each other.
    labelled: bool = False

    @property
    def label(self) -> str:
        return day_label(self.start)

    @property
    def done(self) -> int:
        return self.done_home + self.done_visit

    @property
    def partly(self) -> int:
        return self.partly_home + self.partly_visit

    @property
    def percent(self) -> int | None:
        """Share of planned times done (partly done counts half), at most 100."""
        if not self.planned:
            return None
        return min(100, round(100 * (self.done + self.partly / 2) / self.planned))

    def count(self, where: str, status: str) -> None:
        """Add one logged exercise."""
        if status in ("done", "partly"):
            name = f"{status}_{where}"
            setattr(self, name, getattr(self, name) + 1)


@dataclass
class Trends:
    """What the dashboard charts show."""

    pain: list[PainPoint]
    weeks: list[Week]
    y_ticks: list[tuple[int, float]] = field(default_factory=list)
    #: Adherence ticks: (percent, y).
    percent_ticks: list[tuple[int, float]] = field(default_factory=list)
    #: The first and the last day the pain chart spans.
    first_day: date | None = None
    today: date | None = None
    chart: ChartBox = CHART

    @property
    def span_labels(self) -> tuple[str, str]:
        """The pain chart's first and last day, named under its two ends."""
        return day_label(self.first_day), day_label(self.today)

    @property
    def bar_width(self) -> float:
        return (CHART.right - CHART.left) / WEEKS - 8

    @property
    def this_week(self) -> Week:
        return self.weeks[-1]

    @property
    def has_adherence(self) -> bool:
        return any(week.planned or week.done or week.partly for week in self.weeks)

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


def _planned(weeks: list[Week], items, first_week: date, today: date, zone: ZoneInfo) -> None:
    """Each routine item's times a day, on its weekdays, from the day it was added to today."""
    for item in items:
        added = item.created_at.astimezone(zone).date()
        day = max(first_week, added)
        while day <= today:
            if item.weekdays & (1 << day.weekday()):
                weeks[(day - first_week).days // 7].planned += item.times_per_day
            day += timedelta(days=1)


def build(patient: User, now: datetime) -> Trends:
    """Pain per visit and home session, and weekly adherence, over the last eight weeks."""
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
    weeks = [Week(first_week + timedelta(weeks=n)) for n in range(WEEKS)]
    _planned(weeks, care.routine_items(patient), first_week, today, zone)

    def week_of(day: date) -> Week:
        return weeks[min(max((day - first_week).days // 7, 0), WEEKS - 1)]

    def point(moment: datetime, before, after, where: str) -> tuple[datetime, PainPoint]:
        day = moment.astimezone(zone).date()
        x = LEFT + plot_width * ((day - first_week).days + 0.5) / span
        return moment, PainPoint(day, before, after, x, _y(before), _y(after), where)

    points = []
    for visit, report in rows:
        points.append(point(visit.starts_at, report.pain_before, report.pain_after, "visit"))
        week = week_of(visit.starts_at.astimezone(zone).date())
        for log in logs.get(visit.id, []):
            week.count("visit", log.status)
    for session in homelog.sessions_since(patient, since):
        if session.pain_before is None and session.pain_after is None:
            continue  # nothing to plot
        points.append(point(session.done_at, session.pain_before, session.pain_after, "home"))
    for done_at, status in homelog.task_statuses_since(patient, since):
        week_of(done_at.astimezone(zone).date()).count("home", status)
    pain = [p for _, p in sorted(points, key=lambda pair: pair[0])]

    bar_area = HEIGHT - TOP - BOTTOM
    for index, week in enumerate(weeks):
        week.x = LEFT + plot_width * index / WEEKS + 4
        week.bar_height = bar_area * (week.percent or 0) / 100
        home = week.done_home + week.partly_home / 2
        total = week.done + week.partly / 2
        week.home_height = week.bar_height * home / total if total else 0.0
        week.labelled = (WEEKS - 1 - index) % 2 == 0  # this week always, then every other
    ticks = [(level, _y(level)) for level in (0, 5, 10)]
    percent_ticks = [(share, _y(share / 10)) for share in (0, 50, 100)]
    return Trends(
        pain=pain,
        weeks=weeks,
        y_ticks=ticks,
        percent_ticks=percent_ticks,
        first_day=first_week,
        today=today,
    )
