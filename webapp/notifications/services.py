"""Tell people what happened: an in-app notification and, with it, an email in the outbox."""

import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from webapp.auth.models import User
from webapp.errors import InvalidInput, NotFound
from webapp.extensions import db
from webapp.notifications.messages import Message
from webapp.notifications.models import (
    KINDS,
    WHY_MARK,
    DoseWatch,
    EmailOptOut,
    Notification,
    OutboxEmail,
)

PAGE_SIZE = 20
NO_NOTIFICATION = "There is no such notification."


def notify(
    recipient: User, message: Message, now: datetime, *, dedupe_key: str | None = None
) -> Notification | None:
    """Add the notification and its email to the caller's transaction (flush only), so an
    email exists exactly when the event it reports was committed.

    With a `dedupe_key` the person gets it at most once: if they already have a notification
    with that key, nothing is added and None is returned. A unique constraint backs this, so
    two transactions racing on the same key (two workers) add it once; the loser's insert is
    undone in a savepoint and the rest of its transaction goes on.
    """
    notification = Notification(
        recipient_id=recipient.id,
        kind=message.kind,
        title=message.title,
        body=message.body,
        link=message.link,
        created_at=now,
        dedupe_key=dedupe_key,
    )
    if dedupe_key is not None:
        if _has_key(recipient, dedupe_key):
            return None
        try:
            with db.session.begin_nested():
                db.session.add(notification)
        except IntegrityError:
            return None
    else:
        db.session.add(notification)
        db.session.flush()
    if message.kind in opted_out(recipient):
        return notification
    label = dict(KINDS).get(message.kind, message.title)
    settings = current_app.config["BASE_URL"].rstrip("/") + "/notifications/settings"
    queue_email(
        recipient.email,
        message.title,
        message.body,
        why=f'You get this email because your HomeStretch email choices include "{label}". '
        f"Change them at {settings}",
        link=message.link,
        now=now,
        notification=notification,
    )
    return notification


def queue_email(
    to_address: str,
    subject: str,
    body: str,
    *,
    why: str,
    link: str,
    now: datetime,
    notification: Notification | None = None,
) -> OutboxEmail:
    """Put one email in the outbox in the caller's transaction (flush only). `subject` never
    carries health details (no medication names): it shows on lock screens."""
    email = OutboxEmail(
        notification_id=notification.id if notification else None,
        link=link,
        to_address=to_address,
        subject=f"HomeStretch: {subject}",
        text_body=f"{body}{WHY_MARK}{why}",
        message_id=f"<{secrets.token_hex(12)}@homestretch>",
        status="pending",
        attempts=0,
        next_attempt_at=now,
    )
    db.session.add(email)
    db.session.flush()
    return email


def _has_key(recipient: User, dedupe_key: str) -> bool:
    return (
        db.session.scalar(
            select(Notification.id).where(
                Notification.recipient_id == recipient.id, Notification.dedupe_key == dedupe_key
            )
        )
        is not None
    )


def notify_all(
    recipients: list[User], message: Message, now: datetime, *, dedupe_key: str | None = None
) -> None:
    """The same message to several people, each once (and, with a key, once ever)."""
    seen: set[int] = set()
    for person in recipients:
        if person.id not in seen and person.deleted_at is None:
            seen.add(person.id)
            notify(person, message, now, dedupe_key=dedupe_key)


#: Every logged-in page shows this count: built once, run per page.
_UNREAD = (
    select(func.count())
    .select_from(Notification)
    .where(Notification.recipient_id == bindparam("person_id"), Notification.read_at.is_(None))
)


def unread_count(person: User) -> int:
    """How many of the person's notifications are unread (one COUNT query)."""
    return db.session.scalar(_UNREAD, {"person_id": person.id})


