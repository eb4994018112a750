"""Failed log-ins, counted in the database so every worker and app server applies one limit.

The promise: guessing passwords is slow, and an attacker cannot lock a person out of their own
account. Three limits on failures in a sliding window (settings LOGIN_LIMIT_*):
- one account from one address: tight (5 per 5 minutes);
- one address across all accounts: e.g. 30 per 5 minutes;
- one account from all addresses: at most 100 per hour (OWASP ASVS V2.2.1). It does not apply
  from an address the account logged in from recently, so the owner there meets only the
  tight per-address limit, which a few minutes clears.
An unknown email is counted exactly like a known one, so the answers reveal no accounts.

How it holds: each failure is a `login_failure` row. A refused attempt is neither verified nor
counted. Otherwise the password is verified outside any lock (scrypt is slow and SQLite's write
lock is global); then one short write transaction re-checks the counts and records the
failure (or starts the session). Those transactions are serialised, on SQLite by BEGIN
IMMEDIATE and on PostgreSQL by a transaction-scoped advisory lock, so parallel guesses cannot
overshoot a limit: once it is reached, every answer is "too many attempts", right or wrong.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from limits import parse
from sqlalchemy import delete, func, select, text

from webapp.auth.models import LoginFailure, User, UserSession
from webapp.errors import DomainError
from webapp.extensions import db

#: A login from an address within this time makes the address the owner's own.
TRUSTED_ADDRESS_FOR = timedelta(days=30)
#: Arbitrary key of the PostgreSQL advisory lock that serialises recording attempts.
_ADVISORY_LOCK_KEY = 727_001


class TooManyAttempts(DomainError):
    """Too many failed log-ins in a short time; the password was not checked."""

    status_code = 429
    title = "Too many attempts"

    def __init__(self):
        super().__init__(
            "Too many attempts in a short time. Please wait a few minutes and try again."
        )


@dataclass(frozen=True)
class Limit:
    """At most `count` failures within `window`."""

    count: int
    window: timedelta

    @classmethod
    def parse(cls, text_value: str) -> "Limit":
        """Read "5 per 5 minutes", "100 per hour" or "100/hour"."""
        item = parse(text_value)
        return cls(item.amount, timedelta(seconds=item.get_expiry()))


@dataclass(frozen=True)
class LoginLimits:
    """The three failure limits, read from the LOGIN_LIMIT_* settings."""

    per_account_and_ip: Limit
    per_ip: Limit
    per_account: Limit

    @classmethod
    def from_config(cls, config) -> "LoginLimits":
        """The limits in an app's configuration."""
        return cls(
            per_account_and_ip=Limit.parse(config["LOGIN_LIMIT_PER_ACCOUNT_AND_IP"]),
            per_ip=Limit.parse(config["LOGIN_LIMIT_PER_IP"]),
            per_account=Limit.parse(config["LOGIN_LIMIT_PER_ACCOUNT"]),
        )

    @property
    def longest_window(self) -> timedelta:
        return max(self.per_account_and_ip.window, self.per_ip.window, self.per_account.window)


def account_key(email: str) -> str:
    """What a failure row stores for the email tried (a typo'd password is never kept)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _failures(limit: Limit, now: datetime, *conditions):
    return (
        select(func.count(LoginFailure.id))
        .where(LoginFailure.failed_at > now - limit.window, *conditions)
        .scalar_subquery()
    )


def check_not_throttled(email: str, address: str, limits: LoginLimits, now: datetime) -> None:
    """Raise TooManyAttempts when a limit that applies to this account and address is reached."""
    key = account_key(email)
    trusted = (
        select(UserSession.id)
        .join(User, User.id == UserSession.user_id)
        .where(
            User.email == email.strip().lower(),
            UserSession.ip_address == address,
            UserSession.created_at > now - TRUSTED_ADDRESS_FOR,
        )
        .exists()
    )
    pair, from_ip, account, is_trusted = db.session.execute(
        select(
            _failures(
                limits.per_account_and_ip,
                now,
                LoginFailure.account_key == key,
                LoginFailure.address == address,
            ),
            _failures(limits.per_ip, now, LoginFailure.address == address),
            _failures(limits.per_account, now, LoginFailure.account_key == key),
            trusted,
        )
    ).one()
    if (
        pair >= limits.per_account_and_ip.count
        or from_ip >= limits.per_ip.count
        or (account >= limits.per_account.count and not is_trusted)
    ):
        raise TooManyAttempts()


def serialise_attempts() -> None:
    """Make this write transaction the only one recording attempts (SQLite: BEGIN IMMEDIATE did)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})


def record_failure(email: str, address: str, limits: LoginLimits, now: datetime) -> None:
    """Count one failed attempt, and drop failures too old to count for anything."""
    db.session.add(LoginFailure(account_key=account_key(email), address=address, failed_at=now))
    # Indexed on failed_at, so this touches only the few rows that just aged out.
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.failed_at < now - limits.longest_window)
    )
    db.session.flush()


def forget_failures(email: str, address: str) -> None:
    """A successful login from an address clears that account's failures from there."""
    db.session.execute(
        delete(LoginFailure).where(
            LoginFailure.account_key == account_key(email), LoginFailure.address == address
        )
    )
    db.session.flush()


def forget_account_failures(email: str) -> None:
    """A password reset clears the account's failures from every address: whoever guessed,
    the old password no longer opens anything."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.account_key == account_key(email)))
    db.session.flush()
