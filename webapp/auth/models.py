"""The account a person logs in with."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db, login_manager

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


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Flask-Login's way back from the session to the account."""
    if not user_id.isdigit():
        return None
    return db.session.get(User, int(user_id))
