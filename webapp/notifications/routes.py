"""The person's notifications: the list, and marking them read."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.database import utcnow
from webapp.extensions import db
from webapp.forms import parse_int
from webapp.links import RowLink
from webapp.notifications import bp
from webapp.notifications import services as notifications
from webapp.notifications.models import KINDS


@bp.app_context_processor
def _unread_count():
    """The unread count for the header of every page a logged-in person sees."""
    if not current_user.is_authenticated:
        return {}
    count = current_user.unread_alerts  # read with the login session, when it was
    if count is None:
        count = notifications.unread_count(current_user)
    return {"unread_notifications": count}


@bp.route("/notifications")
@login_required
def inbox():
    """The person's own notifications, newest first."""
    before = request.args.get("before")
    before_id = parse_int(before, low=1, high=2_147_483_647) if before else None
    items, next_before = notifications.page_for(current_user, before_id)
    return render_template(
        "notifications/inbox.html",
        items=items,
        read_link=RowLink("notifications.read", "notification_id"),
        next_before=next_before,
        paged=bool(before),
    )


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int):
    """Mark one notification read."""
    notifications.mark_read(current_user, notification_id, utcnow())
    db.session.commit()
    return redirect(url_for("notifications.inbox"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all():
    """Mark every notification read."""
    notifications.mark_all_read(current_user, utcnow())
    db.session.commit()
    return redirect(url_for("notifications.inbox"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Choose which alerts also come by email, and whose home doses to watch."""
    if request.method == "POST":
        chosen = set(request.form.getlist("email"))
        if not chosen <= {kind for kind, _ in KINDS}:
            abort(
                400, "Those email choices could not be read. Please reload the page and try again."
            )
        watched = {parse_int(value, low=1, high=2_147_483_647) for value in _watch_values()}
        notifications.set_email_kinds(current_user, chosen)
        notifications.set_dose_watches(current_user, watched, utcnow())
        db.session.commit()
        flash("Alert settings saved.", "success")
        return redirect(url_for("notifications.settings"))
    return render_template(
        "notifications/settings.html",
        kinds=KINDS,
        off=notifications.opted_out(current_user),
        watches=notifications.dose_watch_choices(current_user),
    )


def _watch_values() -> list[str]:
    values = request.form.getlist("watch")
    if len(values) > 100:
        abort(400, "Too many choices were sent. Please reload the page and try again.")
    return values
