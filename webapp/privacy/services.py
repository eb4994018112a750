"""Deleting an account: what goes, what stays for other people, and doing it all at once.

The promise: after deletion nothing identifies the person and none of their health data is
left, yet nobody else's record breaks. Future visits are called off through the normal
scheduling rules (a patient's are cancelled and their requests closed, their card holds let
go without a late fee; an aide's booked visits go back to the board); the care plan, home
address, pain scores, notes, task and medication logs, log edits, sessions logged at home and
the audit rows about them are deleted; a relative's covers ahead are given back and calendar
links stop; what other people need (an aide's past visits, reviews, later payments) stays,
tied to an account renamed "Deleted account" with an unusable email and password.

How it holds: once the password is checked, the route starts the write transaction
(webapp.database.begin_write) before anything is read for the change, so on SQLite the write
lock is held throughout, and on PostgreSQL the person's row (and for the
last-admin rule, every admin row) is locked before anything is read. The user row itself is
never deleted, so no foreign key (several have no ON DELETE rule) can leave a half-written
state; rows that go are deleted explicitly, children first.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

from webapp.auth import recovery, sessions, signups, throttle
from webapp.auth.models import LoginFailure, User, UserSession
from webapp.calendar.models import CalendarFeed
from webapp.care.models import Medication, Precaution, RoutineItem
from webapp.circle import services as circle
from webapp.circle.models import CircleInvitation, CircleMember
from webapp.coverage import services as coverage
from webapp.coverage.models import DayPart, FamilyCover
from webapp.errors import Conflict
from webapp.extensions import db
from webapp.homelog.models import HomeSession
from webapp.marketplace import request_services as requests
from webapp.marketplace.models import AideProfile, AssistanceRequest, PatientHome, Review
from webapp.notifications import services as notifications
from webapp.scheduling import services as scheduling
from webapp.scheduling.models import Visit
from webapp.visits.models import AuditEvent, MedicationLog, TaskLog, VisitLogEdit, VisitReport

DELETED_NAME = "Deleted account"
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


def _lock(person: User) -> None:
    """On PostgreSQL, hold the person's row (and the admins', for the last-admin rule)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite: begin_write already holds the one write lock
    db.session.execute(select(User.id).where(User.id == person.id).with_for_update())
    if person.is_admin:
        db.session.execute(
            select(User.id).where(User.role == "admin").order_by(User.id).with_for_update()
        )


def delete_account(person: User, now: datetime) -> DeletionPlan:
    """Cancel what is ahead, delete the health data, anonymise the account; flush only.

    The caller has started the write transaction and re-checked the password.
    """
    _lock(person)
    if person.deleted_at is not None:
        raise Conflict("This account has already been deleted.")
    plan = deletion_plan(person, now)
    if plan.blocker:
        raise Conflict(plan.blocker)
    if person.is_patient:
        _release_holds(person, now)
        _close_requests(person, now)
        _delete_health_data(person)
    if person.is_aide:
        _give_back_visits(person, now)
    _leave_circles(person, now)
    _leave_family_side(person, now)
    _end_sessions(person, now)
    notifications.forget(person)
    recovery.forget(person)  # reset links
    signups.forget(person)  # sign-ups waiting for the address (before it is anonymised)
    _anonymise(person, now)
    return plan


def _release_holds(patient: User, now: datetime) -> None:
    """Card holds on future visits are let go first, so closing the requests below charges no
    late-cancellation fee: the account is going, not calling a visit off late."""
    from webapp.payments import lifecycle as payments  # payments builds on scheduling

    ahead = db.session.scalars(
        select(Visit)
        .where(
            Visit.patient_id == patient.id,
            Visit.status.in_(("open", "booked")),
            Visit.starts_at > now,
        )
        .order_by(Visit.starts_at)
    ).all()
    for visit in ahead:
        payments.let_go(visit, now)


def _close_requests(patient: User, now: datetime) -> None:
    """Every active request is withdrawn: future slots cancelled, their aides see it."""
    active = db.session.scalars(
        select(AssistanceRequest)
        .where(AssistanceRequest.patient_id == patient.id, AssistanceRequest.status == "active")
        .order_by(AssistanceRequest.id)
    ).all()
    for request in active:
        requests.cancel_request(patient, request, now)
    # A cancelled request can still hold a future slot (cancelled one by one earlier).
    leftover = db.session.scalars(
        select(Visit)
        .where(
            Visit.patient_id == patient.id,
            Visit.status.in_(("open", "booked")),
            Visit.starts_at > now,
        )
        .order_by(Visit.starts_at)
    ).all()
    for visit in leftover:
        scheduling.cancel_by_patient(patient, visit, now)


