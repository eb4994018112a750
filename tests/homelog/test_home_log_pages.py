"""The home log list pages by keyset at a fixed query cost, and the dashboard counts the whole
routine: sessions at home and visits with an aide, each named as such."""

import re
from datetime import timedelta

from tests.homelog.conftest import session_form
from tests.scheduling.test_board_queries import count_queries
from webapp.care.models import RoutineItem
from webapp.database import utcnow
from webapp.extensions import db
from webapp.homelog.models import HomeSession, HomeTaskLog
from webapp.scheduling.models import Visit
from webapp.visits.models import TaskLog, VisitReport


def add_sessions(app, patient, routine, count, start=0):
    """Sessions an hour apart going back from now, each with two exercises logged."""
    with app.app_context():
        for n in range(start, start + count):
            session = HomeSession(
                patient_id=patient.id,
                recorded_by_id=patient.id,
                done_at=utcnow() - timedelta(hours=n + 1),
                part_of_day="morning",
                pain_before=3,
                pain_after=2,
                notes=f"Session number {n}.",
            )
            for item in routine["items"].values():
                session.tasks.append(
                    HomeTaskLog(
                        routine_item_id=item.id, exercise_slug=item.exercise_slug, status="done"
                    )
                )
            db.session.add(session)
        db.session.commit()


def list_page(app, client, path):
    with count_queries(app) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements), response.text


def test_the_list_costs_the_same_queries_at_3_and_60_sessions(
    app, patient, patient_client, routine
):
    path = f"/patients/{patient.id}/home-log"
    add_sessions(app, patient, routine, 3)
    small, page = list_page(app, patient_client, path)
    assert page.count('class="card slot"') == 3 and "Older sessions" not in page

    add_sessions(app, patient, routine, 57, start=3)
    large, page = list_page(app, patient_client, path)
    print(f"\n[queries] home log: {small} with 3 sessions, {large} with 60")
    assert large == small, f"{small} queries with 3 sessions, {large} with 60"

    seen = []
    while True:
        seen += re.findall(r"/home-log/(\d+)\"", page)
        older = re.search(r'href="([^"]*before=[^"]*)">Older sessions', page)
        if not older:
            break
        assert page.count('class="card slot"') == 20
        _, page = list_page(app, patient_client, older.group(1).replace("&amp;", "&"))
    ids = [int(session_id) for session_id in seen]
    assert len(set(ids)) == 60 and ids == sorted(ids)  # every session once; newest (first) first


def test_a_mangled_page_link_shows_the_newest_page(app, patient, patient_client, routine):
    add_sessions(app, patient, routine, 2)
    page = patient_client.get(f"/patients/{patient.id}/home-log?before=yesterday").text
    assert page.count('class="card slot"') == 2


def complete_visit_now(app, request_id, aide_id, statuses):
    """The request's visit began a minute ago and is completed, with the tasks logged."""
    with app.app_context():
        visit = db.session.scalars(db.select(Visit).where(Visit.request_id == request_id)).first()
        visit.starts_at = utcnow() - timedelta(minutes=1)
        visit.ends_at = visit.starts_at + timedelta(hours=1)
        visit.status, visit.aide_id = "completed", aide_id
        db.session.add(
            VisitReport(
                visit_id=visit.id,
                checked_in_at=visit.starts_at,
                checked_out_at=visit.starts_at + timedelta(seconds=30),
                pain_before=5,
                pain_after=4,
            )
        )
        for item in visit.request.tasks:
            status = statuses[item.exercise_slug]
            db.session.add(
                TaskLog(
                    visit_id=visit.id,
                    routine_item_id=item.id,
                    exercise_slug=item.exercise_slug,
                    status=status,
                    reason=None if status == "done" else "pain",
                    recorded_by_id=aide_id,
                )
            )
        db.session.commit()


def test_adherence_counts_home_sessions_and_visits(
    app, patient, patient_client, routine, verified_aide, post_request, store
):
    # At home: Thomas stretch done, cold pack skipped. With an aide: Thomas done, cold pack partly.
    response = patient_client.post(
        f"/patients/{patient.id}/home-log/new", data=session_form(routine, ago=timedelta(0))
    )
    assert response.status_code == 302
    request = post_request(patient, tasks=("thomas-stretch", "cold-pack"))
    complete_visit_now(
        app, request.id, verified_aide.id, {"thomas-stretch": "done", "cold-pack": "partly"}
    )
    # Both exercises were added today: planned today only, their times a day.
    planned = sum(item.times_per_day for item in store.all(RoutineItem, patient_id=patient.id))
    page = patient_client.get("/dashboard").text
    text = " ".join(page.split())
    assert f"Done 2 of {planned} planned times this week so far: 1 at home, 1 with an aide." in text
    assert "Partly done 1 more time." in text
    assert "<td>At home</td><td>4</td><td>3</td>" in page
    assert "<td>With an aide</td><td>5</td><td>4</td>" in page
    assert "■ Square: session at home" in page and "● Circle: visit with an aide" in page
    assert f"<td>1</td><td>1</td><td>1</td><td>{planned}</td>" in page  # this week's row


def test_the_dashboard_counts_the_circle_with_or_without_sessions_at_home(
    app, patient, patient_client, routine, make_user
):
    from tests.homelog.conftest import join_circle

    page = patient_client.get("/dashboard").text
    assert "Invite family or friends to share your calendar" in page
    join_circle(app, patient, make_user("family", name="Dana Daughter"), "coordinator")
    assert "1 person in your care circle." in patient_client.get("/dashboard").text
    add_sessions(app, patient, routine, 3)
    join_circle(app, patient, make_user("family", name="Sam Son"), "viewer")
    page = patient_client.get("/dashboard").text
    assert "2 people in your care circle." in page
    assert "Invite family or friends" not in page
