"""Notices that come from the clock, not from someone acting: the worker's scheduled pass.

- 24 hours before a booked visit: a reminder to the aide and to the patient.
- 48 hours before an open visit that no aide booked and no relative covers: the coordinators
  (the patient, when nobody coordinates).
- 30 minutes after the start of a booked visit with no check-in: the patient and coordinators.
- A booked visit whose time ended with no check-in becomes `no_show`; the aide, the patient
  and the coordinators are told, and it counts on the aide's profile.
- An hour after a part of the day with doses due, when nothing was logged for them at home or
  at a visit: the coordinators who turned that alert on (DoseWatch).
- With card payments on: visits booked more than six days ahead are authorized once they
  come within six days (and declined ones again once a new card is saved); each decline is
  told to the patient and coordinators once per attempt; a visit whose card is still declined
  48 hours later goes back on the board (the aide and the patient's side are told); a no-show
  lets the hold go, and holds Stripe could not let go earlier are tried again.
- And tidying: sign-up and password-reset links that expired a day ago are deleted.

Each notice goes to each person at most once (Notification.dedupe_key, unique per person), so
a pass may run any number of times, and several workers may run it at once: the pass is one
write transaction, serialised by SQLite's write lock or a PostgreSQL advisory lock, and the
unique constraint backs the check.
"""

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import selectinload

from webapp.auth.models import User
from webapp.care.models import TIMES_OF_DAY, Medication
from webapp.circle.models import CircleMember
from webapp.coverage.covers import family_covered
from webapp.coverage.day_parts import day_part_times
from webapp.database import begin_write
from webapp.extensions import db
from webapp.homelog.models import HomeMedicationLog, HomeSession
from webapp.marketplace import aide_stats
from webapp.notifications import events, messages
from webapp.notifications.models import DoseWatch
from webapp.notifications.services import notify
from webapp.payments import lifecycle as payments
from webapp.payments import services as payment_services
from webapp.payments.gateway import PaymentError
from webapp.scheduling import services as scheduling
from webapp.scheduling.models import Visit
from webapp.visits.models import MedicationLog

REMINDER_AHEAD = timedelta(hours=24)
UNCOVERED_AHEAD = timedelta(hours=48)
NO_SHOW_ALERT_AFTER = timedelta(minutes=30)
DOSE_LATE_AFTER = timedelta(minutes=60)
#: Parts of the day that ended longer ago than this are not looked at (a worker that was down
#: for a day does not flood anyone with yesterday's doses).
DOSE_LOOKBACK = timedelta(hours=12)
#: Expired sign-up and reset links are deleted this long after they stopped working.
TIDY_AFTER = timedelta(days=1)
#: Arbitrary key of the PostgreSQL advisory lock that lets one pass run at a time.
_ADVISORY_LOCK_KEY = 727_002
PART_KEYS = [key for key, _ in TIMES_OF_DAY]
PART_LABELS = dict(TIMES_OF_DAY)


@dataclass
class PassReport:
    """How many notices of each sort one pass sent (people told, not visits), and how many
    card holds it made or let go."""

    reminders: int = 0
    uncovered: int = 0
    late_arrivals: int = 0
    no_shows: int = 0
    late_doses: int = 0
    #: Visits whose card was authorized in this pass.
    card_holds: int = 0
    #: People told that a card was declined.
    payment_problems: int = 0
    #: People told that a visit went back on the board because its card stayed declined.
    unpaid_reopened: int = 0
    #: Holds of missed or called-off visits let go on a later try.
    holds_released: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, field.name) for field in fields(self))

    def __str__(self) -> str:
        return ", ".join(
            f"{getattr(self, field.name)} {field.name.replace('_', ' ')}" for field in fields(self)
        )


def run_pass(now: datetime) -> PassReport:
    """One scheduled pass, committed as one transaction."""
    session = db.session
    begin_write(session)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
    report = PassReport(
        reminders=_reminders(now),
        uncovered=_uncovered(now),
        late_arrivals=_late_arrivals(now),
        no_shows=_no_shows(now),
        late_doses=_late_doses(now),
    )
    report.card_holds, report.payment_problems = _card_holds(now)
    report.unpaid_reopened = _reopen_unpaid(now)
    report.holds_released = payments.release_dropped(now)
    _tidy(now)
    session.commit()
    return report


