"""Coverage of the routine: each care window is covered by an aide, by family, done, or a gap.

Coverage is computed, never stored: a visit an aide gives back shows its windows as gaps on
the next page view. coverage_for_many() costs the same one query for any number of days and
of patients (a relative's dashboard asks for every circle at once): the plans (parts of the
day, helper exercises and medications) with the visits, live covers and home sessions, in one
UNION ALL for all the patients together (rows.py). Covering a window and giving it back live
in covers.py.
"""

from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.auth.models import User
from webapp.coverage import rows
from webapp.coverage.plans import plan_of, plans_of, windows_of
from webapp.coverage.rows import LONGEST_VISIT
from webapp.coverage.windows import (
    PART_KEYS,
    PART_LABELS,
    CareWindow,
)
from webapp.errors import InvalidInput
from webapp.extensions import db
from webapp.scheduling.models import HELD, Visit

__all__ = [
    "CareWindow",
    "WindowCoverage",
    "coverage_for",
    "coverage_for_many",
    "reach",
    "care_window",
]

#: States of a window, in the order a page lists the covered ones.
STATES = ("aide", "family", "done", "gap")
#: The most days one coverage question may span (a year).
MAX_DAYS = 366


@dataclass
class WindowCoverage:
    """One care window and who covers it: "aide", "family", "done" or "gap"."""

    window: CareWindow
    state: str
    #: What covers it, as rows of columns: a visit's id, patient_id, status, starts_at, ends_at
    #: and aide_name; a cover's id, patient_id, part_of_day, window_starts_at, released_at and
    #: member_name (and member_id, as coverage_for reads it); a home session's id, patient_id,
    #: part_of_day and done_at.
    visit: tuple | None = None
    cover: tuple | None = None
    home_session: tuple | None = None

    @property
    def is_gap(self) -> bool:
        return self.state == "gap"


