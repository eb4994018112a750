"""Account rules: registering, logging in, editing profiles, changing email and password."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.auth import sessions, throttle
from webapp.auth.models import ROLES, PasswordReset, User
from webapp.auth.passwords import password_problem
from webapp.errors import Conflict, InvalidInput
from webapp.extensions import db
from webapp.timezones import is_valid_timezone

# Compared against when the account does not exist, so a wrong email costs as long as
# a wrong password and the response time does not reveal who has an account.
_DUMMY_HASH = generate_password_hash("homestretch-dummy-password")
EMAIL_TAKEN = "An account with this email already exists. Try logging in instead."


def find_user_by_email(email: str) -> User | None:
    """The account with this email, in any letter case."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def register_user(
    *,
    email: str,
    password: str,
    role: str,
    display_name: str,
    timezone: str,
    phone: str | None = None,
    health_data_consent_at: datetime | None = None,
) -> User:
    """Create an account; a patient also gets the default list of activities to avoid."""
    problem = password_problem(password)
    if problem:
        raise InvalidInput(problem)
    return create_account(
        email=email,
        password_hash=generate_password_hash(password),
        role=role,
        display_name=display_name,
        timezone=timezone,
        phone=phone,
        health_data_consent_at=health_data_consent_at,
    )


def create_account(
    *,
    email: str,
    password_hash: str,
    role: str,
    display_name: str,
    timezone: str,
    phone: str | None = None,
    health_data_consent_at: datetime | None = None,
) -> User:
    """Create an account from a password hashed earlier (a confirmed sign-up keeps only that)."""
    from webapp.care.services import start_care_plan

    email = email.strip().lower()
    if role not in ROLES:
        raise InvalidInput("Unknown role.")
    if not is_valid_timezone(timezone):
        raise InvalidInput("Unknown time zone.")
    if find_user_by_email(email) is not None:
        raise Conflict(EMAIL_TAKEN)
    user = User(
        email=email,
        password_hash=password_hash,
        role=role,
        display_name=display_name.strip(),
        timezone=timezone,
        phone=phone,
        health_data_consent_at=health_data_consent_at if role == "patient" else None,
    )
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as error:  # two sign-ups with one email at the same moment
        raise Conflict(EMAIL_TAKEN) from error
    if user.is_patient:
        start_care_plan(user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The account when email and password match, else None (same cost either way)."""
    user = find_user_by_email(email)
    if user is None or user.deleted_at is not None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if user.check_password(password) else None


def check_login(
    email: str, password: str, *, address: str, limits: throttle.LoginLimits, now: datetime
) -> User | None:
    """Refuse a throttled attempt unchecked, else verify the password (read-only, no lock)."""
    throttle.check_not_throttled(email, address, limits, now)
    return authenticate(email, password)


def settle_login(
    user: User | None,
    email: str,
    *,
    address: str,
    user_agent: str | None,
    remember: bool,
    limits: throttle.LoginLimits,
    now: datetime,
) -> str | None:
    """In the write transaction: count a failure, or start a session and return its token.

    The limits are checked again under the lock, so parallel guesses that all passed the first
    check cannot overshoot; past the limit even the right password gets "too many attempts".
    """
    throttle.serialise_attempts()
    throttle.check_not_throttled(email, address, limits, now)
    if user is None:
        throttle.record_failure(email, address, limits, now)
        return None
    throttle.forget_failures(email, address)
    return sessions.start_session(
        user, remember=remember, ip_address=address, user_agent=user_agent, now=now
    )


def update_profile(user: User, *, display_name: str, phone: str | None, timezone: str) -> User:
    """Change a person's name, phone and time zone."""
    if not is_valid_timezone(timezone):
        raise InvalidInput("Unknown time zone.")
    if not display_name.strip():
        raise InvalidInput("Tell us what to call you.")
    user.display_name = display_name.strip()
    user.phone = phone
    user.timezone = timezone
    db.session.flush()
    return user


def check_current_password(
    user: User, password: str, *, address: str, limits: throttle.LoginLimits, now: datetime
) -> bool:
    """Whether the person typed their current password; throttled like a log-in."""
    throttle.check_not_throttled(user.email, address, limits, now)
    return user.check_password(password)


def record_wrong_current_password(
    user: User, *, address: str, limits: throttle.LoginLimits, now: datetime
) -> None:
    """A wrong current password counts as a failed log-in, so it cannot be guessed either."""
    throttle.serialise_attempts()
    throttle.record_failure(user.email, address, limits, now)


def change_email(user: User, new_email: str, now: datetime) -> User:
    """Give the account a new (lower-case, unused) email address; reset links sent to the old
    one stop working."""
    new_email = new_email.strip().lower()
    if new_email == user.email:
        raise InvalidInput("That is already your email address.")
    taken = find_user_by_email(new_email)
    if taken is not None:
        raise Conflict("Another account uses this email address.")
    user.email = new_email
    try:
        db.session.flush()
    except IntegrityError as error:  # taken by a sign-up at the same moment
        raise Conflict("Another account uses this email address.") from error
    void_reset_links(user, now)
    return user


def change_password(user: User, new_password: str, now: datetime) -> str:
    """Set a new password, end the person's other sessions and return this one's fresh token."""
    problem = password_problem(new_password)
    if problem:
        raise InvalidInput(problem)
    user.set_password(new_password)
    void_reset_links(user, now)
    sessions.end_all_sessions(user, now, keep=user.login_session)
    return sessions.renew_token(user, user.login_session)


def void_reset_links(user: User, now: datetime) -> None:
    """Every "choose a new password" link of the account that is still unused stops working."""
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