def _tidy(now: datetime) -> None:
    """Drop sign-ups never confirmed and reset links never used, a day after they expired."""
    from webapp.auth.models import PasswordReset, PendingSignup

    for model in (PendingSignup, PasswordReset):
        db.session.execute(
            delete(model)
            .where(model.expires_at < now - TIDY_AFTER)
            .execution_options(synchronize_session=False)
        )


def coordinators(patient: User) -> list[User]:
    """The coordinators of the patient's circle, accounts loaded."""
    return list(
        db.session.scalars(
            select(User)
            .join(CircleMember, CircleMember.member_id == User.id)
            .where(CircleMember.patient_id == patient.id, CircleMember.role == "coordinator")
            .order_by(CircleMember.id)
        )
    )


def _visits(*conditions) -> list[Visit]:
    return list(
        db.session.scalars(
            select(Visit)
            .where(*conditions)
            .options(
                selectinload(Visit.request), selectinload(Visit.patient), selectinload(Visit.aide)
            )
            .order_by(Visit.starts_at, Visit.id)
        )
    )


def _count(sent) -> int:
    return sum(1 for notification in sent if notification is not None)


def _reminders(now: datetime) -> int:
    visits = _visits(
        Visit.status == "booked", Visit.starts_at > now, Visit.starts_at <= now + REMINDER_AHEAD
    )
    told = []
    for visit in visits:
        # Booked less than a day ahead: the booking alert was the reminder.
        if visit.booked_at is not None and visit.starts_at - visit.booked_at < REMINDER_AHEAD:
            continue
        key = f"reminder:visit:{visit.id}"
        for person, for_aide in ((visit.aide, True), (visit.patient, False)):
            if person is not None and person.deleted_at is None:
                message = messages.visit_reminder(visit, for_aide=for_aide)
                told.append(notify(person, message, now, dedupe_key=key))
    return _count(told)


def _uncovered(now: datetime) -> int:
    visits = _visits(
        Visit.status == "open", Visit.starts_at > now, Visit.starts_at <= now + UNCOVERED_AHEAD
    )
    covered = family_covered(visits)
    told = 0
    for visit in visits:
        if covered.get(visit.id):
            continue
        people = coordinators(visit.patient) or [visit.patient]
        told += _tell(people, messages.visit_uncovered(visit), now, f"uncovered:visit:{visit.id}")
    return told


def _late_arrivals(now: datetime) -> int:
    visits = _visits(
        Visit.status == "booked",
        Visit.starts_at <= now - NO_SHOW_ALERT_AFTER,
        Visit.ends_at > now,
    )
    told = 0
    for visit in visits:
        people = [visit.patient, *coordinators(visit.patient)]
        key = f"not-arrived:visit:{visit.id}"
        told += _tell(people, messages.aide_not_arrived(visit), now, key)
    return told


def _no_shows(now: datetime) -> int:
    visits = _visits(Visit.status == "booked", Visit.ends_at <= now)
    told = 0
    for visit in visits:
        marked = db.session.execute(
            update(Visit)
            .where(Visit.id == visit.id, Visit.status == "booked")
            .values(status="no_show")
            .execution_options(synchronize_session=False)
        )
        if marked.rowcount != 1:
            continue
        aide_stats.visit_missed(visit)  # the aide's profile counts it, in this transaction
        _let_go(visit, now)
        key = f"missed:visit:{visit.id}"
        side = [visit.patient, *coordinators(visit.patient)]
        told += _tell(side, messages.visit_missed(visit, for_aide=False), now, key)
        if visit.aide is not None:
            told += _tell([visit.aide], messages.visit_missed(visit, for_aide=True), now, key)
    return told


def _let_go(visit: Visit, now: datetime) -> None:
    """The aide did not come: nothing is charged. If Stripe cannot be reached now, a later
    pass lets the hold go (payments.release_dropped)."""
    try:
        payments.let_go(visit, now)
    except PaymentError as error:
        current_app.logger.warning("no-show visit %s keeps its hold for now: %s", visit.id, error)


# Card payments -----------------------------------------------------------------------------


def _card_holds(now: datetime) -> tuple[int, int]:
    """Authorize visits now within six days; tell the patient's side of each decline once per
    attempt. Returns (holds made, people told)."""
    tried = payment_services.authorize_due(now)
    authorized = sum(1 for payment in tried if payment.status == "authorized")
    return authorized, events.payments_failed(tried, now)


