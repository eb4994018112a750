"""Sign-up pages: the form, "check your email", and the confirmation link that creates the
account (see webapp.auth.signups for the rules)."""

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
from werkzeug.exceptions import HTTPException
from werkzeug.security import check_password_hash

from webapp.auth import bp, sessions, signups
from webapp.auth.forms import ConfirmSignupForm, SendAgainForm, SignupForm
from webapp.auth.models import SIGNUP_ROLES
from webapp.auth.password_routes import configured, link_expired, private_link_page
from webapp.auth.recovery import LinkExpired
from webapp.auth.routes import safe_next
from webapp.database import utcnow
from webapp.errors import Conflict, DomainError
from webapp.extensions import db, limiter

#: What the browser remembers between the form and the "check your email" page.
SIGNUP_EMAIL, SIGNUP_PENDING = "signup_email", "signup_pending"


def _address() -> str:
    return (request.remote_addr or "unknown")[:45]


def _invitation_token(target: str | None) -> str | None:
    """The invitation token when `next` is a care circle invitation link."""
    if not target:
        return None
    try:
        endpoint, values = current_app.url_map.bind("").match(target.split("?")[0])
    except HTTPException:
        return None
    return values.get("token") if endpoint == "circle.join" else None


def _log_in(user, now, flash_message: str):
    """Start a fresh session for a new account and say welcome."""
    token = sessions.start_session(
        user, remember=False, ip_address=_address(), user_agent=request.user_agent.string, now=now
    )
    db.session.commit()
    session.clear()
    logout_user()
    user.session_token = token
    login_user(user)
    flash(flash_message, "success")


def _first_page(user, target: str | None):
    """Where a new account goes first: back to where they came from, or to their start."""
    if target:  # e.g. the invitation they follow
        return redirect(target)
    if user.is_patient:
        flash("Start by adding the exercises your therapist gave you.", "info")
        return redirect(url_for("care.routine", patient_id=user.id))
    return redirect(url_for("main.dashboard"))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(configured("SIGNUP_LIMIT_PER_IP", "50 per hour"), methods=["POST"])
def signup():
    """Sign up: the account waits for the emailed link, unless an invitation proved the address."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    target = safe_next(request.args.get("next"))
    form = SignupForm()
    if request.method == "GET":
        form.timezone.data = request.args.get("tz") or current_app.config["DEFAULT_TIMEZONE"]
        if request.args.get("role") in {value for value, _ in SIGNUP_ROLES}:
            form.role.data = request.args["role"]  # e.g. "family" from an invitation link
    if form.validate_on_submit():
        now = utcnow()
        details = signups.SignupDetails(
            email=form.email.data,
            password=form.password.data,
            role=form.role.data,
            display_name=form.display_name.data,
            timezone=form.timezone.data,
            health_data_consent=bool(form.health_data_consent.data),
            next_url=target,
        )
        try:
            outcome = signups.sign_up(details, now, invitation_token=_invitation_token(target))
        except DomainError as error:
            db.session.rollback()
            form.email.errors.append(
                error.message
                if not isinstance(error, Conflict)
                else "Something changed at the same moment. Please send the form again."
            )
        else:
            if outcome.user is not None:
                _log_in(outcome.user, now, f"Welcome to HomeStretch, {outcome.user.display_name}.")
                return _first_page(outcome.user, target)
            db.session.commit()
            session[SIGNUP_EMAIL] = details.email.strip().lower()
            session[SIGNUP_PENDING] = outcome.pending_id
            return redirect(url_for("auth.check_email"))
    status = 422 if form.errors else 200
    return render_template("auth/signup.html", form=form, next=target), status


@bp.route("/signup/check-email", methods=["GET", "POST"])
@limiter.limit(configured("SIGNUP_RESEND_LIMIT_PER_IP", "10 per hour"), methods=["POST"])
def check_email():
    """Where a sign-up waits for its link; "send it again" answers the same for every address."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    email = session.get(SIGNUP_EMAIL)
    if not email:
        return redirect(url_for("auth.signup"))
    form = SendAgainForm()
    if form.validate_on_submit():
        try:
            signups.send_again(session.get(SIGNUP_PENDING), email, utcnow())
        except signups.SignupGone as error:
            db.session.rollback()
            session.pop(SIGNUP_EMAIL, None)
            session.pop(SIGNUP_PENDING, None)
            flash(error.message, "info")
            return redirect(url_for("auth.signup"))
        db.session.commit()
        flash(
            "We sent the email again (unless three already went there this hour: then please "
            "wait a little). Use the newest link; the earlier ones work too.",
            "info",
        )
        return redirect(url_for("auth.check_email"))
    return render_template("auth/check_email.html", email=email, form=form)


@bp.route("/signup/confirm/<token>", methods=["GET", "POST"])
def confirm_signup(token: str):
    """The emailed link: show what will be created, and create it with one button.

    A button rather than the link itself, so a mail scanner that opens links creates nothing.
    """
    now = utcnow()
    try:
        pending = signups.pending_for_link(token, now)
    except LinkExpired:
        return _signup_link_expired()
    form = ConfirmSignupForm()
    if form.validate_on_submit() and not check_password_hash(
        pending.password_hash, form.password.data
    ):
        form.password.errors.append(
            "That is not the password chosen at sign-up. If you did not sign up, close this page."
        )
    elif form.is_submitted() and not form.errors:
        try:
            user, target = signups.confirm(token, now)
            if current_user.is_authenticated:  # someone else's login on this device ends
                sessions.end_session(current_user, current_user.login_session.id, now)
        except LinkExpired:
            db.session.rollback()
            return _signup_link_expired()
        except Conflict as error:
            db.session.rollback()
            return link_expired(
                (url_for("auth.login"), "Log in"),
                (url_for("auth.forgot_password"), "Choose a new password"),
                message=error.message,
                status=409,
            )
        _log_in(
            user, now, f"Welcome to HomeStretch, {user.display_name}. Your address is confirmed."
        )
        return _first_page(user, safe_next(target))
    role = dict(SIGNUP_ROLES)[pending.role]
    response = make_response(
        render_template(
            "auth/confirm_signup.html", pending=pending, role=role, form=form, token=token
        ),
        422 if form.errors else 200,
    )
    return private_link_page(response)


def _signup_link_expired():
    return link_expired((url_for("auth.signup"), "Sign up again"))
