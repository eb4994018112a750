"""Weekly requests become slots at the same wall-clock time, across daylight-saving changes."""

from datetime import UTC, date, datetime, time

import pytest

from webapp.errors import InvalidInput
from webapp.scheduling.recurrence import expand

NY = "America/New_York"
MON, WED, FRI = 0, 2, 4


def test_nine_oclock_stays_nine_oclock_across_spring_forward():
    slots = expand(
        first_date=date(2027, 3, 8),
        start_time=time(9),
        end_time=time(10),
        timezone=NY,
        weekdays=[MON, WED, FRI],
        count=6,
    )
    assert [s.starts_at.hour for s in slots] == [14, 14, 14, 13, 13, 13]  # EST then EDT
    assert all((s.ends_at - s.starts_at).seconds == 3600 for s in slots)
    assert [s.starts_at.date().isoformat() for s in slots][:3] == [
        "2027-03-08",
        "2027-03-10",
        "2027-03-12",
    ]


def test_nine_oclock_stays_nine_oclock_across_fall_back_in_europe():
    slots = expand(
        first_date=date(2027, 10, 25),
        start_time=time(9),
        end_time=time(10),
        timezone="Europe/Berlin",
        weekdays=[MON],
        count=2,
    )
    assert [s.starts_at for s in slots] == [
        datetime(2027, 10, 25, 7, tzinfo=UTC),
        datetime(2027, 11, 1, 8, tzinfo=UTC),
    ]


def test_a_time_skipped_by_spring_forward_is_refused_with_the_date():
    with pytest.raises(InvalidInput, match="02:30 does not exist on Sunday 14 March 2027"):
        expand(
            first_date=date(2027, 3, 14), start_time=time(2, 30), end_time=time(3, 30), timezone=NY
        )


def test_an_ambiguous_fall_back_time_means_the_first_one():
    (slot,) = expand(
        first_date=date(2027, 11, 7), start_time=time(1, 15), end_time=time(1, 45), timezone=NY
    )
    assert slot.starts_at == datetime(2027, 11, 7, 5, 15, tzinfo=UTC)  # 01:15 EDT, not EST


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start_time": time(10), "end_time": time(9)}, "end time must be after"),
        ({"start_time": time(9), "end_time": time(9)}, "end time must be after"),
        ({"start_time": time(6), "end_time": time(18, 30)}, "at most 12 hours"),
        ({"start_time": time(9), "end_time": time(9, 10)}, "at least 15 minutes"),
        ({"weekdays": [MON], "until_date": date(2027, 12, 31)}, "at most 26 weeks"),
        ({"weekdays": [MON], "count": 183}, "from 1 to 182"),
        ({"weekdays": [MON, WED, FRI, 6], "count": 120}, "at most 26 weeks"),
        ({"weekdays": [], "count": 3}, "at least one day"),
        ({"weekdays": [MON]}, "either an end date or a number"),
        ({"weekdays": [MON], "until_date": date(2027, 1, 1)}, "before the first date"),
    ],
)
def test_schedules_outside_the_rules_are_refused(kwargs, message):
    base = {
        "first_date": date(2027, 3, 1),
        "start_time": time(9),
        "end_time": time(10),
        "timezone": NY,
    }
    with pytest.raises(InvalidInput, match=message):
        expand(**{**base, **kwargs})


def test_twenty_six_weeks_is_the_limit():
    slots = expand(
        first_date=date(2027, 3, 1),
        start_time=time(9),
        end_time=time(10),
        timezone=NY,
        weekdays=[MON],
        until_date=date(2027, 8, 23),
    )
    assert len(slots) == 26
