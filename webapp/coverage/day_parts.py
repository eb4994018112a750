"""The clock times of the parts of a patient's day, and covers that follow them when they move."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from webapp.auth.models import User
from webapp.coverage.models import DayPart, FamilyCover
from webapp.coverage.windows import (
    DEFAULT_PART_TIMES,
    PART_KEYS,
    PART_LABELS,
    PartTimes,
    overlapping_parts,
    part_times,
    window_bounds,
)
from webapp.errors import InvalidInput
from webapp.extensions import db


def day_part_times(patient: User) -> dict[str, PartTimes]:
    """The clock times of each part of the patient's day (their own, or the defaults)."""
    rows = db.session.scalars(select(DayPart).where(DayPart.patient_id == patient.id)).all()
    return part_times(rows)


def set_day_parts(
    actor: User, patient: User, times: dict[str, tuple[time, time] | None], now: datetime
) -> dict[str, PartTimes]:
    """Save the clock times of parts of the day (None: back to the default hours).

    Every part is checked, each ending after it starts and none overlapping another, before
    anything is written.
    """
    for part, span in times.items():
        if part not in PART_KEYS:
            raise InvalidInput("Pick a part of the day from the list.")
        if span is not None and span[1] <= span[0]:
            raise InvalidInput(f"{PART_LABELS[part]} must end after it starts.")
    rows = {
        row.part: row
        for row in db.session.scalars(select(DayPart).where(DayPart.patient_id == patient.id))
    }
    current = part_times(rows.values())
    spans = {}
    for part in PART_KEYS:
        given = times.get(part, (current[part].starts_at, current[part].ends_at))
        spans[part] = given if given is not None else DEFAULT_PART_TIMES[part]
    clash = overlapping_parts(spans)
    if clash is not None:
        first, second = clash
        raise InvalidInput(
            f"{PART_LABELS[first]} and {PART_LABELS[second].lower()} overlap. "
            "Give each part of the day its own hours."
        )
    for part, span in times.items():
        if span is None:
            if part in rows:
                db.session.delete(rows[part])
            continue
        row = rows.get(part) or DayPart(patient_id=patient.id, part=part)
        row.starts_at, row.ends_at = span
        db.session.add(row)
    db.session.flush()
    saved = day_part_times(patient)
    _move_covers(patient, saved, now)
    return saved


def _move_covers(patient: User, times: dict[str, PartTimes], now: datetime) -> None:
    """Live covers still to come follow their part's new hours (calendar feeds show them)."""
    zone = ZoneInfo(patient.timezone)
    covers = db.session.scalars(
        select(FamilyCover)
        .where(
            FamilyCover.patient_id == patient.id,
            FamilyCover.released_at.is_(None),
            FamilyCover.window_ends_at > now,
        )
        .order_by(FamilyCover.window_starts_at)
    ).all()
    for cover in covers:
        day = cover.window_starts_at.astimezone(zone).date()
        bounds = window_bounds(day, times[cover.part_of_day], zone)
        if (cover.window_starts_at, cover.window_ends_at) != bounds:
            cover.window_starts_at, cover.window_ends_at = bounds
    db.session.flush()
