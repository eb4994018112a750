"""Log-in and log-out, and the check that an ended session opens nothing."""

from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from webapp.auth import bp, sessions
from webapp.auth.forms import LoginForm
from webapp.auth.services import check_login, settle_login
from webapp.auth.throttle import LoginLimits
from webapp.database import begin_write, utcnow
from webapp.extensions import db


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


def _address() -> str:
    """The address a request came from, as counted by the log-in limits."""
    return (request.remote_addr or "unknown")[:45]


def login_limits() -> LoginLimits:
    """The failed log-in limits of this app."""
    return LoginLimits.from_config(current_app.config)


#: Pages a person with an ended session may still use as they are: logging in, signing up, and
#: the emailed links (a reset link is what someone logged out by a reset elsewhere follows).
STAYING = frozenset(
    {
        "auth.login",
        "auth.signup",
        "auth.check_email",
        "auth.confirm_signup",
        "auth.forgot_password",
        "auth.reset_password",
    }
)


@bp.before_app_request
def _refuse_ended_session():
    """A cookie whose session ended (logged out elsewhere, expired) means logged out, said so."""
    if request.endpoint == "static":
        return None
    if current_user.is_authenticated:
        row = current_user.login_session
        g.login_seen = (row.id, row.last_seen_at)  # for the "last seen" update after the response
        return None
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if "_user_id" not in session and remember_cookie not in request.cookies:
        return None
    staying = request.endpoint in STAYING
    if not staying:
        session.clear()
    logout_user()  # also deletes the remember cookie
    flash("Your session has ended. Please log in again.", "info")
    if staying:
        return None
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


@bp.after_app_request
def _note_session_use(response):
    """Keep the session's "last seen" time roughly current (a short write, every few minutes)."""
    seen = g.pop("login_seen", None)
    if seen is not None:
        sessions.touch(*seen, now=utcnow())
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password; failures are counted (see webapp.auth.throttle)."""
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("main.dashboard"))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        email, address, limits, now = form.email.data, _address(), login_limits(), utcnow()
        user = check_login(email, form.password.data, address=address, limits=limits, now=now)
        begin_write(db.session)
        token = settle_login(
            user,
            email,
            address=address,
            user_agent=request.user_agent.string,
            remember=form.remember.data,
            limits=limits,
            now=now,
        )
        db.session.commit()
        if token is not None:
            session.clear()  # no session fixation: a fresh session for the new login
            login_user(user, remember=form.remember.data)
            return redirect(target or url_for("main.dashboard"))
        failed = True
        form.password.errors.append("That email and password do not match an account.")
    status = 401 if failed else (422 if form.errors else 200)
    return render_template("auth/login.html", form=form, next=target), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out: end this session on every app server and forget the cookie."""
    if current_user.is_authenticated:
        begin_write(db.session)
        sessions.end_session(current_user, current_user.login_session.id, utcnow())
        db.session.commit()
    session.clear()
    logout_user()  # after clear(): it marks the remember cookie for deletion in the session
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
