"""What deleting an account will do, counted before anything changes: the visits called off
or given back, the health data that goes, what stays for other people, and what stops the
deletion for now (a visit under way, the last administrator)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from webapp.auth.models import User
from webapp.care.models import Medication, Precaution, RoutineItem
from webapp.circle.models import CircleMember
from webapp.coverage.models import FamilyCover
from webapp.extensions import db
from webapp.homelog.models import HomeSession
from webapp.marketplace.models import AideProfile, AssistanceRequest, PatientHome, Review
from webapp.scheduling.models import Visit
from webapp.visits.models import AuditEvent, MedicationLog, TaskLog, VisitReport

#: Past visits that happened or were held by someone: the other side's record of them.
KEPT_STATUSES = ("completed", "checked_in", "no_show")


@dataclass(frozen=True)
class DeletionPlan:
    """What deleting this account will do, in numbers the confirmation page shows."""

    role: str
    #: Patient: future open or booked visits that will be cancelled.
    visits_cancelled: int = 0
    #: Patient: of those, how many an aide had booked (the aide sees them cancelled).
    aides_affected: int = 0
    requests_closed: int = 0
    #: Aide: booked future visits given back to the board as open slots.
    slots_reopened: int = 0
    routine_items: int = 0
    medications: int = 0
    precautions: int = 0
    pain_scores: int = 0
    visit_logs: int = 0
    audit_events: int = 0
    has_home: bool = False
    has_aide_profile: bool = False
    #: Patient: people in their care circle, who lose access.
    circle_members: int = 0
    #: Care circles this person belongs to and leaves.
    circles_left: int = 0
    #: Patient: routine sessions logged at home, with their pain scores.
    home_sessions: int = 0
    #: Family: care windows ahead they promised to cover, given back to the patient.
    covers_released: int = 0
    #: Visits the other side needs, kept without this person's details.
    visits_kept: int = 0
    reviews_kept: int = 0
    #: A visit is under way right now; it has to end first.
    visit_in_progress: bool = False
    last_admin: bool = False

    @property
    def blocker(self) -> str | None:
        """Why the account cannot be deleted right now, in the person's words, or None."""
        if self.last_admin:
            return (
                "You are the last administrator, so this account cannot be deleted here. "
                "Make another administrator first (flask users create-admin), then try again."
            )
        if self.visit_in_progress:
            return (
                "A visit is under way right now. You can delete your account once it has "
                "ended and the aide has checked out."
            )
        return None


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _visit_ids(column, person: User):
    return select(Visit.id).where(column == person.id)


def deletion_plan(person: User, now: datetime) -> DeletionPlan:
    """Count what deletion would cancel, delete and keep for this person."""
    running = _count(
        select(Visit.id).where(
            (Visit.patient_id == person.id) | (Visit.aide_id == person.id),
            Visit.status == "checked_in",
            Visit.ends_at > now,
        )
    )
    common = {
        "role": person.role,
        "visit_in_progress": running > 0,
        "last_admin": person.is_admin and _other_admins(person) == 0,
        "circles_left": _count(select(CircleMember.id).where(CircleMember.member_id == person.id)),
        "covers_released": _count(_covers_ahead(person, now)),
    }
    if person.is_patient:
        return _patient_plan(person, now, common)
    if person.is_aide:
        return _aide_plan(person, now, common)
    return DeletionPlan(**common)


def _patient_plan(person: User, now: datetime, common: dict) -> DeletionPlan:
    future = select(Visit.id).where(
        Visit.patient_id == person.id,
        Visit.status.in_(("open", "booked")),
        Visit.starts_at > now,
    )
    visits = _visit_ids(Visit.patient_id, person)
    return DeletionPlan(
        **common,
        visits_cancelled=_count(future),
        aides_affected=_count(future.where(Visit.status == "booked")),
        requests_closed=_count(
            select(AssistanceRequest.id).where(
                AssistanceRequest.patient_id == person.id, AssistanceRequest.status == "active"
            )
        ),
        routine_items=_count(select(RoutineItem.id).where(RoutineItem.patient_id == person.id)),
        medications=_count(select(Medication.id).where(Medication.patient_id == person.id)),
        precautions=_count(select(Precaution.id).where(Precaution.patient_id == person.id)),
        pain_scores=_count(
            select(VisitReport.visit_id).where(
                VisitReport.visit_id.in_(visits),
                VisitReport.pain_before.is_not(None) | VisitReport.pain_after.is_not(None),
            )
        ),
        visit_logs=_count(select(TaskLog.id).where(TaskLog.visit_id.in_(visits)))
        + _count(select(MedicationLog.id).where(MedicationLog.visit_id.in_(visits))),
        audit_events=_count(select(AuditEvent.id).where(AuditEvent.patient_id == person.id)),
        home_sessions=_count(select(HomeSession.id).where(HomeSession.patient_id == person.id)),
        has_home=db.session.get(PatientHome, person.id) is not None,
        circle_members=_count(select(CircleMember.id).where(CircleMember.patient_id == person.id)),
        visits_kept=_count(
            select(Visit.id).where(
                Visit.patient_id == person.id,
                Visit.status.in_(KEPT_STATUSES),
            )
        ),
        reviews_kept=_count(select(Review.id).where(Review.patient_id == person.id)),
    )


def _covers_ahead(person: User, now: datetime):
    return select(FamilyCover.id).where(
        FamilyCover.member_id == person.id,
        FamilyCover.released_at.is_(None),
        FamilyCover.window_starts_at > now,
    )


def _aide_plan(person: User, now: datetime, common: dict) -> DeletionPlan:
    return DeletionPlan(
        **common,
        slots_reopened=_count(
            select(Visit.id).where(
                Visit.aide_id == person.id, Visit.status == "booked", Visit.starts_at > now
            )
        ),
        has_aide_profile=db.session.get(AideProfile, person.id) is not None,
        visits_kept=_count(
            select(Visit.id).where(Visit.aide_id == person.id, Visit.status.in_(KEPT_STATUSES))
        ),
        reviews_kept=_count(select(Review.id).where(Review.aide_id == person.id)),
    )


def _other_admins(person: User) -> int:
    return _count(
        select(User.id).where(User.role == "admin", User.deleted_at.is_(None), User.id != person.id)
    )
