"""Care circle pages: the patient's circle, invitation links, joining and leaving."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from webapp import policy
from webapp.care.forms import ConfirmForm
from webapp.circle import bp, services
from webapp.circle.forms import InviteForm, RoleForm
from webapp.database import begin_write, utcnow
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.notifications import events as notification_events


def _circle_page(patient, *, invite_form=None, new_link=None, new_invitation=None, status=200):
    now = utcnow()
    return render_template(
        "circle/circle.html",
        patient=patient,
        members=services.members(patient),
        invitations=services.pending_invitations(patient, now),
        invite_form=invite_form or InviteForm(formdata=None),
        role_form=RoleForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        new_link=new_link,
        new_invitation=new_invitation,
    ), status


@bp.route("/circle")
@login_required
def my_circle():
    """A patient's shortcut to their own care circle; a relative's list of circles."""
    if current_user.is_patient:
        return redirect(url_for("circle.circle", patient_id=current_user.id))
    return redirect(url_for("main.dashboard"))


@bp.route("/patients/<int:patient_id>/circle", methods=["GET", "POST"])
@login_required
def circle(patient_id: int):
    """Who is in the patient's circle, pending invitations, and a form to invite someone."""
    patient = policy.circle_owner_for(current_user, patient_id)
    form = InviteForm()
    if not form.validate_on_submit():
        return _circle_page(patient, invite_form=form, status=422 if form.errors else 200)
    begin_write(db.session)
    patient = policy.circle_owner_for(current_user, patient_id)
    now = utcnow()
    try:
        invitation, token = services.invite(
            patient, email=form.email.data, role=form.role.data, now=now
        )
    except DomainError as error:
        db.session.rollback()
        form.email.errors.append(error.message)
        return _circle_page(patient, invite_form=form, status=error.status_code)
    notification_events.circle_invitation_sent(patient, invitation, token, now)
    db.session.commit()
    link = url_for("circle.join", token=token, _external=True)
    # The link is emailed, and shown once here: only its hash is kept with the invitation.
    return _circle_page(patient, new_link=link, new_invitation=invitation, status=201)


@bp.route(
    "/patients/<int:patient_id>/circle/invitations/<int:invitation_id>/withdraw", methods=["POST"]
)
@login_required
def withdraw_invitation(patient_id: int, invitation_id: int):
    """The patient takes back an invitation."""
    form = ConfirmForm()
    begin_write(db.session)
    patient = policy.circle_owner_for(current_user, patient_id)
    if form.validate_on_submit():
        invitation = services.withdraw(patient, invitation_id, utcnow())
        db.session.commit()
        flash(
            f"The invitation to {invitation.email} is withdrawn; its link no longer works.",
            "success",
        )
    return redirect(url_for("circle.circle", patient_id=patient.id))


@bp.route("/patients/<int:patient_id>/circle/members/<int:member_id>/role", methods=["POST"])
@login_required
def change_role(patient_id: int, member_id: int):
    """The patient changes what a member may see and do."""
    form = RoleForm()
    begin_write(db.session)
    patient = policy.circle_owner_for(current_user, patient_id)
    if not form.validate_on_submit():
        flash("Choose coordinator or viewer.", "error")
        return redirect(url_for("circle.circle", patient_id=patient.id))
    member = services.change_role(patient, member_id, form.role.data)
    db.session.commit()
    flash(f"{member.member.display_name} is now a {member.role_label.lower()}.", "success")
    return redirect(url_for("circle.circle", patient_id=patient.id))


@bp.route("/patients/<int:patient_id>/circle/members/<int:member_id>/remove", methods=["POST"])
@login_required
def remove_member(patient_id: int, member_id: int):
    """The patient removes someone from the circle."""
    form = ConfirmForm()
    begin_write(db.session)
    patient = policy.circle_owner_for(current_user, patient_id)
    if form.validate_on_submit():
        person = services.remove(patient, member_id)
        notification_events.circle_member_removed(patient, person, utcnow())
        db.session.commit()
        flash(f"{person.display_name} is no longer in your care circle.", "success")
    return redirect(url_for("circle.circle", patient_id=patient.id))


@bp.route("/circle/join/<token>", methods=["GET", "POST"])
def join(token: str):
    """Where an invitation link lands: who invites you, as what, and a button to join."""
    form = ConfirmForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        begin_write(db.session)
        member = services.accept(token, current_user, utcnow())
        notification_events.circle_member_joined(member, utcnow())
        db.session.commit()
        flash(
            f"You joined {member.patient.display_name}'s care circle as a "
            f"{member.role_label.lower()}.",
            "success",
        )
        return redirect(url_for("main.dashboard"))
    invitation = services.invitation_for_link(token, utcnow())
    return render_template(
        "circle/join.html",
        invitation=invitation,
        token=token,
        form=ConfirmForm(formdata=None),
        next_url=url_for("circle.join", token=token),
    )


@bp.route("/circles/<int:patient_id>/leave", methods=["POST"])
@login_required
def leave(patient_id: int):
    """A member leaves a patient's circle."""
    form = ConfirmForm()
    begin_write(db.session)
    if form.validate_on_submit():
        patient = services.leave(current_user, patient_id)
        notification_events.circle_member_left(current_user, patient, utcnow())
        db.session.commit()
        flash(f"You left {patient.display_name}'s care circle.", "success")
    return redirect(url_for("main.dashboard"))
