"""The coverage page: headline, gaps first, names for coordinators and counts for viewers."""

import re
from datetime import timedelta

from tests.coverage.conftest import next_monday
from webapp.visits.models import AuditEvent


def page(client, patient, **args):
    return client.get(f"/patients/{patient.id}/coverage", query_string=args)


def test_headline_counts_covered_windows_and_lists_gaps_first(
    app, patient, coordinator, coordinator_client, verified_aide, add_item, aide_visit
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning", "evening"))
    aide_visit(patient, verified_aide, monday, "08:00", "10:00")
    aide_visit(patient, verified_aide, monday + timedelta(days=2), "18:00", "19:00")
    coordinator_client.post(
        f"/patients/{patient.id}/coverage/cover",
        data={"day": (monday + timedelta(days=1)).isoformat(), "part": "evening"},
    )
    response = page(coordinator_client, patient, week=monday.isoformat())
    assert response.status_code == 200
    html = response.text
    assert "3 of 14 windows covered in the week from Mon" in html
    assert html.index("Gaps (11)") < html.index("Covered (3)")
    assert "Vera Verified (booked)" in html and "Dana Coordinator (you)" in html
    default = page(coordinator_client, patient).text
    assert "windows covered this week" in default and "windows covered next week" in default


def test_viewers_see_states_but_not_exercise_or_medication_names(
    app, patient, viewer_client, coordinator_client, add_item, add_medication, store
):
    add_item(patient, "thomas-stretch", parts=("evening",))
    add_item(patient, "runners-lunge", parts=("evening",))
    add_medication(patient, "Naproxen", parts=("evening",))
    seen_by_viewer = page(viewer_client, patient).text
    assert "Needs: 2 exercises, medications" in seen_by_viewer
    assert "Thomas stretch" not in seen_by_viewer and "I'll do it" not in seen_by_viewer
    assert store.count(AuditEvent) == 0
    seen_by_coordinator = page(coordinator_client, patient).text
    assert "Needs: Thomas stretch, Runner&#39;s lunge stretch, medications" in seen_by_coordinator
    assert "I'll do it" in seen_by_coordinator
    assert store.one(AuditEvent).what == "coverage: routine and medications"


def test_the_patient_sees_names_and_asks_an_aide_but_does_not_cover(
    patient, patient_client, add_item
):
    add_item(patient, "thomas-stretch", parts=("morning",))
    html = page(patient_client, patient).text
    assert "Needs: Thomas stretch" in html and "Ask an aide" in html
    assert "I'll do it" not in html


def test_outsiders_get_the_same_404_as_a_missing_page(
    app, patient, family_client, aide_client, add_item
):
    add_item(patient, "thomas-stretch")
    for client in (family_client, aide_client):
        assert page(client, patient).status_code == 404
    assert family_client.get("/patients/999999/coverage").status_code == 404


def test_a_malformed_or_far_week_is_refused_plainly(patient, patient_client, add_item):
    add_item(patient, "thomas-stretch")
    far = next_monday(60).isoformat()
    for week in ("2026-13-01", "next", "2026-1-5", "", "٢٠٢٦-١٢-٠٧", far):
        response = page(patient_client, patient, week=week)
        assert response.status_code == 400, week
        assert "within a year of today" in response.text


def test_an_aide_cancelling_turns_the_window_back_into_a_gap_at_once(
    app, patient, coordinator_client, verified_aide, login, add_item, aide_visit
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",), days=["Mon"])
    visit_id = aide_visit(patient, verified_aide, monday, "08:00", "10:00")
    assert (
        "1 of 1 window covered" in page(coordinator_client, patient, week=monday.isoformat()).text
    )
    aide_client = login(app.test_client(), verified_aide)
    assert aide_client.post(f"/visits/{visit_id}/cancel", data={}).status_code == 302
    html = page(coordinator_client, patient, week=monday.isoformat()).text
    assert "0 of 1 window covered" in html and "Gaps (1)" in html


def test_the_page_costs_the_same_queries_with_a_week_or_a_year_of_history(
    app,
    patient,
    coordinator,
    coordinator_client,
    verified_aide,
    add_item,
    add_medication,
    aide_visit,
):
    from tests.scheduling.test_board_queries import count_queries

    add_item(patient, "thomas-stretch", parts=("morning",))
    add_medication(patient)
    monday = next_monday()

    def queries():
        with count_queries(app) as statements:
            html = page(coordinator_client, patient, week=monday.isoformat()).text
        return len(statements), html

    aide_visit(patient, verified_aide, monday, "08:00", "09:00")
    queries()  # the hour's first view writes its audit line; the views measured only count
    small, html = queries()
    assert "2 of 14 windows covered" not in html and "1 of 14 windows covered" in html
    for offset in range(1, 7):  # the rest of the week, and more weeks of visits after it
        aide_visit(patient, verified_aide, monday + timedelta(days=offset), "08:00", "09:00")
    for week in range(1, 52):
        aide_visit(patient, verified_aide, monday + timedelta(weeks=week), "08:00", "09:00")
    large, html = queries()
    assert "7 of 14 windows covered" in html
    assert small == large, (small, large)
    print(f"\n[queries] coverage page after a week: {small}, after a year: {large}")
    assert re.search(r"Gaps \(7\)", html)


def test_the_board_tells_aides_which_slots_family_already_covers(
    app, patient, coordinator_client, verified_aide_client, add_item, post_request
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",))
    coordinator_client.post(
        f"/patients/{patient.id}/coverage/cover",
        data={"day": monday.isoformat(), "part": "morning"},
    )
    post_request(patient, first_date=monday, start="09:00", end="11:00")
    post_request(patient, first_date=monday + timedelta(days=1), start="09:00", end="11:00")
    board = verified_aide_client.get("/board").text
    assert board.count("Family covers part") == 1
    assert "will be there for the morning of this slot" in board
    assert "Dana Coordinator" not in board


def test_the_board_names_each_covered_part_once_in_day_order_and_only_live_covers(
    app,
    patient,
    coordinator,
    coordinator_client,
    verified_aide_client,
    add_item,
    post_request,
    store,
):
    from webapp.coverage.models import FamilyCover

    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning", "evening", "bedtime"))
    for day in (monday, monday + timedelta(days=1)):
        for part in ("bedtime", "evening", "morning"):
            response = coordinator_client.post(
                f"/patients/{patient.id}/coverage/cover",
                data={"day": day.isoformat(), "part": part},
            )
            assert response.status_code == 302
    post_request(
        patient, first_date=monday, start="09:30", end="21:30", weekdays=list(range(7)), count=2
    )

    def family_lines() -> list[str]:
        board = verified_aide_client.get("/board").text
        return re.findall(r"will be there for the ([a-z ]+) of this slot", board)

    assert family_lines() == ["morning and evening and bedtime"] * 2
    # Given back: the evening of the first day is open again, on the board too.
    evening = min(
        store.all(FamilyCover, patient_id=patient.id, part_of_day="evening"),
        key=lambda cover: cover.window_starts_at,
    )
    response = coordinator_client.post(
        f"/patients/{patient.id}/coverage/covers/{evening.id}/give-back", data={}
    )
    assert response.status_code == 302
    assert sorted(family_lines()) == ["morning and bedtime", "morning and evening and bedtime"]
    # A relative who leaves the circle no longer covers anything.
    assert coordinator_client.post(f"/circles/{patient.id}/leave", data={}).status_code == 302
    assert family_lines() == []
