"""Server-side login sessions: logging out, a password change or "log out everywhere" ends them.

The promise: a session ended anywhere opens nothing anywhere, on any app server. How it holds:
each login is a `user_session` row; the browser's cookie (and Flask-Login's remember cookie)
carries only a random token, the row stores its SHA-256. Every request looks the row up by
that hash and refuses it when it is ended, idle too long or the account is deleted, so ending
a session is one UPDATE that every app server sees on its next request.
"""

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session as DbSession

from webapp.auth.models import User, UserSession
from webapp.database import utcnow, write_aside
from webapp.errors import NotFound
from webapp.extensions import db, login_manager

#: A session nobody used for this long is over ("remember me" stretches it).
IDLE_LIMIT = timedelta(hours=12)
REMEMBERED_IDLE_LIMIT = timedelta(days=30)
#: How stale `last_seen_at` may get before a request refreshes it.
TOUCH_EVERY = timedelta(minutes=5)
#: Ended sessions are kept this long (they say where the person logged in from recently).
KEEP_ENDED = timedelta(days=30)

_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def hash_token(token: str) -> str:
    """The SHA-256 (hex) stored for a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh random token for a cookie or an emailed link (256 bits)."""
    return secrets.token_urlsafe(32)


def device_label(user_agent: str | None) -> str:
    """A short, readable name for a browser: "Firefox on Windows", or "Unknown device"."""
    agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in agent), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or system
    first_word = re.match(r"[A-Za-z][\w.\-]{0,40}", agent)
    return first_word.group(0) if first_word else "Unknown device"


def is_expired(row: UserSession, now: datetime) -> bool:
    """Whether the session has been idle longer than it may be."""
    limit = REMEMBERED_IDLE_LIMIT if row.remember else IDLE_LIMIT
    return now - row.last_seen_at > limit


def start_session(
    user: User, *, remember: bool, ip_address: str, user_agent: str | None, now: datetime
) -> str:
    """Open a session for a login and return its token (also set on `user` for Flask-Login)."""
    token = secrets.token_urlsafe(32)
    row = UserSession(
        user_id=user.id,
        token_hash=hash_token(token),
        remember=remember,
        created_at=now,
        last_seen_at=now,
        device=device_label(user_agent)[:100],
        ip_address=(ip_address or "unknown")[:45],
    )
    db.session.add(row)
    # Ended and long-idle sessions of this person go as they log in again: the table stays small.
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            UserSession.last_seen_at < now - KEEP_ENDED - REMEMBERED_IDLE_LIMIT,
        )
    )
    db.session.flush()
    user.session_token, user.login_session = token, row
    return token


@cache
def _session_and_user():
    """The session, its account, the account's unread alerts (every page's header shows the
    count) and an aide's standing (the board and the aide's pages show whether they may book):
    they ride along instead of costing pages statements of their own. Every request runs it:
    built once, so a request pays only for running it."""
    # Notifications and the policy's aide profiles build on accounts.
    from webapp.notifications.models import Notification
    from webapp.policy import aide_standing_of

    unread = (
        select(func.count())
        .where(Notification.recipient_id == User.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    return (
        select(UserSession, User, unread, aide_standing_of(User.id))
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == bindparam("token_hash"))
    )


def user_for_token(token: str, now: datetime) -> User | None:
    """The account behind a live session token, or None when it is unknown, ended or expired."""
    found = db.session.execute(_session_and_user(), {"token_hash": hash_token(token)}).first()
    if found is None:
        return None
    row, user, unread, standing = found
    if row.ended_at is not None or is_expired(row, now) or user.deleted_at is not None:
        return None
    user.session_token, user.login_session, user.unread_alerts = token, row, unread
    user.aide_standing = standing or "none"
    return user


def touch(row_id: int, last_seen_at: datetime, now: datetime) -> None:
    """Note that the session is in use, at most once every few minutes, without a long write."""
    if now - last_seen_at < TOUCH_EVERY:
        return

    def _work(session: DbSession) -> None:
        session.execute(
            update(UserSession)
            .where(UserSession.id == row_id, UserSession.ended_at.is_(None))
            .values(last_seen_at=now)
        )

    write_aside(db.session, _work)


def active_sessions(user: User, now: datetime, limit: int = 50) -> list[UserSession]:
    """The person's sessions that still open the account, most recently used first."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.ended_at.is_(None),
                or_(
                    UserSession.last_seen_at >= now - IDLE_LIMIT,
                    and_(
                        UserSession.remember.is_(True),
                        UserSession.last_seen_at >= now - REMEMBERED_IDLE_LIMIT,
                    ),
                ),
            )
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
            .limit(limit)
        )
    )


def end_session(user: User, session_id: int, now: datetime) -> None:
    """End one of the person's own sessions (another device, or this one)."""
    ended = db.session.execute(
        update(UserSession)
        .where(
            UserSession.id == session_id,
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
        )
        .values(ended_at=now)
    )
    if ended.rowcount != 1:
        raise NotFound("That session has already ended.")
    db.session.flush()


def end_all_sessions(user: User, now: datetime, *, keep: UserSession | None = None) -> None:
    """End every live session of the person, except `keep` when given."""
    condition = [UserSession.user_id == user.id, UserSession.ended_at.is_(None)]
    if keep is not None:
        condition.append(UserSession.id != keep.id)
    db.session.execute(update(UserSession).where(*condition).values(ended_at=now))
    db.session.flush()


def renew_token(user: User, row: UserSession) -> str:
    """Give the current session a fresh token (after a password change) and return it."""
    token = secrets.token_urlsafe(32)
    row.token_hash = hash_token(token)
    db.session.flush()
    user.session_token, user.login_session = token, row
    return token


@login_manager.user_loader
def _load_user(token: str) -> User | None:
    """Flask-Login's way back from the cookie's session token to the account."""
    return user_for_token(token, utcnow())
