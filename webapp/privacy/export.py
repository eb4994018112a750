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

from collections import defaultdict
from datetime import UTC, date, datetime, time

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, selectinload

from webapp.auth import throttle
from webapp.auth.models import LoginFailure, User, UserSession
from webapp.care.catalogue import get_exercise
from webapp.care.models import WEEKDAYS, Medication, Precaution, RoutineItem, bits_to_list
from webapp.circle.models import CircleInvitation, CircleMember
from webapp.extensions import db
from webapp.marketplace.models import AideProfile, AssistanceRequest, PatientHome, Review
from webapp.scheduling.models import Visit, VisitCancellation
from webapp.visits.models import AuditEvent, MedicationLog, TaskLog, VisitLogEdit, VisitReport

FORMAT = {"name": "homestretch-export", "version": 1}


def iso(moment: datetime | date | time | None) -> str | None:
    """ISO 8601; datetimes in UTC with a Z."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(moment, time):
        return moment.isoformat(timespec="minutes")
    return moment.isoformat()


def money(cents: int, currency: str) -> dict:
    """Integer cents with the currency code."""
    return {"amount_cents": cents, "currency": currency}


def first_name(person: User | None) -> str | None:
    """What an aide knows to call a patient by; nothing for a deleted account."""
    if person is None or person.deleted_at is not None:
        return None
    parts = person.display_name.split()
    return parts[0] if parts else None


def name(person: User | None) -> str | None:
    """The display name of the other person on a record."""
    return person.display_name if person is not None else None


def _exercise_name(slug: str) -> str:
    exercise = get_exercise(slug)
    return exercise.name if exercise else slug


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
        "requests": _requests(user),
        "requests_you_posted_for_others": _posted_for_others(user),
        "visits_as_patient": _patient_visits(user),
        "reviews_given": _reviews(Review.patient_id == user.id, with_aide=True),
        "aide_profile": _aide_profile(user),
        "visits_as_aide": _aide_visits(user, now),
        "reviews_received": _reviews(Review.aide_id == user.id, with_aide=False),
        "cancellations": _cancellations(user),
        "audit": {
            "views_of_your_health_data": _views_of(user),
            "health_data_you_viewed": _views_by(user),
        },
        "aides_you_verified": _vetting(user),
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
                "exercise_name": _exercise_name(item.exercise_slug),
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


def _by_visit(rows) -> dict[int, list]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row[0].visit_id].append(row)
    return grouped


def _patient_visits(user: User) -> list[dict]:
    mine = Visit.patient_id == user.id
    visits = db.session.scalars(
        select(Visit).where(mine).options(selectinload(Visit.aide)).order_by(Visit.starts_at)
    ).all()
    if not visits:
        return []
    reports = {
        report.visit_id: report
        for report in db.session.scalars(select(VisitReport).join(Visit).where(mine))
    }
    recorder = aliased(User)
    tasks = _by_visit(
        db.session.execute(
            select(TaskLog, recorder.display_name)
            .join(Visit, Visit.id == TaskLog.visit_id)
            .join(recorder, recorder.id == TaskLog.recorded_by_id)
            .where(mine)
            .order_by(TaskLog.id)
        )
    )
    medications = _by_visit(
        db.session.execute(
            select(MedicationLog, recorder.display_name)
            .join(Visit, Visit.id == MedicationLog.visit_id)
            .join(recorder, recorder.id == MedicationLog.recorded_by_id)
            .where(mine)
            .order_by(MedicationLog.id)
        )
    )
    edits = _by_visit(
        db.session.execute(
            select(VisitLogEdit, recorder.display_name)
            .join(Visit, Visit.id == VisitLogEdit.visit_id)
            .join(recorder, recorder.id == VisitLogEdit.editor_id)
            .where(mine)
            .order_by(VisitLogEdit.edited_at, VisitLogEdit.id)
        )
    )
    return [
        {
            **_visit_times(visit),
            "request_id": visit.request_id,
            "aide": name(visit.aide),
            "cancelled_late": visit.cancelled_late,
            "report": _full_report(reports.get(visit.id)),
            "tasks": [
                {
                    "exercise": log.exercise_slug,
                    "exercise_name": _exercise_name(log.exercise_slug),
                    "status": log.status,
                    "reason": log.reason,
                    "reason_note": log.reason_note,
                    "sets_done": log.sets_done,
                    "recorded_by": recorded_by,
                    "recorded_at": iso(log.recorded_at),
                }
                for log, recorded_by in tasks[visit.id]
            ],
            "medications": [
                {
                    "name": log.name,
                    "dose": log.dose,
                    "outcome": log.outcome,
                    "given_at": iso(log.given_at),
                    "recorded_by": recorded_by,
                    "recorded_at": iso(log.recorded_at),
                }
                for log, recorded_by in medications[visit.id]
            ],
            "log_edits": [
                {
                    "field": edit.field,
                    "old_value": edit.old_value,
                    "new_value": edit.new_value,
                    "edited_by": editor,
                    "edited_at": iso(edit.edited_at),
                }
                for edit, editor in edits[visit.id]
            ],
        }
        for visit in visits
    ]


def _visit_times(visit: Visit) -> dict:
    return {
        "id": visit.id,
        "starts_at": iso(visit.starts_at),
        "ends_at": iso(visit.ends_at),
        "status": visit.status,
        "booked_at": iso(visit.booked_at),
        "cancelled_at": iso(visit.cancelled_at),
    }


def _full_report(report: VisitReport | None) -> dict | None:
    if report is None:
        return None
    return {
        "checked_in_at": iso(report.checked_in_at),
        "checked_out_at": iso(report.checked_out_at),
        "pain_before": report.pain_before,
        "pain_after": report.pain_after,
        "notes": report.notes,
        "safety_flag": report.safety_flag,
    }


def _aide_visits(user: User, now: datetime) -> list[dict]:
    held = Visit.aide_id == user.id
    visits = db.session.scalars(
        select(Visit)
        .where(held)
        .options(selectinload(Visit.patient), selectinload(Visit.request))
        .order_by(Visit.starts_at)
    ).all()
    if not visits:
        return []
    areas = dict(
        db.session.execute(
            select(PatientHome.patient_id, PatientHome.city + " " + PatientHome.postal_code).where(
                PatientHome.patient_id.in_(select(Visit.patient_id).where(held))
            )
        ).all()
    )
    times = {
        visit_id: (checked_in, checked_out)
        for visit_id, checked_in, checked_out in db.session.execute(
            select(VisitReport.visit_id, VisitReport.checked_in_at, VisitReport.checked_out_at)
            .join(Visit)
            .where(held)
        )
    }
    own = TaskLog.recorded_by_id == user.id
    tasks = _by_visit(db.session.execute(select(TaskLog).where(own).order_by(TaskLog.id)))
    given = MedicationLog.recorded_by_id == user.id
    medications = _by_visit(
        db.session.execute(select(MedicationLog).where(given).order_by(MedicationLog.id))
    )
    edits = _by_visit(
        db.session.execute(
            select(VisitLogEdit)
            .where(VisitLogEdit.editor_id == user.id)
            .order_by(VisitLogEdit.edited_at, VisitLogEdit.id)
        )
    )
    result = []
    for visit in visits:
        checked_in, checked_out = times.get(visit.id, (None, None))
        result.append(
            {
                **_visit_times(visit),
                "patient_first_name": first_name(visit.patient),
                "area": areas.get(visit.patient_id),
                "rate": money(visit.request.rate_cents, visit.request.currency),
                "checked_in_at": iso(checked_in),
                "checked_out_at": iso(checked_out),
                # The aide's own entries; the patient's reasons, pain and medicines stay out.
                "tasks_you_logged": [
                    {
                        "exercise": log.exercise_slug,
                        "status": log.status,
                        "sets_done": log.sets_done,
                        "recorded_at": iso(log.recorded_at),
                    }
                    for (log,) in tasks[visit.id]
                ],
                "medication_entries_you_logged": [
                    {"outcome": log.outcome, "recorded_at": iso(log.recorded_at)}
                    for (log,) in medications[visit.id]
                ],
                "log_edits_you_made": [
                    {"field": edit.field.split(":")[0], "edited_at": iso(edit.edited_at)}
                    for (edit,) in edits[visit.id]
                ],
            }
        )
    return result


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
