"""Assistance-request rules: posting (with its slots), editing, cancelling, listing."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp.auth.models import User
from webapp.care.models import RoutineItem
from webapp.errors import Conflict, InvalidInput, NotFound
from webapp.extensions import db
from webapp.marketplace.models import AideProfile, AssistanceRequest, PatientHome
from webapp.scheduling import recurrence
from webapp.scheduling import services as scheduling
from webapp.scheduling.models import Visit

#: How long a request offered to one aide stays theirs alone.
OFFER_HOURS = 24
#: How far ahead the first visit of a request may be.
MAX_DAYS_AHEAD = 366

#: The one answer for a request that is missing or not the asker's: ids reveal nothing.
NO_REQUEST = "We could not find that request."


@dataclass(frozen=True)
class Home:
    """Where the visits happen."""

    street: str
    city: str
    postal_code: str
    access_notes: str | None = None


@dataclass(frozen=True)
class Schedule:
    """When: one date, or weekly on some weekdays until a date or for a number of visits."""

    first_date: date
    start_time: time
    end_time: time
    weekdays: list[int] | None = None  # None: just once
    until_date: date | None = None
    count: int | None = None


def get_home(patient: User) -> PatientHome | None:
    """The patient's saved home address, if any."""
    return db.session.get(PatientHome, patient.id)


def _save_home(patient: User, home: Home) -> PatientHome:
    record = get_home(patient) or PatientHome(patient_id=patient.id)
    record.street, record.city = home.street, home.city
    record.postal_code, record.access_notes = home.postal_code, home.access_notes
    db.session.add(record)
    return record


def verified_aides() -> list[User]:
    """Aides a request can be offered to first, by name."""
    query = (
        select(User)
        .join(AideProfile, AideProfile.user_id == User.id)
        .where(AideProfile.verified_at.is_not(None))
        .order_by(User.display_name)
    )
    return list(db.session.scalars(query))


def _own_tasks(patient: User, task_ids: list[int]) -> list[RoutineItem]:
    ids = set(task_ids)
    if not ids:
        return []
    items = list(
        db.session.scalars(
            select(RoutineItem).where(RoutineItem.id.in_(ids), RoutineItem.patient_id == patient.id)
        )
    )
    if len(items) != len(ids):
        raise InvalidInput("Pick the tasks from your own routine.")
    return items


def post_request(
    actor: User,
    patient: User,
    *,
    home: Home,
    schedule: Schedule,
    task_ids: list[int],
    includes_medications: bool,
    rate_cents: int,
    currency: str,
    notes: str | None,
    offered_to_id: int | None,
    now: datetime,
    submission_key: str | None = None,
) -> AssistanceRequest:
    """Post a request and create one open visit per occurrence.

    The same submission key twice (a double tap, a replayed post) returns the first request.
    """
    if submission_key:
        earlier = db.session.scalar(
            select(AssistanceRequest).where(
                AssistanceRequest.patient_id == patient.id,
                AssistanceRequest.submission_key == submission_key,
            )
        )
        if earlier is not None:
            return earlier
    tasks = _own_tasks(patient, task_ids)
    if not tasks and not includes_medications:
        raise InvalidInput("Pick at least one exercise, or help with medications.")
    if schedule.first_date > now.date() + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput("Pick a first visit within the next year.")
    occurrences = recurrence.expand(
        first_date=schedule.first_date,
        start_time=schedule.start_time,
        end_time=schedule.end_time,
        timezone=patient.timezone,
        weekdays=schedule.weekdays,
        until_date=schedule.until_date,
        count=schedule.count,
    )
    if occurrences[0].starts_at <= now:
        raise InvalidInput("The first visit would start in the past. Pick a later date or time.")
    offer_expires_at = None
    if offered_to_id is not None:
        if offered_to_id not in {aide.id for aide in verified_aides()}:
            raise InvalidInput("Offer the request to a verified aide from the list.")
        offer_expires_at = min(now + timedelta(hours=OFFER_HOURS), occurrences[0].starts_at)
    _save_home(patient, home)
    request = AssistanceRequest(
        patient_id=patient.id,
        created_by_id=actor.id,
        timezone=patient.timezone,
        first_date=schedule.first_date,
        start_time=schedule.start_time,
        end_time=schedule.end_time,
        repeat="once" if schedule.weekdays is None else "weekly",
        weekdays=sum(1 << day for day in set(schedule.weekdays or [])),
        until_date=occurrences[-1].starts_at.date() if schedule.weekdays is not None else None,
        rate_cents=rate_cents,
        currency=currency,
        includes_medications=includes_medications,
        notes=notes,
        offered_to_id=offered_to_id,
        offer_expires_at=offer_expires_at,
        submission_key=submission_key,
        tasks=tasks,
    )
    db.session.add(request)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same form posted twice at the same instant
        raise Conflict(
            "This request was just posted. You can find it under Your requests."
        ) from error
    scheduling.create_slots(request, occurrences)
    return request


