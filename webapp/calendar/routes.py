"""Calendar pages (month, week, agenda), the subscribe page and the iCalendar feed."""

from datetime import timedelta
from urllib.parse import urlencode

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp import policy
from webapp.calendar import bp, feeds, services
from webapp.calendar.days import calendar_days, days_html, shown_by_day
from webapp.calendar.forms import VIEWS, FeedForm, parse_calendar_query, view_days
from webapp.care.forms import ConfirmForm
from webapp.database import begin_write, utcnow
from webapp.errors import InvalidInput, NotFound, error_response
from webapp.extensions import db
from webapp.timezones import to_local


def _calendar_page(*, patients, patient=None, aide=None):
    """Render one view of the calendar for the viewer, or a 400 page for a bad query."""
    zone = current_user.timezone
    now = utcnow()
    try:
        query = parse_calendar_query(request.args, to_local(now, zone).date())
    except InvalidInput as error:
        return error_response(400, error.message)
    first, last, previous_day, next_day = view_days(query)
    window = services.span(first, last, zone)
    if aide is not None:
        entries = services.aide_entries(aide, window)
    else:
        entries = services.patient_entries(patients, window, now)
    days = shown_by_day(
        entries, zone, show_patient=aide is not None or len(patients) > 1, for_aide=aide is not None
    )
    if query.view == "agenda":
        shown = list(days)  # the days that have entries
    else:
        shown = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    listed_days = calendar_days(days, shown)
    today = to_local(now, zone).date()
    # Where a gap is covered: each patient's coverage page, its week added per entry.
    cover_pages = {
        person.id: url_for("coverage.coverage_page", patient_id=person.id) for person in patients
    }
    # Every link of the page is this page with a view and a date: its address is built once.
    here = url_for(request.endpoint, **(request.view_args or {}))
    return render_template(
        "calendar/calendar.html",
        query=query,
        views=VIEWS,
        first=first,
        last=last,
        previous_day=previous_day,
        next_day=next_day,
        calendar_days=listed_days,
        days_html=days_html(
            listed_days,
            today=today,
            agenda=query.view == "agenda",
            month=query.day.month if query.view == "month" else None,
            cover_pages=cover_pages,
        ),
        entries=entries,
        patients=patients,
        patient=patient,
        for_aide=aide is not None,
        zone=zone,
        today=today,
        link=lambda **args: f"{here}?{urlencode(args)}",
    )


@bp.route("/patients/<int:patient_id>/calendar")
@login_required
def patient_calendar(patient_id: int):
    """One patient's care calendar, for the patient and their circle."""
    patient = policy.calendar_patient_for(current_user, patient_id)
    return _calendar_page(patients=[patient], patient=patient)


@bp.route("/calendar")
@login_required
def my_calendar():
    """The logged-in person's calendar: their own, their circles' together, or an aide's visits."""
    if current_user.is_patient:
        args = {key: request.args.get(key) for key in ("view", "date") if key in request.args}
        return redirect(url_for("calendar.patient_calendar", patient_id=current_user.id, **args))
    if current_user.is_aide:
        return _calendar_page(patients=[], aide=current_user)
    return _calendar_page(patients=services.calendar_patients(current_user))


def _subscribe_page(*, new_link=None, new_choice=None, status=200):
    return render_template(
        "calendar/subscribe.html",
        choices=feeds.feed_choices(current_user),
        feed_form=FeedForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        new_link=new_link,
        new_choice=new_choice,
    ), status


@bp.route("/calendar/subscribe")
@login_required
def subscribe():
    """Secret links that put the calendars the person sees into their phone's calendar."""
    return _subscribe_page()


def _calendar_owner_for(patient_id: int | None):
    """The calendar a link may be made to: a patient's the person sees, or an aide's own."""
    if patient_id is None:
        if not current_user.is_aide:
            raise NotFound("We could not find that page.")
        return None
    return policy.calendar_patient_for(current_user, patient_id)


def _new_link_page(patient):
    feed, token = feeds.issue_feed(current_user, patient, utcnow())
    db.session.commit()
    link = url_for("calendar.feed", token=token, _external=True)
    # The link is shown once, here: only its hash is kept, so it cannot be shown again.
    choice = next(c for c in feeds.feed_choices(current_user) if c.feed and c.feed.id == feed.id)
    return _subscribe_page(new_link=link, new_choice=choice, status=201)


@bp.route("/calendar/feeds", methods=["POST"])
@login_required
def create_feed():
    """Make a secret feed link to one calendar (a new one replaces the old)."""
    form = FeedForm()
    begin_write(db.session)
    if not form.validate_on_submit():
        return error_response(400, "Pick one of the calendars listed on this page.")
    if form.own_visits():
        return _new_link_page(_calendar_owner_for(None))
    patient_id = form.patient_id()
    if patient_id is None:  # larger than any stored id: nobody's calendar
        raise NotFound(feeds.NOT_FOUND)
    return _new_link_page(_calendar_owner_for(patient_id))


@bp.route("/calendar/feeds/<int:feed_id>/regenerate", methods=["POST"])
@login_required
def regenerate_feed(feed_id: int):
    """Replace a link with a new one; the old link stops working at once."""
    form = ConfirmForm()
    begin_write(db.session)
    feed = feeds.live_feed(current_user, feed_id)
    if not form.validate_on_submit():
        return redirect(url_for("calendar.subscribe"))
    return _new_link_page(_calendar_owner_for(feed.patient_id))


@bp.route("/calendar/feeds/<int:feed_id>/revoke", methods=["POST"])
@login_required
def revoke_feed(feed_id: int):
    """Switch a link off; a phone subscribed to it stops getting updates."""
    form = ConfirmForm()
    begin_write(db.session)
    if form.validate_on_submit():
        feeds.revoke_feed(current_user, feed_id, utcnow())
        db.session.commit()
        flash("The link is switched off. Phones subscribed to it get nothing more.", "success")
    return redirect(url_for("calendar.subscribe"))


@bp.route("/calendar/feed/<token>.ics")
def feed(token: str):
    """The iCalendar file behind a secret link; anything but a live, permitted link is 404."""
    subscription = feeds.feed_for_token(token)
    owner, patient = subscription.owner, subscription.patient
    allowed = owner.is_aide if patient is None else policy.may_see_calendar(owner, patient)
    if not allowed:
        raise NotFound(feeds.NOT_FOUND)
    ics = feeds.feed_file(subscription, utcnow())
    if request.if_none_match.contains_weak(ics.etag):
        # The phone already holds these very events (only DTSTAMP would differ): nothing to send.
        response = make_response("", 304)
    else:
        response = make_response(ics.body)
        response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.set_etag(ics.etag, weak=True)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = 'inline; filename="homestretch.ics"'
    return response
