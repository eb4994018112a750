"""The dashboards: what they list of the next and recent visits, and the patient's (visits, trends,
charts) costs the same queries at 2 or 12 visits."""

import re
from datetime import timedelta

from tests.scheduling.test_board_queries import count_queries
from webapp.database import utcnow
from webapp.extensions import db
from webapp.scheduling.models import Visit
from webapp.visits.models import TaskLog, VisitReport


def complete_past_visits(app, request_id, aide_id):
    """Turn a request's slots into completed visits over the last weeks, with logs."""
    with app.app_context():
        visits = db.session.scalars(db.select(Visit).where(Visit.request_id == request_id)).all()
        for index, visit in enumerate(visits):
            visit.starts_at = utcnow() - timedelta(days=3 * index + 1)
            visit.ends_at = visit.starts_at + timedelta(hours=1)
            visit.status, visit.aide_id = "completed", aide_id
            db.session.add(
                VisitReport(
                    visit_id=visit.id,
                    checked_in_at=visit.starts_at,
                    checked_out_at=visit.ends_at,
                    pain_before=5,
                    pain_after=3,
                )
            )
            for item in visit.request.tasks:
                db.session.add(
                    TaskLog(
                        visit_id=visit.id,
                        routine_item_id=item.id,
                        exercise_slug=item.exercise_slug,
                        status="done" if index % 2 else "partly",
                        reason=None if index % 2 else "pain",
                        recorded_by_id=aide_id,
                    )
                )
        db.session.commit()


def dashboard_queries(app, client):
    with count_queries(app) as statements:
        page = client.get("/dashboard").get_data(as_text=True)
    return len(statements), page


def test_dashboard_queries_do_not_grow_with_visits(
    app, patient, patient_client, verified_aide, post_request
):
    first = post_request(patient, weekdays=[0, 3], count=2, tasks=("thomas-stretch", "cold-pack"))
    complete_past_visits(app, first.id, verified_aide.id)
    small, page = dashboard_queries(app, patient_client)
    assert page.count("<td>5</td><td>3</td>") == 2

    more = post_request(patient, weekdays=[1, 4], count=10, tasks=("thomas-stretch", "cold-pack"))
    complete_past_visits(app, more.id, verified_aide.id)
    large, page = dashboard_queries(app, patient_client)
    assert page.count("<td>5</td><td>3</td>") == 12
    print(f"\n[queries] patient dashboard: {small} with 2 visits, {large} with 12")
    assert large == small, f"{small} queries with 2 visits, {large} with 12"


def test_the_next_visits_say_who_is_coming_and_what_for(
    app, patient, patient_client, verified_aide, post_request
):
    posted = post_request(
        patient, weekdays=[0, 3], count=2, tasks=("cold-pack", "thomas-stretch"), medications=True
    )
    page = patient_client.get("/dashboard").get_data(as_text=True)
    asked = "Cold pack on the front of the hip, Thomas stretch, Medications"
    assert page.count(f"Not covered yet · {asked}</p>") == 2
    with app.app_context():
        first = db.session.scalars(
            db.select(Visit).where(Visit.request_id == posted.id).order_by(Visit.starts_at)
        ).first()
        first.status, first.aide_id = "booked", verified_aide.id
        db.session.commit()
    page = patient_client.get("/dashboard").get_data(as_text=True)
    assert f"{verified_aide.display_name} is coming · {asked}</p>" in page
    assert page.count(f"Not covered yet · {asked}</p>") == 1
    assert page.index("is coming") < page.index("Not covered yet")  # soonest first


def test_the_aide_sees_their_next_five_visits_with_whom_and_what_for(
    app, patient, verified_aide, verified_aide_client, post_request
):
    posted = post_request(
        patient, weekdays=[0, 2, 4], count=8, tasks=("cold-pack", "thomas-stretch")
    )
    with app.app_context():
        visits = db.session.scalars(
            db.select(Visit).where(Visit.request_id == posted.id).order_by(Visit.starts_at)
        ).all()
        for visit in visits[1:]:  # the first stays open: not the aide's
            visit.status, visit.aide_id = "booked", verified_aide.id
        db.session.commit()
        ids = [visit.id for visit in visits]
    page = verified_aide_client.get("/dashboard").get_data(as_text=True)
    shown = f"<p>{patient.display_name} · Cold pack on the front of the hip, Thomas stretch</p>"
    assert page.count(shown) == 5
    links = [int(found) for found in re.findall(r'href="/visits/(\d+)">Open', page)]
    assert links == ids[1:6]  # the booked ones, soonest first