#: One page of a person's notifications, newest first, as the columns the list shows (built
#: once: the person, the page size plus one and, for an older page, the id it starts before are
#: bound).
_PAGE_COLUMNS = (
    Notification.id,
    Notification.title,
    Notification.body,
    Notification.link,
    Notification.created_at,
    Notification.read_at,
)
_PAGE = (
    select(*_PAGE_COLUMNS)
    .where(Notification.recipient_id == bindparam("person_id"))
    .order_by(Notification.id.desc())
    .limit(bindparam("size"))
)
_OLDER_PAGE = _PAGE.where(Notification.id < bindparam("before_id"))


def page_for(person: User, before_id: int | None = None) -> tuple[list, int | None]:
    """The person's notifications (rows of id, title, body, link, created_at and read_at),
    newest first, 20 at a time; and the id the next page starts before (None on the last
    page)."""
    values = {"person_id": person.id, "size": PAGE_SIZE + 1}
    if before_id is None:
        rows = db.session.execute(_PAGE, values).all()
    else:
        rows = db.session.execute(_OLDER_PAGE, {**values, "before_id": before_id}).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1].id if more else None)


def mark_read(person: User, notification_id: int, now: datetime) -> Notification:
    """Mark one of the person's own notifications read; anyone else's is not found."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.recipient_id != person.id:
        raise NotFound(NO_NOTIFICATION)
    if notification.read_at is None:
        notification.read_at = now
    db.session.flush()
    return notification


def mark_all_read(person: User, now: datetime) -> None:
    """Mark every unread notification of the person read."""
    db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == person.id, Notification.read_at.is_(None))
        .values(read_at=now)
    )


def opted_out(person: User) -> set[str]:
    """The kinds of notification the person wants no email for."""
    return set(db.session.scalars(select(EmailOptOut.kind).where(EmailOptOut.user_id == person.id)))


def set_email_kinds(person: User, wanted: set[str]) -> None:
    """Email the person for exactly the `wanted` kinds (of KINDS)."""
    known = {kind for kind, _ in KINDS}
    db.session.execute(delete(EmailOptOut).where(EmailOptOut.user_id == person.id))
    for kind in sorted(known - wanted):
        db.session.add(EmailOptOut(user_id=person.id, kind=kind))
    db.session.flush()


def dose_watch_choices(person: User) -> list[tuple[User, bool]]:
    """Each patient whose circle the person coordinates, and whether they watch home doses."""
    from webapp.circle.services import circles_of

    watched = set(
        db.session.scalars(select(DoseWatch.patient_id).where(DoseWatch.user_id == person.id))
    )
    return [
        (member.patient, member.patient_id in watched)
        for member in circles_of(person)
        if member.role == "coordinator" and member.patient.deleted_at is None
    ]


def set_dose_watches(person: User, patient_ids: set[int], now: datetime) -> None:
    """Watch exactly these patients' home doses; each must be a circle the person coordinates
    (else InvalidInput and nothing changes)."""
    allowed = {patient.id for patient, _ in dose_watch_choices(person)}
    if not patient_ids <= allowed:
        raise InvalidInput("You can only watch the doses of someone whose care you coordinate.")
    current = {
        watch.patient_id: watch
        for watch in db.session.scalars(select(DoseWatch).where(DoseWatch.user_id == person.id))
    }
    for patient_id, watch in current.items():
        if patient_id not in patient_ids:
            db.session.delete(watch)
    for patient_id in sorted(patient_ids - current.keys()):
        db.session.add(DoseWatch(user_id=person.id, patient_id=patient_id, created_at=now))
    db.session.flush()


def forget(person: User) -> None:
    """Delete the person's alerts, unsent emails (they cascade) and email choices; flush only."""
    quiet = {"synchronize_session": False}
    db.session.execute(
        delete(Notification).where(Notification.recipient_id == person.id), execution_options=quiet
    )
    db.session.execute(
        delete(EmailOptOut).where(EmailOptOut.user_id == person.id), execution_options=quiet
    )
    db.session.execute(
        delete(DoseWatch).where(
            (DoseWatch.user_id == person.id) | (DoseWatch.patient_id == person.id)
        ),
        execution_options=quiet,
    )
