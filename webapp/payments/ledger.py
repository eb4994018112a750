"""Reading payments back: a patient's receipts, an aide's earnings, the admin's lists. Every
list is a page of bounded size with its related rows loaded in the same few queries."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from sqlalchemy import bindparam, case, func, literal_column, or_, select
from sqlalchemy.orm import aliased, selectinload

from webapp.auth.models import User
from webapp.errors import NotFound
from webapp.extensions import db
from webapp.marketplace.models import AssistanceRequest
from webapp.payments.models import Dispute, PaymentRefund, VisitPayment
from webapp.scheduling.models import Visit
from webapp.timezones import to_local

PAGE_SIZE = 25
#: How far back the aide's monthly earnings reach.
EARNINGS_MONTHS = 12


def _with_visit(query):
    return query.options(
        selectinload(VisitPayment.visit).selectinload(Visit.request),
        selectinload(VisitPayment.aide),
        selectinload(VisitPayment.patient),
        selectinload(VisitPayment.refunds),
    )


#: What a listed payment shows, as plain columns (a page of rows, no objects to build): the
#: payment's figures, its visit's times and the zone they are shown in, and what the aide keeps.
_KEPT = VisitPayment.captured_cents - VisitPayment.refunded_cents - VisitPayment.fee_cents
_LINE_COLUMNS = (
    VisitPayment.id,
    VisitPayment.visit_id,
    VisitPayment.status,
    VisitPayment.amount_cents,
    VisitPayment.fee_cents,
    VisitPayment.currency,
    VisitPayment.captured_cents,
    VisitPayment.refunded_cents,
    VisitPayment.minutes_billed,
    VisitPayment.late_cancel_fee,
    VisitPayment.failure_reason,
    # VisitPayment.earnings_cents, worked out by the database.
    case((VisitPayment.captured_cents == 0, 0), (_KEPT > 0, _KEPT), else_=0).label(
        "earnings_cents"
    ),
    Visit.starts_at,
    Visit.ends_at,
    AssistanceRequest.timezone,
)


@cache
def _lines(
    owner: str | None,
    *,
    people: tuple[str, ...] = ("patient", "aide"),
    status: bool = False,
    date_from: bool = False,
    date_to: bool = False,
    person: bool = False,
    before: bool = False,
):
    """One page of listed payments, newest first, built once per shape: `owner` ("patient" or
    "aide") binds :owner_id, each filter that is on binds its value (:status, :date_from,
    :date_to, :pattern, :before_id), and :size is the page size plus one.

    Each row has the payment's figures, its visit's starts_at and ends_at, the request's
    timezone, and `<who>_name` for the `people` the page names."""
    names = {who: aliased(User, name=who) for who in people}
    query = (
        select(*_LINE_COLUMNS, *(names[who].display_name.label(f"{who}_name") for who in people))
        .join(Visit, Visit.id == VisitPayment.visit_id)
        .join(AssistanceRequest, AssistanceRequest.id == Visit.request_id)
    )
    for who, user in names.items():
        query = query.join(user, user.id == getattr(VisitPayment, f"{who}_id"))
    if owner is not None:
        query = query.where(getattr(VisitPayment, f"{owner}_id") == bindparam("owner_id"))
    if status:
        query = query.where(VisitPayment.status == bindparam("status"))
    if date_from:
        query = query.where(Visit.starts_at >= bindparam("date_from", type_=Visit.starts_at.type))
    if date_to:
        query = query.where(Visit.starts_at < bindparam("date_to", type_=Visit.starts_at.type))
    if person:  # the admin's list, which names both
        pattern = bindparam("pattern")
        query = query.where(
            or_(
                *(
                    condition
                    for user in (names["patient"], names["aide"])
                    for condition in (
                        func.lower(user.display_name).like(pattern),
                        user.email.like(pattern),
                    )
                )
            )
        )
    if before:
        query = query.where(VisitPayment.id < bindparam("before_id"))
    return query.order_by(VisitPayment.id.desc()).limit(bindparam("size"))


def _page(query, values: dict, before_id: int | None, size: int = PAGE_SIZE):
    """Newest first, `size` at a time; the id to ask for the next (older) page, or None.

    Keyset paging on the payment id: an older page costs the same as the first. `query` is
    a _lines statement built with before=(before_id is not None)."""
    if before_id is not None:
        values["before_id"] = before_id
    rows = db.session.execute(query, {**values, "size": size + 1}).all()
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].id if more and rows else None)


def payments_of_patient(patient: User, before_id: int | None = None):
    """The patient's visit payments, newest first, a page at a time (rows: see _lines)."""
    query = _lines("patient", people=("aide",), before=before_id is not None)
    return _page(query, {"owner_id": patient.id}, before_id)


def payment_of_visit(visit: Visit) -> VisitPayment | None:
    return db.session.scalar(
        _with_visit(select(VisitPayment).where(VisitPayment.visit_id == visit.id))
    )


