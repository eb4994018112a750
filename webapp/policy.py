"""Who may see or change what. Every route and template asks here; nowhere else decides.

A refusal for something the user may not know exists is a 404 (NotFound), so ids of other
people's records reveal nothing.
"""

from datetime import datetime, timedelta
from functools import cache

from flask import g, has_request_context
from sqlalchemy import bindparam, case, event, select
from sqlalchemy.orm import Session

from webapp.auth.models import User
from webapp.errors import NotFound
from webapp.extensions import db

#: Where a request keeps the circle roles it has already read (see circle_role).
ROLES_KEY = "homestretch_circle_roles"


def may_view_care_plan(user: User, patient: User) -> bool:
    """The patient and their coordinators see the routine, medications and precautions."""
    if not (user.is_authenticated and patient.is_patient and patient.deleted_at is None):
        return False
    return user.id == patient.id or circle_role(user, patient.id) == "coordinator"


def may_edit_care_plan(user: User, patient: User) -> bool:
    """Only the patient edits their own care plan."""
    return user.is_authenticated and patient.is_patient and user.id == patient.id


def patient_for(user: User, patient_id: int, *, edit: bool = False) -> User:
    """The patient whose care plan the user asks for, or NotFound if they may not see it."""
    patient = _patient(user, patient_id)
    allowed = may_edit_care_plan if edit else may_view_care_plan
    if patient is None or not allowed(user, patient):
        raise NotFound("We could not find that care plan.")
    return patient


def aide_standing(user: User, *, fresh: bool = False) -> str:
    """An aide's profile: "none", "unverified" or "verified" (an admin recorded the background
    check). As read with the login session when the request began, unless `fresh`."""
    if user.aide_standing is not None and not fresh:
        return user.aide_standing
    return db.session.scalar(_standing_statement(), {"user_id": user.id}) or "none"


def aide_standing_of(user_id):
    """SQL: the standing of the account `user_id` (a column or a bound value): "verified",
    "unverified", or NULL without an aide profile (on first use: the marketplace's models
    import this module)."""
    from webapp.marketplace.models import AideProfile

    return (
        select(case((AideProfile.verified_at.is_not(None), "verified"), else_="unverified"))
        .where(AideProfile.user_id == user_id)
        .scalar_subquery()
    )


@cache
def _standing_statement():
    """An aide's standing, one column read: built once."""
    return select(aide_standing_of(bindparam("user_id")))


def is_verified_aide(user: User, *, fresh: bool = False) -> bool:
    """An aide whose background check an admin has recorded."""
    if not (user.is_authenticated and user.is_aide):
        return False
    return aide_standing(user, fresh=fresh) == "verified"


def may_book_visits(user: User, *, fresh: bool = False) -> bool:
    """Only verified aides book visits (`fresh`: read now, not as the request began)."""
    return is_verified_aide(user, fresh=fresh)


def may_browse_board(user: User) -> bool:
    """Aides (verified or not yet) may look at the request board."""
    return user.is_authenticated and user.is_aide


def may_manage_aides(user: User) -> bool:
    """Admins vet aides."""
    return user.is_authenticated and user.is_admin


def may_post_requests(user: User, patient: User) -> bool:
    """The patient, or a coordinator of their circle, posts requests for help with the routine."""
    return may_coordinate(user, patient)


#: How long after a visit ends its aide may still open the patient's care plan for it.
AIDE_ACCESS_AFTER_VISIT = timedelta(hours=24)


def may_manage_request(user: User, request) -> bool:
    """The request's patient, or a coordinator of their circle, edits and cancels it."""
    if not user.is_authenticated:
        return False
    return request.patient_id == user.id or circle_role(user, request.patient_id) == "coordinator"


def offer_open_to(user: User, request, now: datetime) -> bool:
    """A request offered to one aide first is theirs alone until the offer expires."""
    return request.offered_to_id in (None, user.id) or (
        request.offer_expires_at is not None and request.offer_expires_at <= now
    )