def update_details(
    patient: User,
    request: AssistanceRequest,
    *,
    task_ids: list[int],
    includes_medications: bool,
    rate_cents: int,
    currency: str,
    notes: str | None,
) -> AssistanceRequest:
    """Change what the help is for, the rate and the notes; the slots stay as they are."""
    if request.status != "active":
        raise InvalidInput("This request is cancelled; post a new one instead.")
    tasks = _own_tasks(patient, task_ids)
    if not tasks and not includes_medications:
        raise InvalidInput("Pick at least one exercise, or help with medications.")
    request.tasks = tasks
    request.includes_medications = includes_medications
    request.rate_cents, request.currency, request.notes = rate_cents, currency, notes
    db.session.flush()
    return request


def cancel_request(actor: User, request: AssistanceRequest, now: datetime) -> list[Visit]:
    """Withdraw the whole request: open slots go away, booked ones are cancelled."""
    cancelled = scheduling.cancel_rest_of_series(actor, request, now)
    request.status = "cancelled"
    db.session.flush()
    return cancelled


def get_request(request_id: int) -> AssistanceRequest:
    """A request by id, or NotFound (the caller still asks the policy)."""
    request = db.session.get(AssistanceRequest, request_id)
    if request is None:
        raise NotFound(NO_REQUEST)
    return request


def patient_requests(patient: User) -> list[AssistanceRequest]:
    """The patient's requests, newest first, with their tasks."""
    query = (
        select(AssistanceRequest)
        .where(AssistanceRequest.patient_id == patient.id)
        .options(selectinload(AssistanceRequest.tasks))
        .order_by(AssistanceRequest.created_at.desc(), AssistanceRequest.id.desc())
    )
    return list(db.session.scalars(query))


def request_visits(request: AssistanceRequest) -> list[Visit]:
    """Every slot of a request, in time order, with the booked aide loaded."""
    query = (
        select(Visit)
        .where(Visit.request_id == request.id)
        .options(selectinload(Visit.aide))
        .order_by(Visit.starts_at)
    )
    return list(db.session.scalars(query))


def coverage_counts(requests: list[AssistanceRequest]) -> dict[int, tuple[int, int]]:
    """For each request: (booked, open or booked) slots, counted in the database in one query
    rather than by loading every slot of every request."""
    counts = {request.id: (0, 0) for request in requests}
    if not counts:
        return counts
    rows = db.session.execute(
        select(
            Visit.request_id,
            func.count(Visit.id).filter(Visit.status == "booked"),
            func.count(Visit.id),
        )
        .where(Visit.request_id.in_(list(counts)), Visit.status.in_(("open", "booked")))
        .group_by(Visit.request_id)
    )
    for request_id, booked, upcoming in rows:
        counts[request_id] = (booked, upcoming)
    return counts
