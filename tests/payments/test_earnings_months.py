"""An aide's earnings per month: months in the aide's own time zone, the last twelve only,
refunds and the fee taken off, never below nothing."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from tests.payments.test_pages import paid_visit  # noqa: F401 (a fixture)
from webapp.auth.models import User
from webapp.extensions import db
from webapp.payments import ledger
from webapp.payments.models import VisitPayment

#: Three in the morning UTC on 1 December is still 30 November in New York.
CAPTURED = datetime(2030, 12, 1, 3, 0, tzinfo=UTC)


def months(app, aide, zone, now, **changes):
    with app.app_context():
        payment = db.session.scalars(
            select(VisitPayment).where(VisitPayment.aide_id == aide.id)
        ).one()
        payment.captured_at = CAPTURED
        for name, value in changes.items():
            setattr(payment, name, value)
        db.session.commit()
        rows = ledger.earnings_per_month(db.session.get(User, aide.id), zone, now)
        return [(row.month, row.currency, row.visits, row.earned_cents) for row in rows]


def test_a_payment_counts_in_the_month_of_the_aides_own_zone(app, paid_visit):  # noqa: F811
    aide, _payment = paid_visit
    now = datetime(2030, 12, 15, 12, 0, tzinfo=UTC)
    assert months(app, aide, "America/New_York", now) == [(date(2030, 11, 1), "USD", 1, 1890)]
    assert months(app, aide, "UTC", now) == [(date(2030, 12, 1), "USD", 1, 1890)]


def test_only_the_last_twelve_months_are_summed(app, paid_visit):  # noqa: F811
    aide, _payment = paid_visit
    # In November 2031 the twelve months start with December 2030.
    now = datetime(2031, 11, 20, 12, 0, tzinfo=UTC)
    assert months(app, aide, "UTC", now) == [(date(2030, 12, 1), "USD", 1, 1890)]
    assert months(app, aide, "America/New_York", now) == []


def test_refunds_come_off_and_a_month_never_goes_below_nothing(app, paid_visit):  # noqa: F811
    aide, payment = paid_visit
    now = datetime(2030, 12, 15, 12, 0, tzinfo=UTC)
    assert months(app, aide, "UTC", now, refunded_cents=500) == [
        (date(2030, 12, 1), "USD", 1, 1390)
    ]
    assert months(app, aide, "UTC", now, refunded_cents=payment.captured_cents) == [
        (date(2030, 12, 1), "USD", 1, 0)
    ]