def may_view_request(user: User, request, now: datetime, visits=()) -> bool:
    """The patient; any aide while it is on the board (or offered to them); its booked aide.

    What an aide sees here is the area, the task names, the times and the rate: never the
    address or the care plan, which only the visit page shows to the aide holding the visit.
    """
    if may_manage_request(user, request):
        return True
    if not may_browse_board(user):
        return False
    from webapp.scheduling.models import HELD

    if any(visit.aide_id == user.id and visit.status in HELD for visit in visits):
        return True
    return request.status == "active" and offer_open_to(user, request, now)


def may_see_visit_care_plan(user: User, visit, now: datetime) -> bool:
    """The patient always; the aide holding the visit from booking until 24 hours after it."""
    from webapp.scheduling.models import HELD

    if not user.is_authenticated:
        return False
    if visit.patient_id == user.id:
        return True
    return (
        visit.aide_id == user.id
        and visit.status in HELD
        and now <= visit.ends_at + AIDE_ACCESS_AFTER_VISIT
    )


def may_cancel_visit(user: User, visit) -> bool:
    """The patient (or a coordinator of their circle), or the aide who holds the visit."""
    if not user.is_authenticated:
        return False
    if user.id in (visit.patient_id, visit.aide_id):
        return True
    return circle_role(user, visit.patient_id) == "coordinator"


def may_see_visit_summary(user: User, visit, now: datetime) -> bool:
    """Whoever may open the visit, and everyone in the patient's circle (viewers too)."""
    if may_see_visit_care_plan(user, visit, now):
        return True
    return user.is_authenticated and circle_role(user, visit.patient_id) is not None


def visit_summary_for(user: User, visit_id: int, now: datetime):
    """A visit whose summary the user may read, else the same 404 as an unknown visit."""
    from webapp.scheduling.models import Visit
    from webapp.scheduling.services import NO_VISIT

    visit = db.session.get(Visit, visit_id)
    if visit is None or not may_see_visit_summary(user, visit, now):
        raise NotFound(NO_VISIT)
    return visit


def visit_for(user: User, visit_id: int, now: datetime):
    """A visit the user may open (patient or its aide, within the access window), else 404."""
    from webapp.scheduling.models import Visit

    visit = db.session.get(Visit, visit_id)
    if visit is None or not may_see_visit_care_plan(user, visit, now):
        raise NotFound("We could not find that visit.")
    return visit


def may_edit_aide_profile(user: User) -> bool:
    """Aides write their own profile."""
    return user.is_authenticated and user.is_aide


def may_review_visit(user: User, visit) -> bool:
    """The visit's patient rates its aide (when completed; the service checks the state)."""
    return user.is_authenticated and user.is_patient and visit.patient_id == user.id


#: After check-out the aide may still correct the visit log for this long; changes are kept.
VISIT_LOG_EDIT_WINDOW = timedelta(hours=24)


def may_edit_visit_log(user: User, visit, report, now: datetime) -> bool:
    """Only the visit's aide: while checked in, and for 24 hours after check-out."""
    if not user.is_authenticated or visit.aide_id != user.id:
        return False
    if visit.status == "checked_in":
        return True
    return (
        visit.status == "completed"
        and report is not None
        and report.checked_out_at is not None
        and now <= report.checked_out_at + VISIT_LOG_EDIT_WINDOW
    )


# The care circle ---------------------------------------------------------------------------


def circle_role(user: User, patient_id: int) -> str | None:
    """The user's role in the patient's care circle ('coordinator', 'viewer'), or None.

    Asked afresh on every request, so a removed member loses access on their next click;
    within one request the answer is kept, so a page that asks twice reads it once.
    """
    if not user.is_authenticated or not user.is_family:
        return None
    known = _known_roles()
    if known is not None and (user.id, patient_id) in known:
        return known[user.id, patient_id]
    role = db.session.scalar(
        _circle_statements()[0], {"patient_id": patient_id, "member_id": user.id}
    )
    if known is not None:
        known[user.id, patient_id] = role
    return role