def _delete_health_data(patient: User) -> None:
    """The care plan, the address, pain, notes, logs and who-saw-what; children first."""
    visits = _visit_ids(Visit.patient_id, patient)
    quiet = {"synchronize_session": False}
    for model in (TaskLog, MedicationLog, VisitLogEdit):
        db.session.execute(delete(model).where(model.visit_id.in_(visits)), execution_options=quiet)
    # The check-in and check-out times stay: they are the aide's record of the work done.
    db.session.execute(
        update(VisitReport)
        .where(VisitReport.visit_id.in_(visits))
        .values(pain_before=None, pain_after=None, notes=None, safety_flag=False),
        execution_options=quiet,
    )
    # Home sessions take their task and medication logs with them (ON DELETE CASCADE).
    for model in (
        RoutineItem,
        Medication,
        Precaution,
        AuditEvent,
        CircleMember,
        CircleInvitation,
        HomeSession,
        DayPart,
        FamilyCover,
        CalendarFeed,
    ):
        db.session.execute(
            delete(model).where(model.patient_id == patient.id), execution_options=quiet
        )
    db.session.execute(
        delete(PatientHome).where(PatientHome.patient_id == patient.id), execution_options=quiet
    )
    db.session.execute(
        update(AssistanceRequest)
        .where(AssistanceRequest.patient_id == patient.id)
        .values(notes=None, status="cancelled"),
        execution_options=quiet,
    )
    # The aide keeps the rating; the words were the patient's.
    db.session.execute(
        update(Review).where(Review.patient_id == patient.id).values(comment=None),
        execution_options=quiet,
    )


def _give_back_visits(aide: User, now: datetime) -> None:
    """Booked future visits reopen on the board; the profile and first offers go."""
    booked = db.session.scalars(
        select(Visit)
        .where(Visit.aide_id == aide.id, Visit.status == "booked", Visit.starts_at > now)
        .order_by(Visit.starts_at)
    ).all()
    for visit in booked:
        scheduling.cancel_by_aide(aide, visit, now, reason="The aide closed their account.")
    quiet = {"synchronize_session": False}
    db.session.execute(
        update(AssistanceRequest)
        .where(AssistanceRequest.offered_to_id == aide.id)
        .values(offered_to_id=None, offer_expires_at=None),
        execution_options=quiet,
    )
    db.session.execute(
        delete(AideProfile).where(AideProfile.user_id == aide.id), execution_options=quiet
    )


def _leave_circles(person: User, now: datetime) -> None:
    """Out of every circle; invitations naming the person's email no longer carry it."""
    patient_ids = db.session.scalars(
        select(CircleMember.patient_id).where(CircleMember.member_id == person.id)
    ).all()
    for patient_id in patient_ids:
        circle.leave(person, patient_id)
    quiet = {"synchronize_session": False}
    to_them = (CircleInvitation.accepted_by_id == person.id) | (
        CircleInvitation.email == person.email
    )
    # A link still waiting for them stops working, so nobody else can join with it.
    db.session.execute(
        update(CircleInvitation)
        .where(
            to_them,
            CircleInvitation.accepted_at.is_(None),
            CircleInvitation.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=now),
        execution_options=quiet,
    )
    db.session.execute(
        update(CircleInvitation)
        .where(to_them)
        .values(email=f"deleted-{person.id}@deleted.invalid"),
        execution_options=quiet,
    )


def _leave_family_side(person: User, now: datetime) -> None:
    """Covers ahead go back to the patient; calendar links stop; past records lose the name."""
    ahead = db.session.scalars(
        select(FamilyCover)
        .where(FamilyCover.id.in_(_covers_ahead(person, now)))
        .options(selectinload(FamilyCover.patient))
        .order_by(FamilyCover.window_starts_at)
    ).all()
    for cover in ahead:
        coverage.give_back(person, cover.patient, cover.id, now)
    quiet = {"synchronize_session": False}
    db.session.execute(
        delete(CalendarFeed).where(CalendarFeed.owner_id == person.id), execution_options=quiet
    )
    # What they wrote down for a patient stays the patient's; only the link to them goes.
    db.session.execute(
        update(HomeSession)
        .where(HomeSession.recorded_by_id == person.id)
        .values(recorded_by_id=None),
        execution_options=quiet,
    )


def _end_sessions(person: User, now: datetime) -> None:
    """Every device is logged out; the rows go too, since they hold addresses and devices."""
    sessions.end_all_sessions(person, now)
    quiet = {"synchronize_session": False}
    db.session.execute(
        delete(UserSession).where(UserSession.user_id == person.id), execution_options=quiet
    )
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.account_key == throttle.account_key(person.email)),
        execution_options=quiet,
    )


def _anonymise(person: User, now: datetime) -> None:
    """Nothing left that names or reaches the person, and no way to log in."""
    person.display_name = DELETED_NAME
    person.email = f"deleted-{person.id}@deleted.invalid"
    person.phone = None
    person.health_data_consent_at = None
    person.set_password(secrets.token_urlsafe(48))  # random, never shown: nobody knows it
    person.deleted_at = now
    db.session.flush()
