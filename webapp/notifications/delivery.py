"""Deliver the outbox: claim due emails, send them by SMTP (or write files), record the result.

Claiming marks rows "sending" in a short committed transaction (PostgreSQL skips rows another
worker holds; SQLite takes the write lock first), so two workers never take the same row. A
worker that crashes between sending and marking leaves the row "sending"; after
RECLAIM_AFTER it is taken again, so the worst case is one duplicate email, and since the
Message-ID never changes, mail clients can drop the copy.
"""

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

from flask import current_app
from sqlalchemy import or_, select

from webapp.database import begin_write, utcnow
from webapp.extensions import db
from webapp.notifications.models import WHY_MARK, OutboxEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
RECLAIM_AFTER = timedelta(minutes=10)
BATCH = 20
REDACTED = "(The text of this email was removed once it was sent: it carried a private link.)"


class BadAddress(Exception):
    """The address can never receive mail; retrying would not help."""


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the first, second, third ... failure."""
    return timedelta(minutes=2 ** (attempts - 1))


def claim(now: datetime, limit: int = BATCH) -> list[int]:
    """Take up to `limit` due emails for this worker and commit the claim."""
    session = db.session
    begin_write(session)
    due = or_(
        (OutboxEmail.status == "pending") & (OutboxEmail.next_attempt_at <= now),
        (OutboxEmail.status == "sending") & (OutboxEmail.claimed_at <= now - RECLAIM_AFTER),
    )
    query = select(OutboxEmail).where(due).order_by(OutboxEmail.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(session.scalars(query))
    for row in rows:
        row.status = "sending"
        row.claimed_at = now
    ids = [row.id for row in rows]
    session.commit()
    return ids


def build_message(row: OutboxEmail) -> EmailMessage:
    """The email: plain text saying why it was sent, with an absolute link."""
    config = current_app.config
    link = config["BASE_URL"].rstrip("/") + row.link
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    # The body ends with why it was sent (written with the row); the link goes before that.
    text, _, why = row.text_body.partition(WHY_MARK)
    message.set_content(f"{text.rstrip()}\n\nSee it in HomeStretch: {link}\n\n{why.strip()}\n")
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    return message


def check_address(address: str) -> None:
    """Refuse an address no mail server could deliver to."""
    _, parsed = parseaddr(address)
    local, _, domain = parsed.partition("@")
    if parsed != address or not local or "." not in domain or any(c.isspace() for c in address):
        raise BadAddress(f"malformed address: {address!r}")


def transmit(message: EmailMessage) -> None:
    """Send by SMTP, or without SMTP_HOST write an .eml file under instance/mail/."""
    config = current_app.config
    if not config.get("SMTP_HOST"):
        folder = Path(current_app.instance_path) / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("@", "_") + ".eml"
        (folder / name).write_bytes(bytes(message))
        log.info("email to %s written to %s", message["To"], folder / name)
        return
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(message)


def deliver(email_id: int) -> str:
    """Send one claimed email and record the outcome; returns its new status."""
    session = db.session
    row = session.get(OutboxEmail, email_id)
    try:
        check_address(row.to_address)
        transmit(build_message(row))
    except BadAddress as error:
        _finish(email_id, "failed", str(error))
    except Exception as error:  # a server refusing, down or timing out: try again later
        log.exception("sending email %s failed", email_id)
        _finish(email_id, "retry", f"{type(error).__name__}: {error}")
    else:
        _finish(email_id, "sent", None)
    return session.get(OutboxEmail, email_id).status


def _finish(email_id: int, outcome: str, error: str | None) -> None:
    session = db.session
    session.rollback()
    begin_write(session)
    row = session.get(OutboxEmail, email_id)
    now = utcnow()
    row.attempts += 1
    row.claimed_at = None
    if outcome == "sent":
        row.status, row.sent_at, row.last_error = "sent", now, None
        _redact(row)
    elif outcome == "failed" or row.attempts >= MAX_ATTEMPTS:
        row.status, row.last_error = "failed", error
        _redact(row)
        log.warning("email %s failed for good: %s", email_id, error)
    else:
        row.status, row.last_error = "pending", error
        row.next_attempt_at = now + backoff(row.attempts)
        log.info("email %s will be retried: %s", email_id, error)
    session.commit()


def _redact(row: OutboxEmail) -> None:
    """Account emails (invitations, password resets, sign-up links) carry single-use links;
    once sent (or given up) their text is dropped, so the table never holds a live token."""
    if row.notification_id is None:
        row.text_body = REDACTED
        row.link = "/"


def run_once(now: datetime | None = None) -> int:
    """Deliver every email due now; returns how many were attempted."""
    ids = claim(now or utcnow())
    for email_id in ids:
        deliver(email_id)
    return len(ids)
