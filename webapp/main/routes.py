"""Landing page, the dashboard each role starts from, and the health check."""

from datetime import timedelta

from flask import current_app, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from webapp import policy
from webapp.care import services as care
from webapp.care.catalogue import EXERCISES
from webapp.care.forms import ConfirmForm
from webapp.circle import services as circle
from webapp.coverage import services as coverage
from webapp.coverage.summary import weekly_headlines
from webapp.database import utcnow
from webapp.extensions import db
from webapp.homelog import services as homelog
from webapp.main import bp
from webapp.marketplace.models import AideProfile
from webapp.scheduling import services as scheduling
from webapp.timezones import to_local
from webapp.visits import reports as visits
from webapp.visits import trends


@bp.route("/")
def index():
    """What HomeStretch is, for someone who has just arrived."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return render_template("main/index.html", exercises=EXERCISES)


@bp.route("/dashboard")
@login_required
def dashboard():
    """Where each person starts: their own things first."""
    now = utcnow()
    context = {"now": now}
    if current_user.is_patient:
        context |= {
            "items": care.routine_items(current_user),
            "medications": care.medications(current_user),
            "precautions": care.precautions(current_user),
            "upcoming": scheduling.upcoming_for_patient(current_user, now),
            "flagged": visits.flagged_visits(current_user, now - timedelta(days=14)),
            "recent": visits.recent_completed(current_user, now - timedelta(days=14))[-5:],
            "trends": trends.build(current_user, now),
        }
        context["flagged_home"] = homelog.flagged_sessions(current_user, now - timedelta(days=14))
        context["circle_size"] = len(circle.members(current_user))
    elif current_user.is_family:
        context["circles"] = [
            (membership, _week_ahead(membership.patient, now))
            for membership in circle.circles_of(current_user)
        ]
        context["leave_form"] = ConfirmForm(formdata=None)
    elif current_user.is_aide:
        context |= {
            "verified": policy.is_verified_aide(current_user),
            "has_profile": db.session.get(AideProfile, current_user.id) is not None,
            "upcoming": scheduling.upcoming_for_aide(current_user, now),
        }
    return render_template("main/dashboard.html", **context)


def _week_ahead(patient, now) -> tuple[int, int]:
    """How many of the patient's care windows in the next 7 days are covered, of how many."""
    today = to_local(now, patient.timezone).date()
    headline = weekly_headlines(coverage.coverage_for(patient, today, 7, now), today, 7)[0]
    return headline.covered, headline.total


@bp.route("/about")
def about():
    """What HomeStretch does and does not do (the medical disclaimer in full)."""
    return render_template("main/about.html")


@bp.route("/healthz")
def healthz():
    """For a load balancer: JSON, 200 when the app answers and the database responds, 503
    (and no details) when the database does not."""
    try:
        db.session.execute(db.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("health check: the database did not answer")
        return {"status": "error", "database": "unavailable"}, 503
    return {"status": "ok", "database": "ok"}
