"""Sign-up, log-in, log-out and profile pages."""

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from webapp.auth import bp
from webapp.auth.forms import LoginForm, ProfileForm, SignupForm
from webapp.auth.services import authenticate, register_user, update_profile
from webapp.errors import Conflict
from webapp.extensions import db, limiter


def safe_next(target: str | None) -> str | None:
    """The `next` target if it stays inside HomeStretch, else None."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _login_email_key() -> str:
    """Rate-limit key for one account: the email being tried."""
    return "login-account:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed_login(response) -> bool:
    """Only failed attempts count against the limits."""
    return response.status_code != 302


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Create an account."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = SignupForm()
    if request.method == "GET":
        form.timezone.data = request.args.get("tz") or current_app.config["DEFAULT_TIMEZONE"]
    if form.validate_on_submit():
        try:
            user = register_user(
                email=form.email.data,
                password=form.password.data,
                role=form.role.data,
                display_name=form.display_name.data,
                timezone=form.timezone.data,
            )
        except Conflict as error:
            db.session.rollback()
            form.email.errors.append(error.message)
        else:
            db.session.commit()
            session.clear()
            login_user(user)
            flash(f"Welcome to HomeStretch, {user.display_name}.", "success")
            if user.is_patient:
                flash("Start by adding the exercises your therapist gave you.", "info")
                return redirect(url_for("care.routine", patient_id=user.id))
            return redirect(url_for("main.dashboard"))
    status = 422 if form.errors else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_login_email_key,
    methods=["POST"],
    deduct_when=_failed_login,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"],
    methods=["POST"],
    deduct_when=_failed_login,
)
def login():
    """Log in with email and password."""
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("main.dashboard"))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()  # no session fixation: a fresh session for the new login
            login_user(user)
            return redirect(target or url_for("main.dashboard"))
        failed = True
        form.password.errors.append("That email and password do not match an account.")
    status = 401 if failed else (422 if form.errors else 200)
    return render_template("auth/login.html", form=form, next=target), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out and forget the session."""
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Edit name, phone and time zone."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        update_profile(
            current_user,
            display_name=form.display_name.data,
            phone=form.phone.data or None,
            timezone=form.timezone.data,
        )
        db.session.commit()
        flash("Your profile is saved.", "success")
        return redirect(url_for("auth.profile"))
    status = 422 if form.errors else 200
    return render_template("auth/profile.html", form=form), status
