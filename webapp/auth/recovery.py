"""Forgotten passwords: a one-hour, single-use link sent to the account's address.

The promise: asking reveals nothing about who has an account, and a link opens the account at
most once, within an hour, and only while it is the newest word on the password. How it holds:
- the answer to "send me a link" is the same page whether or not the address has an account;
  both cases make the same reads, only a live account's then adds two short rows (the link
  and its email), and the email itself leaves later, from the outbox worker, so no SMTP time
  shows in the answer;
- the link carries a random token; the `password_reset` row stores only its SHA-256;
- using a link is one conditional UPDATE (`... WHERE used_at IS NULL AND expires_at > now`):
  of two tabs using it at once, exactly one sets the password. Then every other unused link of
  the account is voided (so is every link when the password or the address changes on the
  profile page), every session of the account ends, and the failed log-ins counted against
  it are cleared;
- at most three links per account an hour: more requests get the same answer and no email.
"""

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from webapp.auth import emails, sessions, throttle
from webapp.auth.models import PasswordReset, User
from webapp.auth.passwords import password_problem
from webapp.auth.services import find_user_by_email, void_reset_links
from webapp.errors import InvalidInput, NotFound
from webapp.extensions import db

#: How long an emailed reset link works.
RESET_LIFETIME = timedelta(hours=1)
#: How many reset emails one account gets in an hour, at most.
MAX_RESET_EMAILS = 3
RESET_EMAIL_WINDOW = timedelta(hours=1)
#: Rows older than this say nothing the limit needs; they go as new ones come.
KEEP_RESETS = timedelta(days=1)
#: Tokens are 43 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 100

LINK_EXPIRED = "This link has expired or was already used."


class LinkExpired(NotFound):
    """An emailed link that is unknown, used, voided or too old: all read the same."""

    title = "Link expired"

    def __init__(self):
        super().__init__(LINK_EXPIRED)


def request_password_reset(email: str, now: datetime) -> None:
    """Email a reset link when a live account uses the address (and it has not had three this
    hour); otherwise do the same reading and nothing else. Flush only."""
    user = find_user_by_email(email)
    live = user is not None and user.deleted_at is None
    if live and db.session.get_bind().dialect.name == "postgresql":
        # Parallel requests for one account count one after the other (SQLite: BEGIN IMMEDIATE).
        db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    recent = db.session.scalar(
        select(func.count(PasswordReset.id)).where(
            PasswordReset.user_id == (user.id if live else None),
            PasswordReset.created_at > now - RESET_EMAIL_WINDOW,
        )
    )
    if not live or recent >= MAX_RESET_EMAILS:
        return
    db.session.execute(
        delete(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.created_at < now - KEEP_RESETS
        )
    )
    token = sessions.new_token()
    db.session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=sessions.hash_token(token),
            created_at=now,
            expires_at=now + RESET_LIFETIME,
        )
    )
    db.session.flush()
    emails.send_reset_link(user.email, token, now)


def reset_for_link(token: str, now: datetime) -> PasswordReset:
    """The reset behind a link, while it still works; else LinkExpired."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise LinkExpired()
    found = db.session.execute(
        select(PasswordReset, User)
        .join(User, User.id == PasswordReset.user_id)
        .where(PasswordReset.token_hash == sessions.hash_token(token))
    ).first()
    if found is None:
        raise LinkExpired()
    reset, user = found
    if reset.used_at is not None or reset.expires_at <= now or user.deleted_at is not None:
        raise LinkExpired()
    return reset


def reset_password(token: str, new_password: str, now: datetime) -> User:
    """Use the link once: set the new password, void the other links, end every session of
    the account, clear its failed log-ins and tell the owner by email. Flush only."""
    reset = reset_for_link(token, now)
    problem = password_problem(new_password)
    if problem:
        raise InvalidInput(problem)
    used = db.session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.id == reset.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # another tab used it a moment ago
        raise LinkExpired()
    user = db.session.get(User, reset.user_id)
    user.set_password(new_password)
    void_reset_links(user, now)
    sessions.end_all_sessions(user, now)
    throttle.forget_account_failures(user.email)
    emails.send_password_changed(user.email, user.timezone, now)
    return user


def forget(person: User) -> None:
    """Delete the person's reset links (account deletion); flush only."""
    db.session.execute(
        delete(PasswordReset).where(PasswordReset.user_id == person.id),
        execution_options={"synchronize_session": False},
    )
    db.session.flush()
