"""The profile page: name and phone, email, password, consent and the person's sessions."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from webapp.auth import bp, emails, sessions
from webapp.auth.forms import ChangeEmailForm, ChangePasswordForm, ProfileForm
from webapp.auth.services import (
    change_email,
    change_password,
    check_current_password,
    record_wrong_current_password,
    update_profile,
)
from webapp.auth.throttle import LoginLimits
from webapp.database import begin_write, utcnow
from webapp.errors import DomainError
from webapp.extensions import db

WRONG_PASSWORD = "That is not your current password. Nothing was changed."


def _render_profile(status: int = 200, **forms):
    """The profile page with any form given (holding errors) and fresh ones for the rest."""
    forms.setdefault("form", ProfileForm(obj=current_user, formdata=None))
    forms.setdefault("email_form", ChangeEmailForm(prefix="change_email", formdata=None))
    forms.setdefault("password_form", ChangePasswordForm(prefix="change_password", formdata=None))
    return render_template(
        "auth/profile.html",
        sessions=sessions.active_sessions(current_user, utcnow()),
        this_session_id=current_user.login_session.id,
        **forms,
    ), status


def _current_password_ok(form) -> bool:
    """Check the re-typed password outside any lock; a wrong one is counted, then refused."""
    address, limits, now = (request.remote_addr or "unknown")[:45], _limits(), utcnow()
    correct = check_current_password(
        current_user, form.current_password.data, address=address, limits=limits, now=now
    )
    begin_write(db.session)
    if not correct:
        record_wrong_current_password(current_user, address=address, limits=limits, now=now)
        db.session.commit()
        form.current_password.errors.append(WRONG_PASSWORD)
    return correct


def _limits() -> LoginLimits:
    return LoginLimits.from_config(current_app.config)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Edit name, phone and time zone; see the email, password and session controls."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        begin_write(db.session)
        update_profile(
            current_user,
            display_name=form.display_name.data,
            phone=form.phone.data or None,
            timezone=form.timezone.data,
        )
        db.session.commit()
        flash("Your profile is saved.", "success")
        return redirect(url_for("auth.profile"))
    return _render_profile(422 if form.errors else 200, form=form)


@bp.route("/profile/email", methods=["POST"])
@login_required
def change_email_address():
    """Change the email address, after the current password."""
    form = ChangeEmailForm(prefix="change_email")
    if form.validate_on_submit() and _current_password_ok(form):
        old_address, now = current_user.email, utcnow()
        try:
            change_email(current_user, form.email.data, now)
            if current_user.email != old_address:
                emails.send_email_changed(
                    old_address, current_user.email, current_user.timezone, now
                )
        except DomainError as error:
            db.session.rollback()
            form.email.errors.append(error.message)
        else:
            db.session.commit()
            flash("Your email address is changed. Use it to log in from now on.", "success")
            return redirect(url_for("auth.profile"))
    return _render_profile(422, email_form=form)


@bp.route("/profile/password", methods=["POST"])
@login_required
def change_account_password():
    """Change the password, after the current one; every other session ends."""
    form = ChangePasswordForm(prefix="change_password")
    if form.validate_on_submit() and _current_password_ok(form):
        now = utcnow()
        try:
            change_password(current_user, form.password.data, now)
            emails.send_password_changed(
                current_user.email, current_user.timezone, now, how="profile"
            )
        except DomainError as error:
            db.session.rollback()
            form.password.errors.append(error.message)
        else:
            remember = current_user.login_session.remember
            db.session.commit()
            # The session keeps going under its fresh token (and so does the remember cookie).
            login_user(current_user._get_current_object(), remember=remember)
            flash("Your password is changed. Your other devices are logged out.", "success")
            return redirect(url_for("auth.profile"))
    return _render_profile(422, password_form=form)


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int):
    """Log out one of the person's other devices (the CSRF check guards every POST)."""
    begin_write(db.session)
    sessions.end_session(current_user, session_id, utcnow())
    db.session.commit()
    flash("That device is logged out.", "success")
    return redirect(url_for("auth.profile"))


@bp.route("/sessions/end-all", methods=["POST"])
@login_required
def end_all_sessions():
    """Log out everywhere, this device included."""
    begin_write(db.session)
    sessions.end_all_sessions(current_user, utcnow())
    db.session.commit()
    session.clear()
    logout_user()
    flash("You are logged out on every device.", "info")
    return redirect(url_for("auth.login"))