def _local_span(patient: User, first_day: date, days: int) -> tuple[datetime, datetime]:
    """UTC bounds of the local days, a day wider each side so no zone offset slips through."""
    zone = ZoneInfo(patient.timezone)
    start = datetime.combine(first_day - timedelta(days=1), time()).replace(tzinfo=zone)
    end = datetime.combine(first_day + timedelta(days=days + 1), time()).replace(tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def held_visits(patient: User, start: datetime, end: datetime) -> list[Visit]:
    return list(
        db.session.scalars(
            select(Visit)
            .where(
                Visit.patient_id == patient.id,
                Visit.status.in_(HELD),
                Visit.starts_at < end,
                Visit.ends_at > start,
            )
            .options(joinedload(Visit.aide))
            .order_by(Visit.starts_at, Visit.id)
        )
    )


def overlapping_visit(window: CareWindow, visits: list[Visit]) -> Visit | None:
    """The first held visit overlapping the window (half-open: 10-11 does not touch 9-10)."""
    for visit in visits:
        if visit.starts_at < window.ends_at and visit.ends_at > window.starts_at:
            return visit
    return None


class _VisitsByTime:
    """Held visits in start order, searched by time: each window looks only at the visits
    starting less than LONGEST_VISIT before it (not every visit for every window)."""

    def __init__(self, visits: list[Visit]):
        self.visits = sorted(visits, key=lambda visit: (visit.starts_at, visit.id))
        self.starts = [visit.starts_at for visit in self.visits]
        self.ends = [visit.ends_at for visit in self.visits]

    def first_overlapping(self, window: CareWindow) -> Visit | None:
        """What overlapping_visit() gives for the whole list."""
        low = bisect_left(self.starts, window.starts_at - LONGEST_VISIT)
        high = bisect_left(self.starts, window.ends_at)
        for index in range(low, high):
            if self.ends[index] > window.starts_at:
                return self.visits[index]
        return None


def local_key(moment: datetime, part: str, zone: ZoneInfo) -> tuple[date, str]:
    return (moment.astimezone(zone).date(), part)


def coverage_for(patient: User, first_day: date, days: int, now: datetime) -> list[WindowCoverage]:
    """Every care window of `days` local days from first_day and how it is covered.

    Order of precedence: a held aide visit overlapping the window ("aide"), a live family
    cover ("family"), a home session logged for that day and part ("done"), else "gap".
    One query whatever the number of days, visits, covers or sessions.
    """
    return coverage_for_many([(patient, first_day, days)], now)[patient.id]


def coverage_for_many(
    asks: list[tuple[User, date, int]],
    now: datetime,
    *,
    visits: list | None = None,
    covers: list | None = None,
    sessions: list | None = None,
    settled_before: datetime | None = None,
) -> dict[int, list[WindowCoverage]]:
    """coverage_for() for several patients at once, each from their own first day (by id).

    One query in all, whatever the number of patients: the plans, visits, covers and home
    sessions together (one UNION ALL), for everyone. A caller that has already read the
    patients' visits (any status), their covers whose member is still in the circle (released
    or not) and their home sessions over reach(asks) passes them in, and only the plans are
    read; they are sifted here as the query would. They are rows of the columns
    WindowCoverage names, as the ones read here are.

    With `settled_before` (a calendar's now), the windows of days that ended more than a day
    before it are listed only on days with a home session: a calendar shows a window that is
    over only when it was done at home, so the others are not worked out.
    """
    for _, _, days in asks:
        if not 1 <= days <= MAX_DAYS:
            raise InvalidInput(f"Ask for 1 to {MAX_DAYS} days of coverage.")
    if not asks:
        return {}
    spans = {patient.id: _local_span(patient, first_day, days) for patient, first_day, days in asks}
    if visits is None and covers is None and sessions is None:
        plans, visits, covers, sessions = rows.plans_and_rows(spans)
    else:
        plans = plans_of(list(spans))
    if visits is None or covers is None or sessions is None:
        read_visits, read_covers, read_sessions = rows.rows_of(spans)
        visits = read_visits if visits is None else visits
        covers = read_covers if covers is None else covers
        sessions = read_sessions if sessions is None else sessions
    by_visit = _by_patient(_sift_visits(visits, spans))
    by_cover = _by_patient(_sift_covers(covers, spans))
    sessions_of = _by_patient(_sift_sessions(sessions, spans))
    result = {}
    for patient, first_day, days in asks:
        done = sessions_of.get(patient.id, [])
        sparse_before, keep_days = None, frozenset()
        if settled_before is not None:
            zone = ZoneInfo(patient.timezone)
            # A window ends on its own local day: those of days before yesterday are over.
            sparse_before = settled_before.astimezone(zone).date() - timedelta(days=1)
            keep_days = frozenset(session.done_at.astimezone(zone).date() for session in done)
        windows = windows_of(patient, plans[patient.id], first_day, days, sparse_before, keep_days)
        result[patient.id] = _cover_windows(
            patient,
            windows,
            by_visit.get(patient.id, []),
            by_cover.get(patient.id, []),
            done,
        )
    return result


def reach(asks: list[tuple[User, date, int]]) -> tuple[datetime, datetime]:
    """The UTC range whose visits and covers coverage_for_many(asks) reads."""
    return rows.outer_span(
        {patient.id: _local_span(patient, first_day, days) for patient, first_day, days in asks}
    )


def _cover_windows(patient: User, windows, visits, covers, sessions) -> list[WindowCoverage]:
    zone = ZoneInfo(patient.timezone)
    by_key = {
        local_key(cover.window_starts_at, cover.part_of_day, zone): cover
        for cover in reversed(covers)
    }
    done = {}
    for session in reversed(sessions):
        done[local_key(session.done_at, session.part_of_day, zone)] = session
    first_overlapping = _VisitsByTime(visits).first_overlapping
    result = []
    for window in windows:
        visit = first_overlapping(window)
        key = (window.day, window.part)
        cover = by_key.get(key)
        session = done.get(key)
        if visit is not None:
            state = "aide"
        elif cover is not None:
            state = "family"
        elif session is not None:
            state = "done"
        else:
            state = "gap"
        result.append(WindowCoverage(window, state, visit, cover, session))
    return result


def _by_patient(rows) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.patient_id, []).append(row)
    return grouped


def _sift_visits(visits: list[tuple], spans) -> list[tuple]:
    """Held visits overlapping their patient's span, in start order."""
    return [
        visit
        for visit in visits
        if visit.patient_id in spans
        and visit.status in HELD
        and visit.starts_at < spans[visit.patient_id][1]
        and visit.ends_at > spans[visit.patient_id][0]
    ]


def _sift_covers(covers: list[tuple], spans) -> list[tuple]:
    """Covers not given back that start in their patient's span, in start order."""
    return [
        cover
        for cover in covers
        if cover.patient_id in spans
        and cover.released_at is None
        and _within(cover.window_starts_at, spans[cover.patient_id])
    ]


def _sift_sessions(sessions: list[tuple], spans) -> list[tuple]:
    """Home sessions logged in their patient's span, in time order."""
    return [
        session
        for session in sessions
        if session.patient_id in spans and _within(session.done_at, spans[session.patient_id])
    ]


def _within(moment: datetime, span: tuple[datetime, datetime]) -> bool:
    return span[0] <= moment < span[1]


def care_window(patient: User, day: date, part: str) -> CareWindow:
    """The care window of one local day and part, recomputed here, or InvalidInput."""
    if part not in PART_KEYS:
        raise InvalidInput("Pick a part of the day from the list.")
    windows = [w for w in windows_of(patient, plan_of(patient), day, 1) if w.part == part]
    if not windows:
        raise InvalidInput(
            f"Nothing in the routine needs a helper on {day:%A %d %B} "
            f"({PART_LABELS[part].lower()}), so there is no care window to cover."
        )
    return windows[0]
