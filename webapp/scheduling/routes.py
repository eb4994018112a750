"""The request board, booking, cancelling and the visit page."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp import policy
from webapp.database import utcnow
from webapp.errors import AlreadyDone, NotFound
from webapp.extensions import db
from webapp.forms import form_fields, parse_int
from webapp.links import RowLink
from webapp.marketplace import request_services as requests
from webapp.marketplace.request_forms import SeriesForm, VisitActionForm
from webapp.money import parse_cents
from webapp.notifications import events as notification_events
from webapp.payments import ledger
from webapp.payments import lifecycle as payments
from webapp.payments.services import payments_enabled
from webapp.scheduling import bp, listings, own_visits
from webapp.scheduling import services as scheduling
from webapp.scheduling.forms import FILTER_FIELDS, BoardFilterForm, FilterInputs
from webapp.scheduling.listed import BoardKey


def _local_day_start(day, zone: str) -> datetime:
    return datetime.combine(day, time()).replace(tzinfo=ZoneInfo(zone))


def _board_filters(form: BoardFilterForm, zone: str) -> listings.BoardFilters:
    """The filters a checked form holds; its dates are whole days in the aide's zone."""
    return listings.BoardFilters(
        area=form.area.data or None,
        start=_local_day_start(form.date_from.data, zone) if form.date_from.data else None,
        end=_local_day_start(form.date_to.data + timedelta(days=1), zone)
        if form.date_to.data
        else None,
        task=form.task.data or None,
        min_rate_cents=parse_cents(form.min_rate.data) if form.min_rate.data else None,
    )


@bp.route("/board")
@login_required
def board():
    """Open visits near the aide, earliest first."""
    aide = current_user._get_current_object()
    if not policy.may_browse_board(aide):
        abort(404)
    filters = listings.BoardFilters()
    form = None
    if any(name in request.args for name in FILTER_FIELDS):
        form = BoardFilterForm(request.args)
        if form.validate():
            filters = _board_filters(form, aide.timezone)
    result = listings.board(
        aide,
        filters,
        utcnow(),
        after=BoardKey.parse(request.args.get("after")),
        before=BoardKey.parse(request.args.get("before")),
    )
    # The filters ride along on "Earlier" / "Later"; the place on the board does not.
    args = {
        key: value for key, value in request.args.items() if key not in ("page", "after", "before")
    }
    errors = form.errors if form is not None else {}
    return render_template(
        "scheduling/board.html",
        # Without a filter sent, the empty fields are drawn once per app.
        filter_fields=form_fields(
            "scheduling/_board_filters.html",
            FilterInputs.of,
            FilterInputs.of(form) if form is not None else None,
        ),
        result=result,
        visits=result.visits,
        areas=result.areas,
        family=result.family,
        args=args,
        aide_id=aide.id,
        may_book=policy.may_book_visits(aide),
        details_link=RowLink("marketplace.request_detail", "request_id"),
        book_link=RowLink("scheduling.book", "visit_id"),
    ), (422 if errors else 200)


@bp.route("/visits/<int:visit_id>/book", methods=["POST"])
@login_required
def book(visit_id: int):
    """Book one visit."""
    now = utcnow()
    try:
        visit = scheduling.book_visit(current_user, visit_id, now)
    except AlreadyDone as done:  # a double tap: the first one booked it
        db.session.rollback()
        flash(done.message, "info")
        return redirect(url_for("visits.visit_page", visit_id=visit_id))
    except payments.PayoutsNotReady as refused:
        return _payouts_needed(refused)
    held = payments.hold_booked([visit], now)
    notification_events.visits_booked(current_user, [visit], now)
    notification_events.payments_failed(held, now)
    db.session.commit()
    flash("Booked. The visit is on your list, with the address and the care plan.", "success")
    if any(payment.status == "failed" for payment in held):
        flash(_NOT_SECURED, "info")
    return redirect(url_for("visits.visit_page", visit_id=visit.id))


_NOT_SECURED = (
    "The patient's card was declined, so payment is not secured yet. The patient's side is "
    "told; if the card is not fixed within 48 hours, the visit goes back on the board."
)


def _payouts_needed(refused):
    """Nothing was booked: say why, with the way to the payouts page."""
    db.session.rollback()
    return render_template("payments/payouts_needed.html", message=refused.message), 409


