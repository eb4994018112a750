"""Who may see or change what. Every route and template asks here; nowhere else decides.

A refusal for something the user may not know exists is a 404 (NotFound), so ids of other
people's records reveal nothing.
"""

from webapp.auth.models import User
from webapp.errors import NotFound
from webapp.extensions import db


def may_view_care_plan(user: User, patient: User) -> bool:
    """The patient sees their own routine, medications and precautions."""
    return user.is_authenticated and patient.is_patient and user.id == patient.id


def may_edit_care_plan(user: User, patient: User) -> bool:
    """Only the patient edits their own care plan."""
    return user.is_authenticated and patient.is_patient and user.id == patient.id


def patient_for(user: User, patient_id: int, *, edit: bool = False) -> User:
    """The patient whose care plan the user asks for, or NotFound if they may not see it."""
    patient = db.session.get(User, patient_id)
    allowed = may_edit_care_plan if edit else may_view_care_plan
    if patient is None or not allowed(user, patient):
        raise NotFound("We could not find that care plan.")
    return patient


def is_verified_aide(user: User) -> bool:
    """An aide whose background check an admin has recorded."""
    from webapp.marketplace.models import AideProfile

    if not (user.is_authenticated and user.is_aide):
        return False
    profile = db.session.get(AideProfile, user.id)
    return profile is not None and profile.is_verified


def may_book_visits(user: User) -> bool:
    """Only verified aides book visits."""
    return is_verified_aide(user)


def may_browse_board(user: User) -> bool:
    """Aides (verified or not yet) may look at the request board."""
    return user.is_authenticated and user.is_aide


def may_manage_aides(user: User) -> bool:
    """Admins vet aides."""
    return user.is_authenticated and user.is_admin


def may_post_requests(user: User, patient: User) -> bool:
    """The patient posts requests for help with their own routine."""
    return may_edit_care_plan(user, patient)
