"""The account a person logs in with, its sessions, and the links sent to prove an address."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db

ROLES = ("patient", "aide", "family", "admin")
#: Roles a person may choose at sign-up; admins are made on the command line.
SIGNUP_ROLES = (
    ("patient", "I am recovering and want help with my routine"),
    ("aide", "I am a care aide offering visits"),
    ("family", "I help a relative or friend with their care"),
)


class User(UserMixin, db.Model):
    """A person with a HomeStretch account: patient, aide, family member or admin."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('patient', 'aide', 'family', 'admin')", name="role_known"),
        #: Emails are stored lower-cased, so the unique constraint is case-insensitive.
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("length(display_name) BETWEEN 1 AND 200", name="display_name_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    #: IANA zone name; a patient's zone is the zone of every visit at their home.
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When a patient agreed that HomeStretch may store their health data (asked at sign-up).
    health_data_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Set when the person deleted their account; the row stays only for others' records.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    #: The token of the login session this request runs under; set at log-in or by the loader.
    session_token = None
    #: The `UserSession` row behind that token, when the account was loaded from one.
    login_session = None
    #: How many of the person's alerts were unread when the request began, read with the
    #: session (the header of every page shows it); None when not read that way.
    unread_alerts = None
    #: The aide profile as the request began, read with the session: "none" (no profile),
    #: "unverified" or "verified"; None when not read that way (policy.aide_standing).
    aide_standing = None

    def get_id(self) -> str | None:
        """Flask-Login keeps the session token, never the account id, in the cookie."""
        return self.session_token

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_patient(self) -> bool:
        return self.role == "patient"

    @property
    def is_aide(self) -> bool:
        return self.role == "aide"

    @property
    def is_family(self) -> bool:
        return self.role == "family"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserSession(db.Model):
    """One login on one device; the cookie holds a random token, the row only its hash."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: SHA-256 of the token in the cookie, so a copy of this table opens no account.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: "Keep me logged in": the session lasts 30 idle days instead of 12 idle hours.
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Refreshed at most every few minutes, so browsing does not write on every page.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Set at log-out, by "log out everywhere" or by a password change; the row then opens nothing.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: A short label from the browser's user agent, e.g. "Firefox on Windows".
    device: Mapped[str] = mapped_column(String(100))
    ip_address: Mapped[str] = mapped_column(String(45))

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id}>"


class LoginFailure(db.Model):
    """One failed log-in; counted per account and address by `webapp.auth.throttle`."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_account_key_failed_at", "account_key", "failed_at"),
        Index("ix_login_failure_address_failed_at", "address", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the lower-cased email tried (known or not), never the typed text itself.
    account_key: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(45))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class PasswordReset(db.Model):
    """A "choose a new password" link sent by email; the row keeps only its token's hash."""

    __tablename__ = "password_reset"
    __table_args__ = (Index("ix_password_reset_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    #: SHA-256 of the token in the emailed link, so a copy of this table resets nothing.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Also what the "three emails an hour" limit counts.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Set when the link was used, or when another link (or a new password) made it void.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<PasswordReset {self.id} user={self.user_id}>"


class PendingSignup(db.Model):
    """A sign-up waiting for its address to be confirmed by the link emailed to it.

    Nothing here blocks anything: several may wait for one address, and the first confirmed
    becomes the account (the rest are deleted with it). A sign-up for an address that already
    has an account is stored the same way, but its link is never sent: the owner is told
    instead, so the two cases look alike from outside.
    """

    __tablename__ = "pending_signup"
    __table_args__ = (
        CheckConstraint("role IN ('patient', 'aide', 'family')", name="role_known"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        Index("ix_pending_signup_email_created_at", "email", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    #: When a patient ticked the health data box on the sign-up form.
    health_data_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The scrypt hash of the password typed at sign-up; the password itself is never kept.
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Where the person goes once the account exists (a path inside HomeStretch), if anywhere.
    next_url: Mapped[str | None] = mapped_column(String(500))
    #: SHA-256 of the token in the emailed link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    def __repr__(self) -> str:
        return f"<PendingSignup {self.id}>"
