"""The data export: everything HomeStretch holds about one person, as one JSON document.

The promise: a person downloads their own record, whatever their role, and nobody else's
health data comes with it. An aide's visits carry what the aide was part of (times, the
patient's first name and area, the rate, their own check-in/out and log entries) but never the
patient's pain scores, notes, skip reasons or medication names: those stay on the visit page,
where the access policy limits them and every view is audited.

How it holds up at size: each table is read with one query per kind of link to the person
(joins, never one query per visit), so an aide with a thousand visits costs the same number
of queries as one with two. docs/export-format.md describes the shape.
"""

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, selectinload

from webapp.auth import throttle
from webapp.auth.models import LoginFailure, User, UserSession
from webapp.care.models import WEEKDAYS, Medication, Precaution, RoutineItem, bits_to_list
from webapp.circle.models import CircleInvitation, CircleMember
from webapp.extensions import db
from webapp.marketplace.models import AideProfile, AssistanceRequest, PatientHome, Review
from webapp.privacy import alert_export, home_export, visit_export
from webapp.privacy.values import exercise_name, first_name, iso, money, name
from webapp.scheduling.models import Visit, VisitCancellation
from webapp.visits.models import AuditEvent

FORMAT = {"name": "homestretch-export", "version": 1}


def build_export(user: User, now: datetime) -> dict:
    """The whole export document for one person."""
    return {
        "format": FORMAT,
        "exported_at": iso(now),
        "account": _account(user),
        "sessions": _sessions(user),
        "failed_logins": _failed_logins(user),
        "care_plan": _care_plan(user),
        "home": _home(user),
        "care_circle": _circle(user),
        "day_parts": home_export.day_parts(user),
        "home_sessions": home_export.home_sessions(user),
        "home_sessions_you_recorded_for_others": home_export.sessions_recorded_for_others(user),
        "family_cover": home_export.family_cover(user),
        "calendar_feeds": home_export.calendar_feeds(user),
        "requests": _requests(user),
        "requests_you_posted_for_others": _posted_for_others(user),
        "visits_as_patient": visit_export.patient_visits(user),
        "reviews_given": _reviews(Review.patient_id == user.id, with_aide=True),
        "aide_profile": _aide_profile(user),
        "visits_as_aide": visit_export.aide_visits(user),
        "reviews_received": _reviews(Review.aide_id == user.id, with_aide=False),
        "cancellations": _cancellations(user),
        "audit": {
            "views_of_your_health_data": _views_of(user),
            "health_data_you_viewed": _views_by(user),
        },
        "aides_you_verified": _vetting(user),
        "alerts": alert_export.alerts(user),
    }


def _account(user: User) -> dict:
    # Never the password hash: it is a secret, not information about the person.
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "phone": user.phone,
        "timezone": user.timezone,
        "role": user.role,
        "created_at": iso(user.created_at),
        "health_data_consent_at": iso(user.health_data_consent_at),
    }


def _sessions(user: User) -> list[dict]:
    rows = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.created_at)
    )
    # Never the token hash: it is a key, not information about the person.
    return [
        {
            "device": row.device,
            "ip_address": row.ip_address,
            "remember": row.remember,
            "created_at": iso(row.created_at),
            "last_seen_at": iso(row.last_seen_at),
            "ended_at": iso(row.ended_at),
        }
        for row in rows
    ]


def _failed_logins(user: User) -> list[dict]:
    # Only when: the address a wrong password came from may well be someone else's.
    moments = db.session.scalars(
        select(LoginFailure.failed_at)
        .where(LoginFailure.account_key == throttle.account_key(user.email))
        .order_by(LoginFailure.failed_at)
    )
    return [{"at": iso(moment)} for moment in moments]


