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

from markupsafe import Markup

from webapp.auth.models import User
from webapp.timezones import DAY_NAMES, MONTH_NAMES

WEEKS = 8
WIDTH, HEIGHT = 320, 180
# The left margin holds the widest axis label ("100%") whole at the labels' 11 px.
LEFT, RIGHT, TOP, BOTTOM = 42, 10, 12, 30
WHERE_LABELS = {"home": "At home", "visit": "With an aide"}
BEFORE_COLOUR, AFTER_COLOUR = "#b45309", "#0f5c4d"


def day_label(day: date) -> str:
    """Every chart date the same way, as dates read elsewhere in HomeStretch: "5 Oct"."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]}"


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
        return f"{DAY_NAMES[self.day.weekday()]} {day_label(self.day)}"


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

    def add(self, where: str, done: int, partly: int) -> None:
        """Add the exercises done and partly done at one visit or home session."""
        if where == "home":
            self.done_home += done
            self.partly_home += partly
        else:
            self.done_visit += done
            self.partly_visit += partly


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

    # The charts' repeated parts are written here rather than by template loops: a page draws
    # dozens of them and they hold only numbers and fixed words (nothing to escape).

    @property
    def pain_shapes(self) -> Markup:
        """Each point's before and after marks: squares at home, circles at visits."""
        shapes = []
        for point in self.pain:
            for y, colour in ((point.y_before, BEFORE_COLOUR), (point.y_after, AFTER_COLOUR)):
                if y is None:
                    continue
                if point.where == "home":
                    shapes.append(
                        f'<rect x="{point.x - 3.5}" y="{y - 3.5}" width="7" height="7"'
                        f' fill="{colour}"/>'
                    )
                else:
                    shapes.append(f'<circle cx="{point.x}" cy="{y}" r="3.5" fill="{colour}"/>')
        return Markup("\n    ".join(shapes))

    @property
    def pain_rows(self) -> Markup:
        """The pain table's rows: day, where, pain before and after ("–" when not asked)."""
        return Markup(
            "".join(
                f"<tr><td>{point.day_label}</td><td>{point.where_label}</td>"
                f"<td>{_pain_text(point.before)}</td><td>{_pain_text(point.after)}</td></tr>"
                for point in self.pain
            )
        )

    @property
    def week_bars(self) -> Markup:
        """Each week's bar (solid: with an aide, striped on top: at home) and every other
        week's date under it."""
        box, width = self.chart, self.bar_width
        bars = []
        for week in self.weeks:
            top = box.baseline - week.bar_height
            bars.append(
                f'<rect x="{week.x}" y="{top + week.home_height}" width="{width}"'
                f' height="{week.bar_height - week.home_height}" fill="{AFTER_COLOUR}"/>\n'
                f'    <rect x="{week.x}" y="{top}" width="{width}" height="{week.home_height}"'
                f' fill="url(#home-stripes)" stroke="{AFTER_COLOUR}" stroke-width="1"/>'
            )
            if week.labelled:
                bars.append(
                    f'<text class="chart__label chart__date" x="{week.x + width / 2}"'
                    f' y="{box.date_y}" text-anchor="middle">{week.label}</text>'
                )
        return Markup("\n    ".join(bars))

    @property
    def week_rows(self) -> Markup:
        """The adherence table's rows."""
        return Markup(
            "".join(
                f"<tr><td>{week.label}</td><td>{week.done_home}</td><td>{week.done_visit}</td>"
                f"<td>{week.partly}</td><td>{week.planned}</td>"
                f"<td>{'Nothing planned' if week.percent is None else f'{week.percent}%'}</td></tr>"
                for week in self.weeks
            )
        )


def _pain_text(pain: int | None) -> str:
    return "–" if pain is None else str(pain)


def _y(pain: int | None) -> float | None:
    if pain is None:
        return None
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - pain / 10)


def _planned(weeks: list[Week], items, first_week: date, today: date, zone: ZoneInfo) -> None:
    """Each routine item's times a day, on its weekdays, from the day it was added to today."""
    last_week = (today - first_week).days // 7
    for item in items:
        added = item.created_at.astimezone(zone).date()
        start = max(first_week, added)
        if start > today:
            continue
        for index in range((start - first_week).days // 7, last_week + 1):
            monday = first_week + timedelta(weeks=index)
            first = max(start, monday).weekday()
            last = min(today, monday + timedelta(days=6)).weekday()
            # The weekday bits (bit 0 = Monday) of this week's days from first to last.
            days = ((1 << (last + 1)) - 1) & ~((1 << first) - 1)
            weeks[index].planned += (item.weekdays & days).bit_count() * item.times_per_day


@dataclass(frozen=True)
class Mark:
    """A completed visit or a home session in the charts' weeks: when, pain before and after,
    and how many of its exercises were done and partly done."""

    at: datetime
    pain_before: int | None
    pain_after: int | None
    done: int
    partly: int


def first_monday(patient: User, now: datetime) -> date:
    """The Monday the charts start on, WEEKS - 1 weeks before this week's, at the patient's."""
    today = now.astimezone(ZoneInfo(patient.timezone)).date()
    return today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS - 1)


def since(patient: User, now: datetime) -> datetime:
    """The moment the charts start: midnight of first_monday() at the patient's home."""
    zone = ZoneInfo(patient.timezone)
    return datetime.combine(first_monday(patient, now), datetime.min.time()).replace(tzinfo=zone)


def build(
    patient: User, now: datetime, *, items, visits: list[Mark], sessions: list[Mark]
) -> Trends:
    """Pain per visit and home session, and weekly adherence, over the last eight weeks.

    The caller reads what goes in (see webapp.main.patient_home): the routine, the completed
    visits since since() and the home sessions since then, each with its exercise counts.
    """
    zone = ZoneInfo(patient.timezone)
    today = now.astimezone(zone).date()
    first_week = first_monday(patient, now)
    span = (today - first_week).days + 1
    plot_width = WIDTH - LEFT - RIGHT
    weeks = [Week(first_week + timedelta(weeks=n)) for n in range(WEEKS)]
    _planned(weeks, items, first_week, today, zone)

    def week_of(day: date) -> Week:
        return weeks[min(max((day - first_week).days // 7, 0), WEEKS - 1)]

    def point(moment: datetime, before, after, where: str) -> tuple[datetime, PainPoint]:
        day = moment.astimezone(zone).date()
        x = LEFT + plot_width * ((day - first_week).days + 0.5) / span
        return moment, PainPoint(day, before, after, x, _y(before), _y(after), where)

    points = []
    for where, marks in (("visit", visits), ("home", sessions)):
        for mark in marks:
            week_of(mark.at.astimezone(zone).date()).add(where, mark.done, mark.partly)
            if where == "home" and mark.pain_before is None and mark.pain_after is None:
                continue  # nothing to plot
            points.append(point(mark.at, mark.pain_before, mark.pain_after, where))
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
