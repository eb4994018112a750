"""Vetting by an admin: the list of aides, and verifying or withdrawing an aide's background
check (an unverified aide may browse the board but not book). The admin's note is kept as a
dated history, newest first."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from webapp import policy
from webapp.auth.models import User
from webapp.database import utcnow
from webapp.errors import Conflict, NotFound
from webapp.extensions import db
from webapp.marketplace.aide_services import NO_AIDE
from webapp.marketplace.models import AideProfile


@dataclass(frozen=True)
class VettingRow:
    """An aide on the admin's vetting list, with their profile if they wrote one."""

    aide: User
    profile: AideProfile | None
    verified_by: str | None


def _require_admin(admin: User) -> None:
    if not policy.may_manage_aides(admin):
        raise NotFound("We could not find that page.")


def aides_for_vetting(admin: User, show: str = "all") -> list[VettingRow]:
    """Every aide, with or without a profile: "all", "verified" or "unverified" ones."""
    _require_admin(admin)
    verifier = aliased(User)
    query = (
        select(User, AideProfile, verifier.display_name)
        .outerjoin(AideProfile, AideProfile.user_id == User.id)
        .outerjoin(verifier, verifier.id == AideProfile.verified_by_id)
        .where(User.role == "aide")
        .order_by(func.lower(User.display_name), User.id)
    )
    if show == "verified":
        query = query.where(AideProfile.verified_at.is_not(None))
    elif show == "unverified":
        query = query.where(AideProfile.verified_at.is_(None))  # includes "no profile yet"
    return [VettingRow(aide, profile, by) for aide, profile, by in db.session.execute(query)]


def _aide_and_profile(aide_id: int) -> tuple[User, AideProfile | None]:
    aide = db.session.get(User, aide_id)
    if aide is None or not aide.is_aide:
        raise NotFound(NO_AIDE)
    return aide, db.session.get(AideProfile, aide_id)


def _log_entry(history: str | None, entry: str) -> str:
    """Newest entry first, earlier ones kept below it, so the note reads as a history."""
    return f"{entry}\n\n{history}" if history else entry


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def verify_aide(admin: User, aide_id: int, *, note: str) -> AideProfile:
    """Record a done background check: the aide may book visits from now on."""
    _require_admin(admin)
    aide, profile = _aide_and_profile(aide_id)
    if profile is None:
        raise Conflict(
            f"{aide.display_name} has not written an aide profile yet, so there is nothing to "
            "verify. Ask them to create their profile first."
        )
    if profile.is_verified:
        raise Conflict(f"{aide.display_name} is already verified.")
    now = utcnow()
    profile.verified_at = now
    profile.verified_by_id = admin.id
    profile.verification_note = _log_entry(
        profile.verification_note, f"Verified {_day(now)} by {admin.display_name}: {note}"
    )
    db.session.flush()
    return profile


def unverify_aide(admin: User, aide_id: int, *, note: str) -> AideProfile:
    """Withdraw a verification; the reason goes on top of the note's history."""
    _require_admin(admin)
    aide, profile = _aide_and_profile(aide_id)
    if profile is None or not profile.is_verified:
        raise Conflict(f"{aide.display_name} is not verified, so there is nothing to withdraw.")
    profile.verified_at = None
    profile.verified_by_id = None
    profile.verification_note = _log_entry(
        profile.verification_note,
        f"Verification withdrawn {_day(utcnow())} by {admin.display_name}: {note}",
    )
    db.session.flush()
    return profile
