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
state; rows that go are deleted explicitly, children first. What deletion will do is counted
beforehand, for the confirmation page, in webapp.privacy.deletion_plan.
"""

import secrets
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import selectinload

from webapp.auth import recovery, sessions, signups, throttle
from webapp.auth.models import LoginFailure, User, UserSession
from webapp.calendar.models import CalendarFeed
from webapp.care.models import Medication, Precaution, RoutineItem
from webapp.circle import services as circle
from webapp.circle.models import CircleInvitation, CircleMember
from webapp.coverage import covers
from webapp.coverage.models import DayPart, FamilyCover
from webapp.errors import Conflict
from webapp.extensions import db
from webapp.homelog.models import HomeSession
from webapp.marketplace import request_services as requests
from webapp.marketplace.models import AideProfile, AssistanceRequest, PatientHome, Review
from webapp.notifications import services as notifications
from webapp.privacy.deletion_plan import DeletionPlan, _covers_ahead, _visit_ids, deletion_plan
from webapp.scheduling import services as scheduling
from webapp.scheduling.models import Visit
from webapp.visits.models import AuditEvent, MedicationLog, TaskLog, VisitLogEdit, VisitReport

DELETED_NAME = "Deleted account"


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
        covers.give_back(person, cover.patient, cover.id, now)
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
