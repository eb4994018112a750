"""Reading payments back: a patient's receipts, an aide's earnings, the admin's lists. Every
list is a page of bounded size with its related rows loaded in the same few queries."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from sqlalchemy import bindparam, case, func, literal_column, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

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


def _listed(*conditions, people=("patient", "aide")):
    """Payments with their visit and the visit's request (its time zone), and the `people`
    the page names on each row, all in one statement."""
    return (
        select(VisitPayment)
        .join(Visit, Visit.id == VisitPayment.visit_id)
        .join(AssistanceRequest, AssistanceRequest.id == Visit.request_id)
        .where(*conditions)
        .options(
            contains_eager(VisitPayment.visit).contains_eager(Visit.request),
            *(joinedload(getattr(VisitPayment, who), innerjoin=True) for who in people),
        )
    )


def _page(query, before_id: int | None, size: int = PAGE_SIZE):
    """Newest first, `size` at a time; the id to ask for the next (older) page, or None.

    Keyset paging on the payment id: an older page costs the same as the first."""
    if before_id is not None:
        query = query.where(VisitPayment.id < before_id)
    rows = list(db.session.scalars(query.order_by(VisitPayment.id.desc()).limit(size + 1)))
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].id if more and rows else None)


def payments_of_patient(patient: User, before_id: int | None = None):
    """The patient's visit payments, newest first, a page at a time."""
    return _page(_listed(VisitPayment.patient_id == patient.id, people=("aide",)), before_id)


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
    """The aide's paid (and to-be-paid) visits, newest first."""
    return _page(_listed(VisitPayment.aide_id == aide.id, people=()), before_id)


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
    """Every visit payment, narrowed by status, the visit's date and a person, newest first."""
    query = _listed()
    if filters.status:
        query = query.where(VisitPayment.status == filters.status)
    if filters.date_from:
        query = query.where(Visit.starts_at >= _utc_day(filters.date_from))
    if filters.date_to:
        query = query.where(Visit.starts_at < _utc_day(filters.date_to + timedelta(days=1)))
    if filters.person:
        patient, aide = aliased(User), aliased(User)
        pattern = f"%{filters.person.lower()}%"
        query = (
            query.join(patient, patient.id == VisitPayment.patient_id)
            .join(aide, aide.id == VisitPayment.aide_id)
            .where(
                or_(
                    func.lower(patient.display_name).like(pattern),
                    patient.email.like(pattern),
                    func.lower(aide.display_name).like(pattern),
                    aide.email.like(pattern),
                )
            )
        )
    return _page(query, before_id)


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
