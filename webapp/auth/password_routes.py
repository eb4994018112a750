"""Forgotten passwords: ask for a link by email, then choose a new password with it."""

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from webapp.auth import bp, recovery, sessions
from webapp.auth.forms import ForgotPasswordForm, ResetPasswordForm
from webapp.auth.models import User
from webapp.auth.recovery import LinkExpired
from webapp.auth.throttle import account_key
from webapp.database import utcnow
from webapp.errors import InvalidInput
from webapp.extensions import db, limiter


def configured(name: str, default: str):
    """A rate limit read from the app's settings when set there, for flask-limiter."""
    return lambda: current_app.config.get(name, default)


def typed_address() -> str:
    """The limiter's key for "this email address", whoever asks (never the address itself)."""
    return "address:" + account_key(request.form.get("email", ""))


def link_expired(*links: tuple[str, str], message: str = recovery.LINK_EXPIRED, status=404):
    """The page for a link that no longer works, with the ways on: (url, label) pairs."""
    response = make_response(
        render_template("auth/link_expired.html", message=message, links=links), status
    )
    return private_link_page(response)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(
    configured("PASSWORD_RESET_LIMIT_PER_IP", "30 per hour"), methods=["POST"], scope="forgot-ip"
)
@limiter.limit(
    configured("PASSWORD_RESET_LIMIT_PER_ADDRESS", "10 per hour"),
    methods=["POST"],
    key_func=typed_address,
    scope="forgot-address",
)
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        recovery.request_password_reset(form.email.data, utcnow())
        db.session.commit()
        return render_template("auth/forgot_password.html", form=form, sent=True)
    status = 422 if form.errors else 200
    return render_template("auth/forgot_password.html", form=form, sent=False), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password with an emailed link; every device is logged out, this one in."""
    now = utcnow()
    try:
        reset = recovery.reset_for_link(token, now)
    except LinkExpired:
        return _reset_link_expired()
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = recovery.reset_password(token, form.password.data, now)
            if current_user.is_authenticated and current_user.id != user.id:
                # Someone else's login on this device ends too (the account's own just did).
                sessions.end_session(current_user, current_user.login_session.id, now)
            new_token = sessions.start_session(
                user,
                remember=False,
                ip_address=(request.remote_addr or "unknown")[:45],
                user_agent=request.user_agent.string,
                now=now,
            )
        except LinkExpired:
            db.session.rollback()
            return _reset_link_expired()
        except InvalidInput as error:
            db.session.rollback()
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            session.clear()
            logout_user()
            user.session_token = new_token
            login_user(user)
            flash("Your new password is set. Every other device is logged out.", "success")
            return redirect(url_for("main.dashboard"))
    account = db.session.get(User, reset.user_id)
    response = make_response(
        render_template("auth/reset_password.html", form=form, token=token, email=account.email),
        422 if form.errors else 200,
    )
    return private_link_page(response)


def _reset_link_expired():
    return link_expired((url_for("auth.forgot_password"), "Ask for a new link"))


def private_link_page(response):
    """A page whose address holds a secret token: never sent on as a referrer, never stored."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
