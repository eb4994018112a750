"""Setting the hours of the parts of the day, and turning gaps into a request for an aide."""

import re
from datetime import time, timedelta
from urllib.parse import parse_qs, urlparse

from tests.conftest import field_error
from tests.coverage.conftest import next_monday
from webapp.coverage.models import DayPart, FamilyCover

HOURS = {
    "morning_start": "07:00",
    "morning_end": "09:00",
    "evening_start": "18:30",
    "evening_end": "20:00",
}


def test_the_patient_sets_their_morning_and_evening_hours(patient, patient_client, store):
    page = patient_client.get(f"/patients/{patient.id}/day-parts")
    assert page.status_code == 200 and "08:00–10:00" in page.text and "the usual hours" in page.text
    response = patient_client.post(f"/patients/{patient.id}/day-parts", data=HOURS)
    assert response.status_code == 302
    saved = {row.part: (row.starts_at, row.ends_at) for row in store.all(DayPart)}
    assert saved == {
        "morning": (time(7), time(9)),
        "evening": (time(18, 30), time(20)),
    }
    # Emptying a part's times puts it back on the usual hours.
    patient_client.post(f"/patients/{patient.id}/day-parts", data={**HOURS, "evening_start": ""})
    assert store.count(DayPart) == 2  # one time of a pair missing: refused, nothing changed
    patient_client.post(
        f"/patients/{patient.id}/day-parts", data={**HOURS, "evening_start": "", "evening_end": ""}
    )
    assert [row.part for row in store.all(DayPart)] == ["morning"]
    # An empty form is a mistake, not a wish to forget every hour.
    empty = patient_client.post(f"/patients/{patient.id}/day-parts", data={})
    assert empty.status_code == 422 and "at least one part of the day" in empty.text
    assert store.count(DayPart) == 1


def test_end_before_start_or_overlapping_parts_are_field_errors_and_save_nothing(
    patient, coordinator_client, viewer_client, store
):
    url = f"/patients/{patient.id}/day-parts"
    backwards = coordinator_client.post(url, data={**HOURS, "morning_end": "06:00"})
    assert backwards.status_code == 422
    assert field_error(backwards.text, "morning_end") == "Morning must end after it starts."
    overlap = coordinator_client.post(url, data={**HOURS, "morning_end": "12:30"})
    assert overlap.status_code == 422
    assert "Midday starts before morning ends" in field_error(overlap.text, "midday_start")
    garbled = coordinator_client.post(url, data={**HOURS, "morning_start": "7 am"})
    assert garbled.status_code == 422
    assert viewer_client.post(url, data=HOURS).status_code == 404
    assert store.count(DayPart) == 0


def test_one_gap_becomes_a_prefilled_one_off_request(
    patient, patient_client, add_item, add_medication
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("evening",), days=["Mon"])
    add_medication(patient, parts=("evening",))
    response = patient_client.get(
        f"/patients/{patient.id}/coverage/ask-an-aide?part=evening&day={monday}"
    )
    assert response.status_code == 302
    target = urlparse(response.headers["Location"])
    args = parse_qs(target.query)
    assert target.path == f"/patients/{patient.id}/requests/new"
    assert args["first_date"] == [monday.isoformat()] and args["repeat"] == ["once"]
    assert (args["start_time"], args["end_time"]) == (["18:00"], ["20:00"])
    assert args["includes_medications"] == ["y"] and len(args["tasks"]) == 1


def test_every_morning_gap_of_a_week_becomes_a_weekly_request_until_the_last(
    patient, patient_client, verified_aide, add_item, aide_visit
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",), days=["Mon", "Wed", "Fri"])
    aide_visit(patient, verified_aide, monday + timedelta(days=2), "08:00", "10:00")  # Wed held
    response = patient_client.get(
        f"/patients/{patient.id}/coverage/ask-an-aide?part=morning&week={monday}"
    )
    args = parse_qs(urlparse(response.headers["Location"]).query)
    assert args["repeat"] == ["weekly"] and args["weekdays"] == ["0", "4"]
    assert args["first_date"] == [monday.isoformat()]
    assert args["until_date"] == [(monday + timedelta(days=4)).isoformat()]
    assert "includes_medications" not in args


def test_asking_an_aide_refuses_bad_input_and_viewers(
    patient, patient_client, coordinator_client, viewer_client, add_item
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",))
    url = f"/patients/{patient.id}/coverage/ask-an-aide"
    assert patient_client.get(f"{url}?part=noon&day={monday}").status_code == 400
    assert patient_client.get(f"{url}?part=morning&day=someday").status_code == 400
    assert patient_client.get(f"{url}?part=morning").status_code == 400
    nothing = patient_client.get(f"{url}?part=evening&day={monday}")
    assert nothing.status_code == 302 and "/coverage" in nothing.headers["Location"]
    assert viewer_client.get(f"{url}?part=morning&day={monday}").status_code == 404
    coordinator = coordinator_client.get(f"{url}?part=morning&day={monday}")
    assert coordinator.status_code == 302
    assert coordinator.headers["Location"].startswith(f"/patients/{patient.id}/requests/new?")


def test_a_cover_still_to_come_follows_its_part_to_the_new_hours(
    patient, patient_client, coordinator_client, add_item, store
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",))
    coordinator_client.post(
        f"/patients/{patient.id}/coverage/cover",
        data={"day": monday.isoformat(), "part": "morning"},
    )
    before = store.one(FamilyCover)
    patient_client.post(f"/patients/{patient.id}/day-parts", data=HOURS)
    after = store.one(FamilyCover)
    assert after.window_starts_at == before.window_starts_at - timedelta(hours=1)
    assert after.window_ends_at == before.window_ends_at - timedelta(hours=1)
    html = coordinator_client.get(f"/patients/{patient.id}/coverage?week={monday}").text
    assert "1 of 7 windows covered" in html


def test_the_request_form_opens_with_the_gaps_tasks_days_and_times(
    patient, patient_client, add_item, add_medication
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",), days=["Mon", "Fri"])
    add_item(patient, "runners-lunge", parts=("evening",), days=["Mon"])
    add_medication(patient, parts=("evening",))
    link = patient_client.get(
        f"/patients/{patient.id}/coverage/ask-an-aide?part=morning&week={monday}"
    ).headers["Location"]
    form = patient_client.get(link).text
    checked = re.findall(r"<input[^>]*checked[^>]*>", form)
    assert any('value="weekly"' in box for box in checked)
    assert {
        re.search(r'value="(\d)"', box).group(1) for box in checked if 'name="weekdays"' in box
    } == {"0", "4"}
    assert not any('name="includes_medications"' in box for box in checked)  # due evenings
    tasks = [box for box in checked if 'name="tasks"' in box]
    assert len(tasks) == 1  # Thomas stretch only; the evening lunge is not in these windows
    assert f'value="{monday.isoformat()}"' in form and 'value="08:00"' in form
    assert f'value="{(monday + timedelta(days=4)).isoformat()}"' in form


def test_a_doctored_prefill_link_fills_in_nothing_unreadable(patient, patient_client, add_item):
    add_item(patient, "thomas-stretch", parts=("morning",))
    form = patient_client.get(
        "/requests/new?tasks=999999&first_date=2026-02-30&start_time=25:00&repeat=daily"
        "&weekdays=9&includes_medications=y"
    )
    assert form.status_code == 200
    html = form.text
    assert 'value="2026-02-30"' not in html and 'value="25:00"' not in html
    assert 'value="999999"' not in html and 'value="daily"' not in html