@bp.route("/requests/<int:request_id>/book-series", methods=["POST"])
@login_required
def book_series(request_id: int):
    """Book every open visit of a series at once, all or nothing."""
    form = SeriesForm()
    raw_ids = request.form.getlist("visit_ids")
    visit_ids = [parse_int(value, low=1, high=2_147_483_647) for value in raw_ids[:401]]
    if len(visit_ids) > 400 or None in visit_ids:
        abort(400, "That list of visits could not be read. Please reload the page and try again.")
    now = utcnow()
    try:
        visits = scheduling.book_series(current_user, request_id, visit_ids, now)
    except scheduling.SeriesNotBooked as error:
        db.session.rollback()
        return _series_conflict_page(request_id, error, form)
    except payments.PayoutsNotReady as refused:
        return _payouts_needed(refused)
    held = payments.hold_booked(visits, now)
    notification_events.visits_booked(current_user, visits, now)
    notification_events.payments_failed(held, now)
    db.session.commit()
    flash(f"Booked all {len(visits)} visits of the series.", "success")
    if any(payment.status == "failed" for payment in held):
        flash(_NOT_SECURED, "info")
    return redirect(url_for("scheduling.my_visits"))


def _series_conflict_page(request_id: int, error, form):
    now = utcnow()
    posted = requests.get_request(request_id)
    if not policy.may_view_request(current_user, posted, now):
        raise NotFound(requests.NO_REQUEST)
    visits = requests.request_visits(posted)
    return render_template(
        "marketplace/requests/detail.html",
        posted=posted,
        visits=visits,
        payments=ledger.payments_by_visit(visits),
        now=now,
        home=requests.get_home(posted.patient),
        managing=False,
        may_book=policy.may_book_visits(current_user),
        action_form=VisitActionForm(formdata=None),
        series_form=form,
        conflicts=error.conflicts,
        conflict_message=error.message,
    ), 409


@bp.route("/visits/<int:visit_id>/cancel", methods=["POST"])
@login_required
def cancel(visit_id: int):
    """The aide gives a visit back, or the patient calls it off."""
    now = utcnow()
    visit = scheduling.get_visit(visit_id)
    if not policy.may_cancel_visit(current_user, visit):
        raise NotFound(scheduling.NO_VISIT)
    if visit.aide_id == current_user.id:
        late = scheduling.cancel_by_aide(current_user, visit, now)
        notification_events.visit_cancelled_by_aide(current_user, visit, now)
        db.session.commit()
        flash(
            "Visit cancelled; it is open again for other aides."
            + (
                " It was less than 24 hours away, so it counts as a late cancellation."
                if late
                else ""
            ),
            "info",
        )
        return redirect(url_for("scheduling.my_visits"))
    late = scheduling.cancel_by_patient(current_user, visit, now)
    notification_events.visits_cancelled_by_patient_side(current_user, [visit], now)
    message = "Visit cancelled."
    if visit.aide_id is not None:
        message = f"Visit cancelled; {visit.aide.display_name}, the aide, is told."
    if late:
        message += " It was less than 24 hours away, so it counts as a late cancellation."
    request_id = visit.request_id
    db.session.commit()
    flash(message, "info")
    return redirect(url_for("marketplace.request_detail", request_id=request_id))


@bp.route("/visits/<int:visit_id>/cancel-rest", methods=["POST"])
@login_required
def cancel_rest(visit_id: int):
    """The patient cancels this visit and every later one of the series."""
    now = utcnow()
    visit = scheduling.get_visit(visit_id)
    if not policy.may_manage_request(current_user, visit.request):
        raise NotFound(scheduling.NO_VISIT)
    cancelled = scheduling.cancel_rest_of_series(
        current_user, visit.request, now, from_time=visit.starts_at
    )
    notification_events.visits_cancelled_by_patient_side(current_user, cancelled, now)
    message = f"{len(cancelled)} visit(s) cancelled from this one on."
    if any(each.aide_id is not None for each in cancelled):
        message += " Every aide who had booked one of them is told."
    request_id = visit.request_id
    db.session.commit()
    flash(message, "info")
    return redirect(url_for("marketplace.request_detail", request_id=request_id))


@bp.route("/my-visits")
@login_required
def my_visits():
    """The aide's visits of the last week and ahead; older ones a page at a time."""
    aide = current_user._get_current_object()
    if not policy.may_browse_board(aide):
        abort(404)
    result = own_visits.aide_visits(
        aide,
        utcnow(),
        after=BoardKey.parse(request.args.get("after")),
        before=BoardKey.parse(request.args.get("before")),
    )
    visits = result.visits
    return render_template(
        "scheduling/my_visits.html",
        result=result,
        visits=visits,
        # Without card payments every visit says "pay the aide directly": nothing to look up.
        payments=ledger.payments_by_visit(visits) if payments_enabled() else {},
        visit_link=RowLink("visits.visit_page", "visit_id"),
        paging=bool(request.args.get("after") or request.args.get("before")),
    )