@cache
def _circle_statements():
    """The member's role in a circle, and the patient with it: asked on most pages, so built
    once (on first use: the circle's models import this module)."""
    from webapp.circle.models import CircleMember

    role = select(CircleMember.role).where(
        CircleMember.patient_id == bindparam("patient_id"),
        CircleMember.member_id == bindparam("member_id"),
    )
    patient_with_role = (
        select(User, CircleMember.role)
        .outerjoin(
            CircleMember,
            (CircleMember.patient_id == User.id)
            & (CircleMember.member_id == bindparam("member_id")),
        )
        .where(User.id == bindparam("patient_id"))
    )
    return role, patient_with_role


@event.listens_for(Session, "after_flush")
def _forget_circle_roles(_session, _context) -> None:
    """Whatever a request writes (joining, leaving, a new role), it asks afresh afterwards."""
    if has_request_context():
        g.pop(ROLES_KEY, None)


def _known_roles() -> dict | None:
    """This request's remembered circle roles; None outside a request (the worker asks
    afresh every time)."""
    if not has_request_context():
        return None
    return g.setdefault(ROLES_KEY, {})


def _patient(user: User, patient_id: int) -> User | None:
    """The account `patient_id` for a policy check; for a family member, their circle role
    comes in the same statement and is kept for the request."""
    known = _known_roles()
    if known is None or not (user.is_authenticated and user.is_family):
        return db.session.get(User, patient_id)
    found = db.session.execute(
        _circle_statements()[1], {"patient_id": patient_id, "member_id": user.id}
    ).first()
    if found is None:
        return None
    known[user.id, patient_id] = found[1]
    return found[0]


def may_manage_circle(user: User, patient: User) -> bool:
    """Only the patient invites, changes roles and removes members."""
    return may_edit_care_plan(user, patient)


def circle_owner_for(user: User, patient_id: int) -> User:
    """The patient whose circle the user manages (their own), or NotFound."""
    patient = _patient(user, patient_id)
    if patient is None or not may_manage_circle(user, patient):
        raise NotFound("We could not find that care circle.")
    return patient


def may_see_calendar(user: User, patient: User) -> bool:
    """The patient and everyone in their circle see the care calendar and the coverage."""
    if not (user.is_authenticated and patient.is_patient and patient.deleted_at is None):
        return False
    return user.id == patient.id or circle_role(user, patient.id) is not None


def may_coordinate(user: User, patient: User) -> bool:
    """The patient and their coordinators post requests, cover windows and log home sessions."""
    if not (user.is_authenticated and patient.is_patient and patient.deleted_at is None):
        return False
    return user.id == patient.id or circle_role(user, patient.id) == "coordinator"


def calendar_patient_for(user: User, patient_id: int) -> User:
    """The patient whose calendar the user asks for, or NotFound."""
    patient = _patient(user, patient_id)
    if patient is None or not may_see_calendar(user, patient):
        raise NotFound("We could not find that page.")
    return patient


def coordinated_patient_for(user: User, patient_id: int) -> User:
    """The patient the user coordinates care for (themselves included), or NotFound."""
    patient = _patient(user, patient_id)
    if patient is None or not may_coordinate(user, patient):
        raise NotFound("We could not find that page.")
    return patient


# Payments ----------------------------------------------------------------------------------


def may_manage_payments(user: User, patient: User) -> bool:
    """The patient and their coordinators save the card for visits and read the receipts."""
    return may_coordinate(user, patient)


def payments_patient_for(user: User, patient_id: int) -> User:
    """The patient whose card and receipts the user may manage, or NotFound."""
    patient = _patient(user, patient_id)
    if patient is None or not may_manage_payments(user, patient):
        raise NotFound("We could not find that page.")
    return patient


def may_see_payouts(user: User) -> bool:
    """Aides see their own payout set-up and earnings."""
    return user.is_authenticated and user.is_aide


def may_manage_all_payments(user: User) -> bool:
    """Admins see every payment, refund them and follow disputes."""
    return user.is_authenticated and user.is_admin
