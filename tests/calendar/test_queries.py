"""Calendar pages and feeds cost the same queries after a week or a year of history."""

from datetime import timedelta

from tests.calendar.test_feeds import events
from tests.scheduling.test_board_queries import count_queries
from webapp.coverage.models import FamilyCover
from webapp.database import utcnow
from webapp.extensions import db
from webapp.scheduling.models import Visit


def add_history(app, patient, aide, member, post_request, days: int) -> None:
    """A visit every day and a family cover every other evening, over the last `days` days."""
    request = post_request(patient, weekdays=list(range(7)), count=min(days, 182))
    now = utcnow()
    with app.app_context():
        visits = db.session.scalars(db.select(Visit).where(Visit.request_id == request.id)).all()
        step = days / len(visits)
        for index, visit in enumerate(visits):
            visit.starts_at = now - timedelta(days=index * step + 1)
            visit.ends_at = visit.starts_at + timedelta(hours=1)
            visit.status, visit.aide_id = "completed", aide.id
        for day in range(0, days, 2):
            starts_at = now - timedelta(days=day, hours=3)
            db.session.add(
                FamilyCover(
                    patient_id=patient.id,
                    member_id=member.id,
                    part_of_day="evening",
                    window_starts_at=starts_at,
                    window_ends_at=starts_at + timedelta(hours=2),
                    released_at=now if day % 4 else None,
                )
            )
        db.session.commit()


def measure(app, clients: dict, paths: dict) -> tuple[dict, dict]:
    """Queries per page, and what each page showed (entries or events)."""
    counts, shown = {}, {}
    for name, path in paths.items():
        with count_queries(app) as statements:
            response = clients[name.split()[0]].get(path)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(statements)
        body = response.get_data()
        shown[name] = len(events_of(body)) if path.endswith(".ics") else body.count(b"cal-entry--")
    return counts, shown


def events_of(body: bytes):
    from icalendar import Calendar

    return events(Calendar.from_ical(body))


def test_calendar_queries_do_not_grow_with_history(
    app, client, patient, patient_client, family, family_client, verified_aide,
    verified_aide_client, join_circle, post_request, helper_routine, make_feed,
):  # fmt: skip
    helper_routine(patient)
    join_circle(patient, family)
    clients = {"patient": patient_client, "family": family_client, "aide": verified_aide_client}
    clients["feed"] = client
    paths = {
        f"patient {view}": f"/patients/{patient.id}/calendar?view={view}"
        for view in ("month", "week", "agenda")
    }
    paths["family all"] = "/calendar?view=month"
    paths["aide own"] = "/calendar?view=month"
    paths["feed patient"] = make_feed(patient_client, f"patient-{patient.id}")
    paths["feed aide"] = make_feed(verified_aide_client, "visits")

    add_history(app, patient, verified_aide, family, post_request, days=7)
    small, small_shown = measure(app, clients, paths)
    add_history(app, patient, verified_aide, family, post_request, days=365)
    large, large_shown = measure(app, clients, paths)

    print(f"\n[queries] calendar after a week: {small}\n[queries] after a year: {large}")
    assert large == small
    # The pages did show more the second time: the history is on them, not left out.
    assert large_shown["patient month"] > small_shown["patient month"]
    assert large_shown["feed patient"] > small_shown["feed patient"]
    assert large_shown["feed aide"] > small_shown["feed aide"]
