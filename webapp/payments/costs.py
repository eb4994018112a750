"""What a request will cost, for the request form: the hourly rate times each visit's length,
per visit and for the whole series, priced exactly as visits are charged (to the cent)."""

from dataclasses import dataclass
from datetime import date, time, timedelta

from webapp.errors import InvalidInput
from webapp.marketplace.models import CURRENCIES, MAX_RATE_CENTS, MIN_RATE_CENTS
from webapp.money import SYMBOLS
from webapp.payments import services
from webapp.scheduling import recurrence


@dataclass(frozen=True)
class RequestCost:
    """The price of one visit and of the series; `visits` is None while the end is unknown."""

    currency: str
    rate_cents: int
    minutes: int
    per_visit_cents: int
    #: How many visits the request makes (1 for a single visit), if known.
    visits: int | None = None
    #: Visits a week, for a weekly series.
    per_week: int | None = None

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=self.minutes)

    @property
    def total_cents(self) -> int | None:
        return None if self.visits is None else self.per_visit_cents * self.visits

    @property
    def per_week_cents(self) -> int | None:
        return None if self.per_week is None else self.per_visit_cents * self.per_week


def request_cost(
    rate_cents: int,
    currency: str,
    minutes: int,
    visits: int | None = None,
    per_week: int | None = None,
) -> RequestCost | None:
    """The cost of visits of `minutes` at an hourly rate; None if either is not positive."""
    if rate_cents <= 0 or minutes <= 0:
        return None
    return RequestCost(
        currency=currency,
        rate_cents=rate_cents,
        minutes=minutes,
        per_visit_cents=services.price_for_minutes(rate_cents, minutes),
        visits=visits,
        per_week=per_week,
    )


def estimate(
    *,
    rate_cents: int | None,
    currency: str | None,
    start_time: time | None,
    end_time: time | None,
    timezone: str,
    first_date: date | None = None,
    weekdays: list[int] | None = None,
    until_date: date | None = None,
    count: int | None = None,
) -> RequestCost | None:
    """The cost of a request as far as it is filled in: per visit once the rate and times are
    there; for the whole series once its days and end are known too (else per week)."""
    if rate_cents is None or not MIN_RATE_CENTS <= rate_cents <= MAX_RATE_CENTS:
        return None
    if start_time is None or end_time is None:
        return None
    minutes = (end_time.hour * 60 + end_time.minute) - (start_time.hour * 60 + start_time.minute)
    currency = currency if currency in CURRENCIES else "USD"
    if weekdays is None:
        return request_cost(rate_cents, currency, minutes, visits=1)
    days = sorted({day for day in weekdays if 0 <= day <= 6})
    if not days:
        return request_cost(rate_cents, currency, minutes)
    visits = None
    if first_date is not None and (until_date is not None or count is not None):
        try:
            visits = len(
                recurrence.expand(
                    first_date=first_date,
                    start_time=start_time,
                    end_time=end_time,
                    timezone=timezone,
                    weekdays=days,
                    until_date=until_date,
                    count=count,
                )
            )
        except (InvalidInput, ValueError, OverflowError):
            visits = None  # the form says what is wrong; the cost waits for a readable series
    return request_cost(rate_cents, currency, minutes, visits=visits, per_week=len(days))


def rules_for_pages() -> dict:
    """What the request form's script needs to work the cost out as `estimate` does while
    the person types (static/js/app.js); the page keeps the server's note without it."""
    return {
        "min_rate": MIN_RATE_CENTS,
        "max_rate": MAX_RATE_CENTS,
        "currencies": list(CURRENCIES),
        "symbols": SYMBOLS,
        "max_weeks": recurrence.MAX_WEEKS,
        "min_minutes": recurrence.MIN_WINDOW // timedelta(minutes=1),
        "max_minutes": recurrence.MAX_WINDOW // timedelta(minutes=1),
    }
