"""Coverage pages: the care windows of the next two weeks, covering one, asking an aide."""

import re
from datetime import date, timedelta
from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from webapp import policy
from webapp.care.forms import ConfirmForm
from webapp.coverage import bp, cards, covers, summary
from webapp.coverage import day_parts as hours
from webapp.coverage import services as coverage
from webapp.coverage.forms import CoverForm, DayPartsForm
from webapp.coverage.windows import PART_KEYS, PART_LABELS
from webapp.database import utcnow
from webapp.errors import AlreadyDone, InvalidInput
from webapp.extensions import db
from webapp.timezones import to_local
from webapp.visits import reports

#: The page shows two weeks from today, or one week from a date within a year of today.
DEFAULT_DAYS = 14
WEEK_LIMIT = timedelta(days=366)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: What the audit log says a coordinator saw on the coverage page.
SEEN = "coverage: routine and medications"
BAD_WEEK = "Pick a week by its first day, written like 2026-12-07, within a year of today."


def _today(patient) -> date:
    """Today at the patient's home."""
    return to_local(utcnow(), patient.timezone).date()


def _parse_day(raw: str | None, today: date) -> date | None:
    """A date written YYYY-MM-DD within a year of today, or None."""
    if raw is None or not _ISO_DATE.fullmatch(raw):
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return day if abs(day - today) <= WEEK_LIMIT else None


def _span(patient) -> tuple[date, int, bool]:
    """First day and number of days the page shows, and whether a week was asked for."""
    today = _today(patient)
    if "week" not in request.args:
        return today, DEFAULT_DAYS, False
    first_day = _parse_day(request.args.get("week"), today)
    if first_day is None:
        abort(400, BAD_WEEK)
    return first_day, 7, True


@bp.route("/patients/<int:patient_id>/coverage")
@login_required
def coverage_page(patient_id: int):
    """Who covers each care window: the gaps first, then the covered ones."""
    patient = policy.calendar_patient_for(current_user, patient_id)
    now = utcnow()
    first_day, days, chosen_week = _span(patient)
    rows = coverage.coverage_for(patient, first_day, days, now)
    coordinating = policy.may_coordinate(current_user, patient)
    if coordinating and rows:
        reports.record_view(
            current_user, patient.id, "coverage: routine and medications", None, now
        )
    weeks = summary.weekly_headlines(rows, first_day, days)
    slots = summary.slots(rows, current_user.timezone, patient.timezone, coordinating)
    gaps = [slot for slot in slots if slot.row.state == "gap"]
    covered = [slot for slot in slots if slot.row.state != "gap"]
    may_cover = coordinating and current_user.id != patient.id
    page_cards = cards.Cards(
        patient_id=patient.id,
        patient_name=patient.display_name,
        home_zone=patient.timezone,
        viewer_id=current_user.id,
        now=now,
        csrf_token=generate_csrf(),
        may_cover=may_cover,
        # policy.may_post_requests is may_coordinate: asked once above, not again.
        may_ask=coordinating,
    )
    return render_template(
        "coverage/coverage.html",
        patient=patient,
        rows=rows,
        gaps=gaps,
        covered=covered,
        gap_cards=page_cards.gaps(gaps),
        covered_cards=page_cards.covered(covered),
        weeks=weeks,
        first_day=first_day,
        chosen_week=chosen_week,
        previous_week=first_day - timedelta(days=7),
        next_week=first_day + timedelta(days=7 if chosen_week else DEFAULT_DAYS),
        today=_today(patient),
        now=now,
        show_names=coordinating,
        may_cover=may_cover,
        may_ask=coordinating,
        part_gaps=summary.future_gaps_by_part(rows[: _first_week_len(rows, first_day)], now),
        part_labels=PART_LABELS,
        viewer_id=current_user.id,
    )


def _first_week_len(rows, first_day: date) -> int:
    return sum(1 for row in rows if row.window.day < first_day + timedelta(days=7))