def _care_plan(user: User) -> dict:
    routine = db.session.scalars(
        select(RoutineItem).where(RoutineItem.patient_id == user.id).order_by(RoutineItem.id)
    )
    medications = db.session.scalars(
        select(Medication).where(Medication.patient_id == user.id).order_by(Medication.id)
    )
    precautions = db.session.scalars(
        select(Precaution).where(Precaution.patient_id == user.id).order_by(Precaution.id)
    )
    return {
        "routine": [
            {
                "id": item.id,
                "exercise": item.exercise_slug,
                "exercise_name": exercise_name(item.exercise_slug),
                "sets": item.sets,
                "reps": item.reps,
                "hold_seconds": item.hold_seconds,
                "minutes": item.minutes,
                "times_per_day": item.times_per_day,
                "weekdays": bits_to_list(item.weekdays, WEEKDAYS),
                "times_of_day": item.time_names,
                "needs_helper": item.needs_helper,
                "notes": item.notes,
                "created_at": iso(item.created_at),
            }
            for item in routine
        ],
        "medications": [
            {
                "id": medication.id,
                "name": medication.name,
                "dose": medication.dose,
                "instructions": medication.instructions,
                "times_of_day": medication.time_names,
                "created_at": iso(medication.created_at),
            }
            for medication in medications
        ],
        "precautions": [
            {
                "id": precaution.id,
                "activity": precaution.activity,
                "tip": precaution.tip,
                "built_in": precaution.builtin_key is not None,
                "created_at": iso(precaution.created_at),
            }
            for precaution in precautions
        ],
    }


def _home(user: User) -> dict | None:
    home = db.session.get(PatientHome, user.id)
    if home is None:
        return None
    return {
        "street": home.street,
        "city": home.city,
        "postal_code": home.postal_code,
        "access_notes": home.access_notes,
    }


def _circle(user: User) -> dict:
    members = db.session.scalars(
        select(CircleMember)
        .where(CircleMember.patient_id == user.id)
        .options(selectinload(CircleMember.member))
        .order_by(CircleMember.joined_at, CircleMember.id)
    )
    invitations = db.session.scalars(
        select(CircleInvitation)
        .where(CircleInvitation.patient_id == user.id)
        .order_by(CircleInvitation.created_at, CircleInvitation.id)
    )
    belongs = db.session.scalars(
        select(CircleMember)
        .where(CircleMember.member_id == user.id)
        .options(selectinload(CircleMember.patient))
        .order_by(CircleMember.joined_at, CircleMember.id)
    )
    return {
        "members": [
            {"name": name(member.member), "role": member.role, "joined_at": iso(member.joined_at)}
            for member in members
        ],
        # Never the link's token hash: it is a key, not information about anyone.
        "invitations_sent": [
            {
                "email": invitation.email,
                "role": invitation.role,
                "created_at": iso(invitation.created_at),
                "expires_at": iso(invitation.expires_at),
                "accepted_at": iso(invitation.accepted_at),
                "withdrawn_at": iso(invitation.withdrawn_at),
            }
            for invitation in invitations
        ],
        "circles_you_belong_to": [
            {
                "patient": name(member.patient),
                "role": member.role,
                "joined_at": iso(member.joined_at),
            }
            for member in belongs
        ],
    }


def _requests(user: User) -> list[dict]:
    requests = db.session.scalars(
        select(AssistanceRequest)
        .where(AssistanceRequest.patient_id == user.id)
        .options(selectinload(AssistanceRequest.tasks), selectinload(AssistanceRequest.offered_to))
        .order_by(AssistanceRequest.id)
    )
    return [
        {
            "id": request.id,
            "status": request.status,
            "timezone": request.timezone,
            "first_date": iso(request.first_date),
            "start_time": iso(request.start_time),
            "end_time": iso(request.end_time),
            "repeat": request.repeat,
            "weekdays": bits_to_list(request.weekdays, WEEKDAYS),
            "until_date": iso(request.until_date),
            "rate": money(request.rate_cents, request.currency),
            "tasks": [item.exercise_slug for item in request.tasks],
            "includes_medications": request.includes_medications,
            "notes": request.notes,
            "offered_first_to": name(request.offered_to),
            "offer_expires_at": iso(request.offer_expires_at),
            "created_at": iso(request.created_at),
        }
        for request in requests
    ]


