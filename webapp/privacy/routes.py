"""The data export and account deletion pages."""

import json

from flask import make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from webapp.database import begin_write, utcnow
from webapp.extensions import db, limiter
from webapp.privacy import bp, export, services
from webapp.privacy.forms import DeleteAccountForm

#: Wrong passwords allowed on the deletion form, so a borrowed screen cannot guess its way on.
REAUTH_LIMIT = "5 per 5 minutes"


@bp.before_app_request
def _refuse_deleted_accounts():
    """A browser still logged in to a deleted account is logged out on its next request."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    if current_user.deleted_at is not None:
        logout_user()
        session.clear()
    return None


@bp.route("/account/export")
@login_required
def export_data():
    """Download everything HomeStretch holds about you, as JSON."""
    now = utcnow()
    document = export.build_export(current_user, now)
    response = make_response(json.dumps(document, ensure_ascii=False, indent=1))
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="homestretch-export-{now:%Y-%m-%d}.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _reauth_key() -> str:
    """Rate-limit key for re-entering the password: the account, not the address."""
    who = current_user.id if current_user.is_authenticated else request.remote_addr
    return f"reauth:{who}"


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(
    REAUTH_LIMIT,
    key_func=_reauth_key,
    methods=["POST"],
    deduct_when=lambda response: response.status_code != 302,
)
def delete_account():
    """Say exactly what deleting this account does; on the password and a tick, do it."""
    form = DeleteAccountForm(current_user)
    if form.validate_on_submit():
        begin_write(db.session)
        services.delete_account(current_user, utcnow())
        db.session.commit()
        _end_sessions()
        return redirect(url_for("privacy.goodbye"))
    plan = services.deletion_plan(current_user, utcnow())
    status = 422 if form.errors else 200
    return render_template("privacy/delete.html", form=form, plan=plan), status


def _end_sessions() -> None:
    """Log out here; the account's sessions elsewhere open nothing once it is deleted."""
    logout_user()
    session.clear()


@bp.route("/account/deleted")
def goodbye():
    """The page after deletion."""
    return render_template("privacy/goodbye.html")
