"""Account rules: registering, authenticating and editing profiles."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.auth.models import ROLES, User
from webapp.auth.passwords import password_problem
from webapp.errors import Conflict, InvalidInput
from webapp.extensions import db
from webapp.timezones import is_valid_timezone

# Compared against when the account does not exist, so a wrong email costs as long as
# a wrong password and the response time does not reveal who has an account.
_DUMMY_HASH = generate_password_hash("homestretch-dummy-password")


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
) -> User:
    """Create an account; a patient also gets the default list of activities to avoid."""
    from webapp.care.services import start_care_plan

    email = email.strip().lower()
    if role not in ROLES:
        raise InvalidInput("Unknown role.")
    if not is_valid_timezone(timezone):
        raise InvalidInput("Unknown time zone.")
    problem = password_problem(password)
    if problem:
        raise InvalidInput(problem)
    if find_user_by_email(email) is not None:
        raise Conflict("An account with this email already exists. Try logging in instead.")
    user = User(
        email=email,
        role=role,
        display_name=display_name.strip(),
        timezone=timezone,
        phone=phone,
    )
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as error:  # two sign-ups with one email at the same moment
        raise Conflict(
            "An account with this email already exists. Try logging in instead."
        ) from error
    if user.is_patient:
        start_care_plan(user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The account when email and password match, else None (same cost either way)."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if user.check_password(password) else None


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