def _reopen_unpaid(now: datetime) -> int:
    """Visits whose card is still declined 48 hours on go back on the board; the aide and the
    patient's side hear. Returns how many people were told."""
    told = 0
    for visit in payments.unpaid_too_long(now):
        payment = payment_services.payment_for(visit)
        waits_on_aide = payment is not None and payment.waits_on_aide
        aide = scheduling.reopen_unpaid(visit, now)
        if aide is not None:
            told += events.unpaid_visit_reopened(visit, aide, now, aide_not_payable=waits_on_aide)
    return told


def _tell(people: list[User], message: messages.Message, now: datetime, key: str) -> int:
    sent = 0
    seen: set[int] = set()
    for person in people:
        if person.id in seen or person.deleted_at is not None:
            continue
        seen.add(person.id)
        sent += notify(person, message, now, dedupe_key=key) is not None
    return sent


# Home doses --------------------------------------------------------------------------------


def _late_doses(now: datetime) -> int:
    watches = db.session.scalars(
        select(DoseWatch)
        .join(
            CircleMember,
            (CircleMember.patient_id == DoseWatch.patient_id)
            & (CircleMember.member_id == DoseWatch.user_id)
            & (CircleMember.role == "coordinator"),
        )
        .options(selectinload(DoseWatch.user), selectinload(DoseWatch.patient))
        .order_by(DoseWatch.patient_id, DoseWatch.id)
    ).all()
    by_patient: dict[int, list[DoseWatch]] = defaultdict(list)
    for watch in watches:
        if watch.user.deleted_at is None and watch.patient.deleted_at is None:
            by_patient[watch.patient_id].append(watch)
    told = 0
    for patient_watches in by_patient.values():
        patient = patient_watches[0].patient
        for part, day, ends, names in _unlogged_parts(patient, now):
            key = f"dose-late:{patient.id}:{day.isoformat()}:{part}"
            ends_label = f"{ends:%H:%M} on {ends:%a} {ends.day} {ends:%b}"
            message = messages.home_dose_late(patient, PART_LABELS[part], ends_label, names)
            for watch in patient_watches:
                if watch.created_at < ends:
                    told += notify(watch.user, message, now, dedupe_key=key) is not None
    return told


def _unlogged_parts(patient: User, now: datetime):
    """(part, local day, local end, medication names) of each part of the day that ended
    between DOSE_LOOKBACK and an hour ago with doses due and none of them logged."""
    medications = db.session.scalars(
        select(Medication).where(Medication.patient_id == patient.id, Medication.times_of_day > 0)
    ).all()
    if not medications:
        return []
    zone = ZoneInfo(patient.timezone)
    times = day_part_times(patient)
    latest = now - DOSE_LATE_AFTER
    today = now.astimezone(zone).date()
    found = []
    for day in (today - timedelta(days=1), today):
        for index, part in enumerate(PART_KEYS):
            due = [m for m in medications if m.times_of_day & (1 << index)]
            starts = _local(day, times[part].starts_at, zone)
            ends = _local(day, times[part].ends_at, zone)
            if (
                due
                and latest - DOSE_LOOKBACK < ends <= latest
                and not _logged(patient, due, day, part, starts, ends, zone)
            ):
                found.append((part, day, ends, [m.name for m in due]))
    return found


def _local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)


def _logged(patient, due, day, part, starts, ends, zone) -> bool:
    """Whether any of the part's doses was written down, at home or at a visit that day."""
    ids = [medication.id for medication in due]
    day_start, day_end = _local(day, time(), zone), _local(day + timedelta(days=1), time(), zone)
    at_home = db.session.scalar(
        select(HomeMedicationLog.id)
        .join(HomeSession, HomeSession.id == HomeMedicationLog.session_id)
        .where(
            HomeSession.patient_id == patient.id,
            HomeSession.part_of_day == part,
            HomeSession.done_at >= day_start,
            HomeSession.done_at < day_end,
            HomeMedicationLog.medication_id.in_(ids),
        )
        .limit(1)
    )
    if at_home is not None:
        return True
    at_visit = db.session.scalar(
        select(MedicationLog.id)
        .join(Visit, Visit.id == MedicationLog.visit_id)
        .where(
            Visit.patient_id == patient.id,
            Visit.starts_at < ends + DOSE_LATE_AFTER,
            Visit.ends_at > starts - DOSE_LATE_AFTER,
            MedicationLog.medication_id.in_(ids),
        )
        .limit(1)
    )
    return at_visit is not None
