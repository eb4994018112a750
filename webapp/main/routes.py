"""Landing page, the dashboard each role starts from, and the health check."""

from flask import current_app, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import contains_eager

from webapp import policy
from webapp.auth.models import User
from webapp.care.catalogue import EXERCISES
from webapp.care.forms import ConfirmForm
from webapp.circle.models import CircleMember
from webapp.coverage import services as coverage
from webapp.coverage.summary import weekly_headlines
from webapp.database import utcnow
from webapp.extensions import db
from webapp.links import RowLink
from webapp.main import aide_home, bp, patient_home
from webapp.timezones import to_local


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
        patient = current_user._get_current_object()  # read once, not through the proxy
        home = patient_home.load(patient, now)
        context |= {
            "patient": patient,
            "items": home.items,
            "medications": home.medications,
            "precautions": home.precautions,
            "upcoming": home.upcoming,
            "flagged": home.flagged,
            "recent": home.recent,
            "trends": home.trends,
            "flagged_home": home.flagged_home,
            "circle_size": home.circle_size,
            "summary_link": RowLink("visits.summary", "visit_id"),
            "request_link": RowLink("marketplace.request_detail", "request_id"),
        }
    elif current_user.is_family:
        context["circles"] = _circles_with_week_ahead(current_user, now)
        context["leave_form"] = ConfirmForm(formdata=None)
        # Each circle links the same pages of its patient: each address is built once.
        context["circle_links"] = {
            name: RowLink(endpoint, "patient_id") for name, endpoint in _CIRCLE_PAGES.items()
        }
    elif current_user.is_aide:
        standing = policy.aide_standing(current_user)
        context |= {
            "verified": standing == "verified",
            "has_profile": standing != "none",
            "upcoming": aide_home.upcoming(current_user, now),
            "visit_link": RowLink("visits.visit_page", "visit_id"),
        }
    return render_template("main/dashboard.html", **context)


#: The pages of a patient each circle on a relative's dashboard links to.
_CIRCLE_PAGES = {
    "coverage": "coverage.coverage_page",
    "calendar": "calendar.patient_calendar",
    "routine": "care.routine",
    "home_log": "homelog.home_log",
    "requests": "marketplace.my_requests",
    "leave": "circle.leave",
}


#: The circles a person is in, each with its patient (accounts not deleted), by patient name.
_MEMBERSHIPS = (
    select(CircleMember)
    .join(User, User.id == CircleMember.patient_id)
    .where(CircleMember.member_id == bindparam("member_id"), User.deleted_at.is_(None))
    .options(contains_eager(CircleMember.patient))
    .order_by(User.display_name, CircleMember.id)
)


def _circles_with_week_ahead(member, now) -> list[tuple[CircleMember, tuple[int, int]]]:
    """Each circle the person is in, by patient name, with how many of the patient's care
    windows in the next 7 days are covered, of how many: two queries for the circles and the
    patients, four for the coverage of them all."""
    memberships = db.session.scalars(_MEMBERSHIPS, {"member_id": member.id}).all()
    asks = [
        (membership.patient, to_local(now, membership.patient.timezone).date(), 7)
        for membership in memberships
    ]
    rows = coverage.coverage_for_many(asks, now)
    result = []
    for patient, today, days in asks:
        headline = weekly_headlines(rows[patient.id], today, days)[0]
        result.append((headline.covered, headline.total))
    return list(zip(memberships, result, strict=True))


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