def _back_to(patient, day: date | None):
    """The coverage page that shows the day (the default two weeks, or that day's week)."""
    today = _today(patient)
    if day is None or today <= day < today + timedelta(days=DEFAULT_DAYS):
        return redirect(url_for("coverage.coverage_page", patient_id=patient.id))
    return redirect(url_for("coverage.coverage_page", patient_id=patient.id, week=day.isoformat()))


@bp.route("/patients/<int:patient_id>/coverage/cover", methods=["POST"])
@login_required
def cover(patient_id: int):
    """ "I'll do it": a coordinator takes one care window."""
    patient = policy.coordinated_patient_for(current_user, patient_id)
    form = CoverForm()
    if not form.validate():
        raise InvalidInput(form.first_error())
    try:
        covers.cover_window(current_user, patient, form.day.data, form.part.data, utcnow())
    except AlreadyDone as done:
        db.session.rollback()
        flash(done.message, "info")
        return _back_to(patient, form.day.data)
    db.session.commit()
    flash(
        f"Thank you: you cover {PART_LABELS[form.part.data].lower()} on "
        f"{form.day.data:%A} {form.day.data.day} {form.day.data:%B}. Everyone in the circle "
        "sees it on the calendar.",
        "success",
    )
    return _back_to(patient, form.day.data)


@bp.route("/patients/<int:patient_id>/coverage/covers/<int:cover_id>/give-back", methods=["POST"])
@login_required
def give_back(patient_id: int, cover_id: int):
    """A relative gives back a window they covered; it shows as a gap again."""
    patient = policy.coordinated_patient_for(current_user, patient_id)
    ConfirmForm().validate()
    try:
        released = covers.give_back(current_user, patient, cover_id, utcnow())
    except AlreadyDone as done:
        db.session.rollback()
        flash(done.message, "info")
        return _back_to(patient, None)
    db.session.commit()
    day = to_local(released.window_starts_at, patient.timezone).date()
    flash("You gave the window back. It shows as a gap until someone covers it.", "info")
    return _back_to(patient, day)


@bp.route("/patients/<int:patient_id>/coverage/ask-an-aide")
@login_required
def ask_an_aide(patient_id: int):
    """One gap, or every gap of one part of the day in a week, as a prefilled request form."""
    patient = policy.coordinated_patient_for(current_user, patient_id)
    today = _today(patient)
    part = request.args.get("part")
    if part not in PART_KEYS:
        abort(400, "Pick a part of the day from the list.")
    one_day = _parse_day(request.args.get("day"), today) if "day" in request.args else None
    week = _parse_day(request.args.get("week"), today) if "week" in request.args else None
    if (one_day is None) == (week is None):
        abort(400, BAD_WEEK)
    rows = coverage.coverage_for(patient, one_day or week, 1 if one_day else 7, utcnow())
    gaps = summary.future_gaps_by_part(rows, utcnow()).get(part, [])
    if not gaps:
        flash("That window is covered or over already: there is nothing to ask an aide for.")
        return _back_to(patient, one_day or week)
    args = covers.request_prefill(patient, [row.window for row in gaps])
    form_url = url_for("marketplace.new_request", patient_id=patient.id)
    return redirect(form_url + "?" + urlencode(args, doseq=True))


@bp.route("/patients/<int:patient_id>/day-parts", methods=["GET", "POST"])
@login_required
def day_parts(patient_id: int):
    """The clock times of morning, midday, afternoon, evening and bedtime at the patient's."""
    patient = policy.coordinated_patient_for(current_user, patient_id)
    form = DayPartsForm()
    if not form.is_submitted():
        form.fill(hours.day_part_times(patient))
    if form.validate_on_submit():
        hours.set_day_parts(current_user, patient, form.chosen(), utcnow())
        db.session.commit()
        flash("The parts of the day are saved. The care windows follow the new hours.", "success")
        return redirect(url_for("coverage.coverage_page", patient_id=patient.id))
    return render_template(
        "coverage/day_parts.html",
        patient=patient,
        form=form,
        times=hours.day_part_times(patient),
        parts=PART_KEYS,
    ), (422 if form.errors else 200)