def _posted_for_others(user: User) -> list[dict]:
    requests = db.session.scalars(
        select(AssistanceRequest)
        .where(
            AssistanceRequest.created_by_id == user.id,
            AssistanceRequest.patient_id != user.id,
        )
        .options(selectinload(AssistanceRequest.patient))
        .order_by(AssistanceRequest.id)
    )
    # The request itself is the patient's; the coordinator's part is having posted it.
    return [
        {
            "id": request.id,
            "patient": name(request.patient),
            "first_date": iso(request.first_date),
            "status": request.status,
            "created_at": iso(request.created_at),
        }
        for request in requests
    ]


def _reviews(condition, *, with_aide: bool) -> list[dict]:
    aide = aliased(User)
    rows = db.session.execute(
        select(Review, aide.display_name)
        .join(aide, aide.id == Review.aide_id)
        .where(condition)
        .order_by(Review.created_at, Review.id)
    )
    # A patient's name is never shown with their review, so the aide's copy has none either.
    return [
        {
            "visit_id": review.visit_id,
            **({"aide": aide_name} if with_aide else {}),
            "rating": review.rating,
            "comment": review.comment,
            "created_at": iso(review.created_at),
        }
        for review, aide_name in rows
    ]


def _aide_profile(user: User) -> dict | None:
    profile = db.session.get(AideProfile, user.id)
    if profile is None:
        return None
    return {
        "bio": profile.bio,
        "skills": profile.skill_keys,
        "hourly_rate": money(profile.hourly_rate_cents, profile.currency),
        "service_area": profile.service_area,
        "languages": profile.languages,
        "verified_at": iso(profile.verified_at),
        "verification_note": profile.verification_note,
        "updated_at": iso(profile.updated_at),
    }


def _cancellations(user: User) -> list[dict]:
    rows = db.session.execute(
        select(VisitCancellation, Visit.starts_at, Visit.ends_at)
        .join(Visit, Visit.id == VisitCancellation.visit_id)
        .where(
            or_(VisitCancellation.cancelled_by_id == user.id, VisitCancellation.aide_id == user.id)
        )
        .order_by(VisitCancellation.created_at, VisitCancellation.id)
    )
    return [
        {
            "visit_id": cancellation.visit_id,
            "visit_starts_at": iso(starts_at),
            "visit_ends_at": iso(ends_at),
            "side": cancellation.side,
            "by_you": cancellation.cancelled_by_id == user.id,
            "late": cancellation.late,
            # The reason is the canceller's own words: theirs to download, not the other side's.
            "reason": cancellation.reason if cancellation.cancelled_by_id == user.id else None,
            "cancelled_at": iso(cancellation.created_at),
        }
        for cancellation, starts_at, ends_at in rows
    ]


def _views_of(user: User) -> list[dict]:
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.patient_id == user.id)
        .options(selectinload(AuditEvent.viewer))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return [
        {
            "viewer": name(event.viewer),
            "what": event.what,
            "visit_id": event.visit_id,
            "at": iso(event.at),
            "views": event.views,
            "last_at": iso(event.last_at),
        }
        for event in events
    ]


def _views_by(user: User) -> list[dict]:
    patient = aliased(User)
    rows = db.session.execute(
        select(AuditEvent, patient)
        .join(patient, patient.id == AuditEvent.patient_id)
        .where(AuditEvent.viewer_id == user.id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return [
        {
            "patient_first_name": first_name(viewed),
            "what": event.what,
            "visit_id": event.visit_id,
            "at": iso(event.at),
            "views": event.views,
            "last_at": iso(event.last_at),
        }
        for event, viewed in rows
    ]


def _vetting(user: User) -> list[dict]:
    if not user.is_admin:
        return []
    rows = db.session.execute(
        select(User.display_name, AideProfile.verified_at)
        .join(AideProfile, AideProfile.user_id == User.id)
        .where(AideProfile.verified_by_id == user.id)
        .order_by(AideProfile.verified_at)
    )
    return [{"aide": aide, "verified_at": iso(verified_at)} for aide, verified_at in rows]
