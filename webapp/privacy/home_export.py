"""The family side of an export: routine sessions done at home, the parts of the patient's day,
care windows family members cover, and calendar feed links. A fixed number of queries each."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.auth.models import User
from webapp.calendar.models import CalendarFeed
from webapp.coverage.models import DayPart, FamilyCover
from webapp.extensions import db
from webapp.homelog.models import HomeSession
from webapp.privacy.values import exercise_name, iso, name


def day_parts(user: User) -> list[dict]:
    """When each part of the patient's day happens, in their local time."""
    parts = db.session.scalars(
        select(DayPart).where(DayPart.patient_id == user.id).order_by(DayPart.starts_at)
    )
    return [
        {"part": part.part, "starts_at": iso(part.starts_at), "ends_at": iso(part.ends_at)}
        for part in parts
    ]


def home_sessions(user: User) -> list[dict]:
    """The patient's sessions at home, with pain, each exercise and each dose."""
    sessions = db.session.scalars(
        select(HomeSession)
        .where(HomeSession.patient_id == user.id)
        .options(
            selectinload(HomeSession.recorded_by),
            selectinload(HomeSession.tasks),
            selectinload(HomeSession.medications),
        )
        .order_by(HomeSession.done_at, HomeSession.id)
    )
    return [
        {
            "id": session.id,
            "done_at": iso(session.done_at),
            "part_of_day": session.part_of_day,
            "pain_before": session.pain_before,
            "pain_after": session.pain_after,
            "safety_flag": session.safety_flag,
            "notes": session.notes,
            "recorded_by": name(session.recorded_by),
            "created_at": iso(session.created_at),
            "tasks": [
                {
                    "exercise": task.exercise_slug,
                    "exercise_name": exercise_name(task.exercise_slug),
                    "status": task.status,
                    "reason": task.reason,
                    "reason_note": task.reason_note,
                }
                for task in session.tasks
            ],
            "medications": [
                {
                    "name": dose.name,
                    "dose": dose.dose,
                    "outcome": dose.outcome,
                    "given_at": iso(dose.given_at),
                }
                for dose in session.medications
            ],
        }
        for session in sessions
    ]


def sessions_recorded_for_others(user: User) -> list[dict]:
    """Sessions a coordinator wrote down for a patient: that they did, not what it held."""
    sessions = db.session.scalars(
        select(HomeSession)
        .where(HomeSession.recorded_by_id == user.id, HomeSession.patient_id != user.id)
        .options(selectinload(HomeSession.patient))
        .order_by(HomeSession.done_at, HomeSession.id)
    )
    return [
        {
            "id": session.id,
            "patient": name(session.patient),
            "done_at": iso(session.done_at),
            "part_of_day": session.part_of_day,
            "created_at": iso(session.created_at),
        }
        for session in sessions
    ]


def _cover(cover: FamilyCover, other_side: str, person: User) -> dict:
    return {
        other_side: name(person),
        "part_of_day": cover.part_of_day,
        "window_starts_at": iso(cover.window_starts_at),
        "window_ends_at": iso(cover.window_ends_at),
        "created_at": iso(cover.created_at),
        "released_at": iso(cover.released_at),
    }


def family_cover(user: User) -> dict:
    """Care windows family covered for the patient, and windows this person covered."""
    of_yours = db.session.scalars(
        select(FamilyCover)
        .where(FamilyCover.patient_id == user.id)
        .options(selectinload(FamilyCover.member))
        .order_by(FamilyCover.window_starts_at, FamilyCover.id)
    )
    taken = db.session.scalars(
        select(FamilyCover)
        .where(FamilyCover.member_id == user.id)
        .options(selectinload(FamilyCover.patient))
        .order_by(FamilyCover.window_starts_at, FamilyCover.id)
    )
    return {
        "of_your_care": [_cover(cover, "member", cover.member) for cover in of_yours],
        "you_took": [_cover(cover, "patient", cover.patient) for cover in taken],
    }


def calendar_feeds(user: User) -> list[dict]:
    """The person's calendar links; never the link's token or its hash."""
    feeds = db.session.scalars(
        select(CalendarFeed)
        .where(CalendarFeed.owner_id == user.id)
        .options(selectinload(CalendarFeed.patient))
        .order_by(CalendarFeed.created_at, CalendarFeed.id)
    )
    return [
        {
            # None: an aide's feed of their own visits across patients.
            "calendar_of": name(feed.patient),
            "created_at": iso(feed.created_at),
            "revoked_at": iso(feed.revoked_at),
        }
        for feed in feeds
    ]
