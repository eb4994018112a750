"""A weekly request says its days wherever it is listed, so two requests can be told apart."""

from datetime import date, time
from types import SimpleNamespace

import pytest

from webapp.main.template_helpers import schedule_text


def _request(**fields):
    base = dict(
        repeat="weekly",
        weekdays=0b10101,  # Mon, Wed, Fri
        start_time=time(9),
        end_time=time(10),
        first_date=date(2026, 11, 30),
        until_date=date(2026, 12, 25),
    )
    return SimpleNamespace(**{**base, **fields})


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({}, "Mon, Wed, Fri 09:00–10:00 until 25 Dec"),
        ({"until_date": date(2027, 1, 8)}, "Mon, Wed, Fri 09:00–10:00 until 8 Jan 2027"),
        ({"weekdays": 0b11111}, "Mon–Fri 09:00–10:00 until 25 Dec"),
        ({"weekdays": 0b1111111}, "Every day, 09:00–10:00 until 25 Dec"),
        ({"repeat": "once", "until_date": None}, "Mon 30 Nov 2026, 09:00–10:00"),
    ],
)
def test_schedule_text(fields, text):
    assert schedule_text(_request(**fields)) == text


def test_two_weekly_requests_are_told_apart_on_every_page(
    patient, patient_client, verified_aide_client, post_request
):
    first = post_request(patient, weekdays=[0, 2, 4], count=6, start="09:00", end="10:00")
    second = post_request(patient, weekdays=[1, 3], count=4, start="14:00", end="15:00")
    listing = patient_client.get("/requests").get_data(as_text=True)
    assert "Mon, Wed, Fri 09:00–10:00 until " in listing
    assert "Tue, Thu 14:00–15:00 until " in listing
    detail = patient_client.get(f"/requests/{first.id}").get_data(as_text=True)
    assert "Mon, Wed, Fri 09:00–10:00 until " in detail
    board = verified_aide_client.get("/board").get_data(as_text=True)
    assert "part of a series: Tue, Thu 14:00–15:00 until " in board
    assert second.id != first.id
