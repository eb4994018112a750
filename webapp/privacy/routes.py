"""The data export and account deletion pages."""

import json

from flask import (
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from webapp.auth.services import check_current_password, record_wrong_current_password
from webapp.auth.throttle import LoginLimits
from webapp.database import begin_write, utcnow
from webapp.extensions import db
from webapp.privacy import bp, export, services
from webapp.privacy.deletion_plan import deletion_plan
from webapp.privacy.forms import DeleteAccountForm

WRONG_PASSWORD = "That is not your current password. Nothing was changed."


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


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    """Say exactly what deleting this account does; on the password and a tick, do it."""
    form = DeleteAccountForm()
    if form.validate_on_submit() and _password_ok(form):
        services.delete_account(current_user, utcnow())
        db.session.commit()
        session.clear()
        logout_user()  # after clear(): it marks the remember cookie for deletion
        return redirect(url_for("privacy.goodbye"))
    plan = deletion_plan(current_user, utcnow())
    status = 422 if form.errors else 200
    return render_template("privacy/delete.html", form=form, plan=plan), status


def _password_ok(form: DeleteAccountForm) -> bool:
    """Check the password outside any lock; a wrong one counts as a failed log-in.

    Either way the write transaction is open afterwards: the deletion runs in it, or the
    failure was recorded and committed.
    """
    address, now = (request.remote_addr or "unknown")[:45], utcnow()
    limits = LoginLimits.from_config(current_app.config)
    correct = check_current_password(
        current_user, form.password.data, address=address, limits=limits, now=now
    )
    begin_write(db.session)
    if not correct:
        record_wrong_current_password(current_user, address=address, limits=limits, now=now)
        db.session.commit()
        form.password.errors.append(WRONG_PASSWORD)
    return correct


@bp.route("/account/deleted")
def goodbye():
    """The page after deletion."""
    return render_template("privacy/goodbye.html")