def payments_by_visit(visits) -> dict[int, VisitPayment]:
    """The payments of several visits in one query, by visit id (visits without one left out)."""
    ids = [visit.id for visit in visits]
    if not ids:
        return {}
    rows = db.session.scalars(select(VisitPayment).where(VisitPayment.visit_id.in_(ids)))
    return {payment.visit_id: payment for payment in rows}


def earnings_per_visit(aide: User, before_id: int | None = None):
    """The aide's paid (and to-be-paid) visits, newest first (rows: see _lines)."""
    query = _lines("aide", people=(), before=before_id is not None)
    return _page(query, {"owner_id": aide.id}, before_id)


@dataclass(frozen=True)
class MonthEarnings:
    month: date
    currency: str
    visits: int
    earned_cents: int


def _month_starts(zone: str, now: datetime, count: int) -> list[datetime]:
    """The first instant of this month and of the `count - 1` before it in the zone, newest
    first."""
    local = to_local(now, zone)
    year, month, starts = local.year, local.month, []
    for _ in range(count):
        starts.append(datetime(year, month, 1, tzinfo=local.tzinfo))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts


@cache
def _earnings_query(months: int):
    """Earnings summed per month and currency by the database (built once; the aide and the
    months' first instants are bound as m0, m1, ...: newest first)."""
    starts = [bindparam(f"m{n}", type_=VisitPayment.captured_at.type) for n in range(months)]
    month = case(
        *(
            (VisitPayment.captured_at >= start, literal_column(str(n)))
            for n, start in enumerate(starts)
        )
    )
    kept = VisitPayment.captured_cents - VisitPayment.refunded_cents - VisitPayment.fee_cents
    captured = (
        select(
            month.label("month"),
            VisitPayment.currency.label("currency"),
            case((kept > 0, kept), else_=0).label("earned"),
        )
        .where(
            VisitPayment.aide_id == bindparam("aide_id"),
            VisitPayment.captured_cents > 0,
            VisitPayment.captured_at >= starts[-1],
        )
        .subquery()
    )
    return select(
        captured.c.month, captured.c.currency, func.count(), func.sum(captured.c.earned)
    ).group_by(captured.c.month, captured.c.currency)


def earnings_per_month(aide: User, zone: str, now: datetime) -> list[MonthEarnings]:
    """Captured money less refunds and the platform fee, per month of the last twelve
    (in the aide's time zone), newest first.

    The months' first instants are worked out in the aide's zone, and the database sums each
    month: the page reads one row per month and currency, however many visits there were."""
    starts = _month_starts(zone, now, EARNINGS_MONTHS)
    values = {f"m{n}": start.astimezone(UTC) for n, start in enumerate(starts)}
    rows = db.session.execute(_earnings_query(EARNINGS_MONTHS), {"aide_id": aide.id, **values})
    return sorted(
        (
            MonthEarnings(starts[n].date(), currency, count, int(earned))
            for n, currency, count, earned in rows
        ),
        key=lambda row: (row.month, row.currency),
        reverse=True,
    )


@dataclass(frozen=True)
class PaymentFilters:
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    #: Part of a patient's or aide's name or email.
    person: str | None = None


def admin_payments(filters: PaymentFilters, before_id: int | None = None):
    """Every visit payment, narrowed by status, the visit's date and a person, newest first
    (rows: see _lines, with patient_name and aide_name)."""
    values = {}
    if filters.status:
        values["status"] = filters.status
    if filters.date_from:
        values["date_from"] = _utc_day(filters.date_from)
    if filters.date_to:
        values["date_to"] = _utc_day(filters.date_to + timedelta(days=1))
    if filters.person:
        values["pattern"] = f"%{filters.person.lower()}%"
    query = _lines(
        None,
        status="status" in values,
        date_from="date_from" in values,
        date_to="date_to" in values,
        person="pattern" in values,
        before=before_id is not None,
    )
    return _page(query, values, before_id)


def admin_payment(visit_id: int) -> VisitPayment:
    """The payment of one visit (the admin pages are addressed by visit), or NotFound."""
    payment = db.session.scalar(
        _with_visit(select(VisitPayment).where(VisitPayment.visit_id == visit_id))
    )
    if payment is None:
        raise NotFound("We could not find that payment.")
    return payment


def refunds_of(payment: VisitPayment) -> list[PaymentRefund]:
    return db.session.scalars(
        select(PaymentRefund)
        .where(PaymentRefund.payment_id == payment.id)
        .options(selectinload(PaymentRefund.admin))
        .order_by(PaymentRefund.id)
    ).all()


def disputes(page: int = 1, size: int = PAGE_SIZE) -> tuple[list[Dispute], bool]:
    """Disputes, the nearest evidence deadline first; and whether there are more."""
    rows = db.session.scalars(
        select(Dispute)
        .options(selectinload(Dispute.payment))
        .order_by(Dispute.evidence_due_by.is_(None), Dispute.evidence_due_by, Dispute.id)
        .offset((page - 1) * size)
        .limit(size + 1)
    ).all()
    return list(rows[:size]), len(rows) > size


def _utc_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
