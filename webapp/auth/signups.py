"""Email-first sign-up: an account exists only once its address is proven.

The promise: the sign-up form never reveals whether an address already has an account, and
nobody gets an account with an address they cannot read. How it holds:
- every valid sign-up does the same work (hash the password, store a `pending_signup` row,
  queue one email) and ends on the same "Check your email" page. For a free address the email
  carries the confirmation link; for a taken one the owner is told someone tried, and the
  row's link is never sent, so it can never be confirmed;
- the link carries a random token, the row only its SHA-256, and it works for 24 hours;
  confirming deletes the row with a conditional DELETE (of two tabs, one wins) and creates
  the account if the address is still free. The first confirmed wins; the other sign-ups
  waiting for that address are deleted with it. A waiting sign-up blocks nothing;
- at most three sign-up emails per address an hour (counted over the rows); past that the
  page is the same and no email leaves;
- the one exception is a sign-up from a care circle invitation addressed to exactly that
  address: the invitation link already proved it, so the account is created at once.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from werkzeug.security import generate_password_hash

from webapp.auth import emails, sessions
from webapp.auth.models import SIGNUP_ROLES, PendingSignup, User
from webapp.auth.passwords import password_problem
from webapp.auth.recovery import MAX_TOKEN_LENGTH, LinkExpired
from webapp.auth.services import create_account, find_user_by_email
from webapp.errors import Conflict, DomainError, InvalidInput, NotFound
from webapp.extensions import db
from webapp.timezones import is_valid_timezone

#: How long a confirmation link works.
SIGNUP_LIFETIME = timedelta(hours=24)
#: How many sign-up emails one address gets in an hour, at most.
MAX_SIGNUP_EMAILS = 3
SIGNUP_EMAIL_WINDOW = timedelta(hours=1)

ADDRESS_TAKEN = (
    "An account already uses this address, so no new one was created. Log in with it, or "
    "choose a new password if you forgot yours."
)


class SignupGone(NotFound):
    """ "Send it again" for a sign-up that was confirmed, expired or never stored."""

    def __init__(self):
        super().__init__("That sign-up has expired or is finished. Please fill in the form again.")


@dataclass(frozen=True)
class SignupDetails:
    """What the sign-up form collected."""

    email: str
    password: str
    role: str
    display_name: str
    timezone: str
    health_data_consent: bool
    #: Where to go once the account exists: a path inside HomeStretch, already checked.
    next_url: str | None = None


@dataclass(frozen=True)
class SignupOutcome:
    """Either the account (an invitation proved the address) or the sign-up waiting for its
    link (None when the hourly limit held the email back: the page says the same)."""

    user: User | None = None
    pending_id: int | None = None


def sign_up(details: SignupDetails, now: datetime, *, invitation_token: str | None = None):
    """Start a sign-up: store it and email the address, or with a matching invitation create
    the account at once. Flush only; returns a SignupOutcome."""
    email = details.email.strip().lower()
    if details.role not in {value for value, _ in SIGNUP_ROLES}:
        raise InvalidInput("Choose how you will use HomeStretch.")
    if not is_valid_timezone(details.timezone):
        raise InvalidInput("Unknown time zone.")
    problem = password_problem(details.password)
    if problem:
        raise InvalidInput(problem)
    # The slow step runs whether or not the address is taken, so the two take equally long.
    password_hash = generate_password_hash(details.password)
    taken = find_user_by_email(email) is not None
    consent_at = now if details.role == "patient" and details.health_data_consent else None
    if not taken and invitation_token and _invitation_proves(invitation_token, email, now):
        user = create_account(
            email=email,
            password_hash=password_hash,
            role=details.role,
            display_name=details.display_name,
            timezone=details.timezone,
            health_data_consent_at=consent_at,
        )
        _forget_waiting(email)
        return SignupOutcome(user=user)
    row = PendingSignup(
        email=email,
        display_name=details.display_name.strip(),
        role=details.role,
        timezone=details.timezone,
        health_data_consent_at=consent_at,
        password_hash=password_hash,
        next_url=details.next_url if details.next_url and len(details.next_url) <= 500 else None,
    )
    return SignupOutcome(pending_id=_hold(row, taken=taken, now=now))


def send_again(pending_id: int | None, email: str, now: datetime) -> None:
    """ "Didn't get it?": the same sign-up again with a fresh link (the first one still works),
    within the same hourly limit. Flush only."""
    original = db.session.get(PendingSignup, pending_id) if pending_id else None
    if original is None or original.email != email or original.expires_at <= now:
        raise SignupGone()
    copy = PendingSignup(
        **{
            name: getattr(original, name)
            for name in (
                "email",
                "display_name",
                "role",
                "timezone",
                "health_data_consent_at",
                "password_hash",
                "next_url",
            )
        }
    )
    _hold(copy, taken=find_user_by_email(email) is not None, now=now)


def _hold(row: PendingSignup, *, taken: bool, now: datetime) -> int | None:
    """Store the sign-up with a fresh token and queue its email, unless the address had its
    three this hour; returns the row's id (None when held back)."""
    db.session.execute(delete(PendingSignup).where(PendingSignup.expires_at <= now))
    recent = db.session.scalar(
        select(func.count(PendingSignup.id)).where(
            PendingSignup.email == row.email,
            PendingSignup.created_at > now - SIGNUP_EMAIL_WINDOW,
        )
    )
    if recent >= MAX_SIGNUP_EMAILS:
        return None
    token = sessions.new_token()
    row.token_hash = sessions.hash_token(token)
    row.created_at, row.expires_at = now, now + SIGNUP_LIFETIME
    db.session.add(row)
    db.session.flush()
    if taken:
        emails.send_signup_attempt_notice(row.email, now)
    else:
        emails.send_signup_confirmation(row.email, token, now)
    return row.id


def pending_for_link(token: str, now: datetime) -> PendingSignup:
    """The sign-up behind a confirmation link, while it still works; else LinkExpired."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise LinkExpired()
    row = db.session.scalar(
        select(PendingSignup).where(PendingSignup.token_hash == sessions.hash_token(token))
    )
    if row is None or row.expires_at <= now:
        raise LinkExpired()
    return row


def confirm(token: str, now: datetime) -> tuple[User, str | None]:
    """Create the account the link confirms; returns it and where to go next. Flush only."""
    row = pending_for_link(token, now)
    taken = db.session.execute(
        delete(PendingSignup)
        .where(PendingSignup.id == row.id)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # another tab confirmed it a moment ago
        raise LinkExpired()
    try:
        user = create_account(
            email=row.email,
            password_hash=row.password_hash,
            role=row.role,
            display_name=row.display_name,
            timezone=row.timezone,
            health_data_consent_at=row.health_data_consent_at,
        )
    except Conflict as error:
        raise Conflict(ADDRESS_TAKEN) from error
    _forget_waiting(row.email)
    return user, row.next_url


def _forget_waiting(email: str) -> None:
    """The address has its account: the other sign-ups waiting for it go."""
    db.session.execute(
        delete(PendingSignup)
        .where(PendingSignup.email == email)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


def _invitation_proves(token: str, email: str, now: datetime) -> bool:
    """Whether a live care circle invitation was sent to exactly this address."""
    from webapp.circle.services import invitation_for_link

    try:
        invitation = invitation_for_link(token, now)
    except DomainError:
        return False
    return invitation.email == email


def forget(person: User) -> None:
    """Delete the sign-ups waiting for the person's address (account deletion); flush only."""
    _forget_waiting(person.email)
