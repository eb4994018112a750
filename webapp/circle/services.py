"""Care circle rules: inviting, joining, changing roles and leaving.

The promise: an invitation link lets exactly one person in, once, within 7 days, and only
while the patient has not withdrawn it. The link carries a random token; only its SHA-256 is
stored with the invitation, so a copy of the invitations lets nobody in. (The email that
carries the link to the invitee is an outbox row, and holds the link as any email would.)
Accepting is one conditional UPDATE
(`... WHERE accepted_at IS NULL AND withdrawn_at IS NULL AND expires_at > now`): of two tabs
accepting at once, exactly one changes the row; the other is told the link was used. A person
is in a circle at most once (a unique constraint on patient and member).
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp.auth.models import User
from webapp.circle.models import CircleInvitation, CircleMember
from webapp.errors import Conflict, InvalidInput, NotFound
from webapp.extensions import db

#: How long an invitation link works.
INVITATION_LIFETIME = timedelta(days=7)
#: A patient's circle stays small enough to read on one screen.
MAX_CIRCLE_SIZE = 30
ROLES = ("coordinator", "viewer")


def hash_token(token: str) -> str:
    """The stored form of an invitation token."""
    return hashlib.sha256(token.encode()).hexdigest()


def members(patient: User) -> list[CircleMember]:
    """The patient's circle, coordinators first, with each member's account loaded."""
    return list(
        db.session.scalars(
            select(CircleMember)
            .where(CircleMember.patient_id == patient.id)
            .options(selectinload(CircleMember.member))
            .order_by(CircleMember.role, CircleMember.joined_at, CircleMember.id)
        )
    )


def pending_invitations(patient: User, now: datetime) -> list[CircleInvitation]:
    """Invitations still waiting for an answer, newest first."""
    return list(
        db.session.scalars(
            select(CircleInvitation)
            .where(
                CircleInvitation.patient_id == patient.id,
                CircleInvitation.accepted_at.is_(None),
                CircleInvitation.withdrawn_at.is_(None),
                CircleInvitation.expires_at > now,
            )
            .order_by(CircleInvitation.created_at.desc(), CircleInvitation.id.desc())
        )
    )


def circles_of(person: User) -> list[CircleMember]:
    """Every circle the person belongs to, with the patient loaded, by patient name."""
    return list(
        db.session.scalars(
            select(CircleMember)
            .join(User, User.id == CircleMember.patient_id)
            .where(CircleMember.member_id == person.id, User.deleted_at.is_(None))
            .options(selectinload(CircleMember.patient))
            .order_by(User.display_name, CircleMember.id)
        )
    )


def invite(patient: User, *, email: str, role: str, now: datetime) -> tuple[CircleInvitation, str]:
    """Create an invitation; returns it with the token for the link (shown once, never stored)."""
    email = email.strip().lower()
    if role not in ROLES:
        raise InvalidInput("Choose coordinator or viewer.")
    if email == patient.email:
        raise InvalidInput("That is your own address. Invite someone else.")
    existing = db.session.scalar(
        select(CircleMember)
        .join(User, User.id == CircleMember.member_id)
        .where(CircleMember.patient_id == patient.id, User.email == email)
    )
    if existing is not None:
        raise Conflict(f"{existing.member.display_name} is already in your care circle.")
    if len(members(patient)) + len(pending_invitations(patient, now)) >= MAX_CIRCLE_SIZE:
        raise Conflict(f"A care circle holds at most {MAX_CIRCLE_SIZE} people.")
    # An expired invitation to the same address no longer blocks a new one.
    db.session.execute(
        update(CircleInvitation)
        .where(
            CircleInvitation.patient_id == patient.id,
            CircleInvitation.email == email,
            CircleInvitation.accepted_at.is_(None),
            CircleInvitation.withdrawn_at.is_(None),
            CircleInvitation.expires_at <= now,
        )
        .values(withdrawn_at=now)
    )
    token = secrets.token_urlsafe(32)
    invitation = CircleInvitation(
        patient_id=patient.id,
        email=email,
        role=role,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    db.session.add(invitation)
    try:
        db.session.flush()
    except IntegrityError as error:
        raise Conflict(
            "You have already invited that address. Withdraw that invitation to send a new one."
        ) from error
    return invitation, token


def withdraw(patient: User, invitation_id: int, now: datetime) -> CircleInvitation:
    """The patient takes back an invitation that nobody has used yet."""
    invitation = db.session.get(CircleInvitation, invitation_id)
    if invitation is None or invitation.patient_id != patient.id:
        raise NotFound("We could not find that invitation.")
    if invitation.accepted_at is not None:
        raise Conflict("That invitation was already accepted. Remove the member instead.")
    if invitation.withdrawn_at is None:
        invitation.withdrawn_at = now
        db.session.flush()
    return invitation


def invitation_for_link(token: str, now: datetime) -> CircleInvitation:
    """The invitation behind a link, or a plain explanation of why the link no longer works."""
    if not token or len(token) > 100:
        raise NotFound(INVALID_LINK)
    invitation = db.session.scalar(
        select(CircleInvitation)
        .where(CircleInvitation.token_hash == hash_token(token))
        .options(selectinload(CircleInvitation.patient))
    )
    if invitation is None or invitation.patient.deleted_at is not None:
        raise NotFound(INVALID_LINK)
    if invitation.accepted_at is not None:
        raise Conflict("This invitation link has already been used. Each link works once.")
    if invitation.withdrawn_at is not None:
        raise Conflict(
            f"{invitation.patient.display_name} withdrew this invitation. Ask them for a new one."
        )
    if invitation.expires_at <= now:
        raise Conflict(
            "This invitation link has expired (links work for 7 days). "
            f"Ask {invitation.patient.display_name} to send a new one."
        )
    return invitation


INVALID_LINK = (
    "This invitation link is not valid. Check that it was copied whole, or ask for a new one."
)


def accept(token: str, person: User, now: datetime) -> CircleMember:
    """Join the circle the link invites to; the link is used up."""
    invitation = invitation_for_link(token, now)
    if not person.is_family:
        raise Conflict(
            "Care circles are for family members and friends. Log out and sign up (or log in) "
            "with a family account to accept this invitation."
        )
    if person.id == invitation.patient_id:
        raise Conflict("You cannot join your own care circle.")
    already = db.session.scalar(
        select(CircleMember).where(
            CircleMember.patient_id == invitation.patient_id, CircleMember.member_id == person.id
        )
    )
    if already is not None:
        raise Conflict(f"You are already in {invitation.patient.display_name}'s care circle.")
    used = db.session.execute(
        update(CircleInvitation)
        .where(
            CircleInvitation.id == invitation.id,
            CircleInvitation.accepted_at.is_(None),
            CircleInvitation.withdrawn_at.is_(None),
            CircleInvitation.expires_at > now,
        )
        .values(accepted_at=now, accepted_by_id=person.id)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        raise Conflict("This invitation link has already been used. Each link works once.")
    member = CircleMember(
        patient_id=invitation.patient_id, member_id=person.id, role=invitation.role, joined_at=now
    )
    db.session.add(member)
    try:
        db.session.flush()
    except IntegrityError as error:
        raise Conflict(
            f"You are already in {invitation.patient.display_name}'s care circle."
        ) from error
    return member


def _member_of(patient: User, member_id: int) -> CircleMember:
    member = db.session.scalar(
        select(CircleMember).where(
            CircleMember.patient_id == patient.id, CircleMember.id == member_id
        )
    )
    if member is None:
        raise NotFound("We could not find that member of your care circle.")
    return member


def change_role(patient: User, member_id: int, role: str) -> CircleMember:
    """The patient makes a member a coordinator or a viewer."""
    if role not in ROLES:
        raise InvalidInput("Choose coordinator or viewer.")
    member = _member_of(patient, member_id)
    member.role = role
    db.session.flush()
    return member


def remove(patient: User, member_id: int) -> User:
    """The patient removes someone from the circle; it takes effect on their next request."""
    member = _member_of(patient, member_id)
    person = member.member
    db.session.delete(member)
    db.session.flush()
    return person


def leave(person: User, patient_id: int) -> User:
    """A member leaves a circle on their own."""
    member = db.session.scalar(
        select(CircleMember).where(
            CircleMember.patient_id == patient_id, CircleMember.member_id == person.id
        )
    )
    if member is None:
        raise NotFound("We could not find that care circle.")
    patient = member.patient
    db.session.delete(member)
    db.session.flush()
    return patient
