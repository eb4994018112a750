"""Care windows come from the routine and medications; each one is aide, family, done or gap."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.coverage.conftest import next_monday
from tests.scheduling.test_board_queries import count_queries
from webapp.auth.models import User
from webapp.coverage import covers
from webapp.coverage import services as coverage
from webapp.coverage.models import FamilyCover
from webapp.extensions import db
from webapp.homelog.models import HomeSession

NOW = datetime.now(UTC)


def windows_of(app, patient, first_day, days=7, now=None):
    with app.app_context():
        owner = db.session.get(User, patient.id)
        return coverage.coverage_for(owner, first_day, days, now or datetime.now(UTC))


def test_helper_exercises_and_medications_make_one_window_per_day_and_part(
    app, patient, add_item, add_medication
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",), days=["Mon", "Wed"])
    add_item(patient, "runners-lunge", parts=("morning", "evening"), days=["Mon"])
    add_item(patient, "cold-pack", parts=("afternoon",), helper=False)  # no helper needed
    add_medication(patient, "Naproxen", parts=("evening",))
    add_medication(patient, "Ibuprofen", parts=("evening",))
    rows = windows_of(app, patient, monday)
    keys = [(row.window.day.weekday(), row.window.part) for row in rows]
    # Medications every evening; exercises on their own days; one window per day and part.
    assert keys == [
        (0, "morning"),
        (0, "evening"),
        (1, "evening"),
        (2, "morning"),
        (2, "evening"),
    ] + [(day, "evening") for day in (3, 4, 5, 6)]
    monday_morning, monday_evening = rows[0].window, rows[1].window
    assert monday_morning.needs == ("Thomas stretch", "Runner's lunge stretch")
    assert monday_evening.needs == ("Runner's lunge stretch", "medications")
    assert rows[2].window.needs == ("medications",)
    assert all(row.state == "gap" for row in rows)
    # Default clock times (morning 08:00-10:00, evening 18:00-20:00) in the patient's zone.
    local = monday_morning.starts_at.astimezone(ZoneInfo(patient.timezone))
    assert (local.hour, local.minute) == (8, 0)
    assert monday_morning.ends_at - monday_morning.starts_at == timedelta(hours=2)
    assert monday_morning.part_label == "Morning"


def test_own_part_times_win_and_a_daylight_saving_day_keeps_its_wall_clock(
    app, make_user, add_item, set_part
):
    patient = make_user("patient", timezone="America/New_York")
    set_part(patient, "morning", "07:30", "09:00")
    add_item(patient, "thomas-stretch", parts=("morning", "bedtime"))
    # 2027-03-14: clocks spring forward in New York; 2027-11-07: they fall back.
    for day, offset in ((date(2027, 3, 13), 5), (date(2027, 3, 14), 4), (date(2027, 11, 7), 5)):
        rows = windows_of(app, patient, day, days=1, now=datetime(2027, 1, 1, tzinfo=UTC))
        morning, bedtime = rows[0].window, rows[1].window
        assert morning.starts_at == datetime.combine(day, time(7 + offset, 30), tzinfo=UTC)
        assert morning.ends_at == datetime.combine(day, time(9 + offset), tzinfo=UTC)
        assert bedtime.starts_at == datetime.combine(day, time(21), tzinfo=UTC) + timedelta(
            hours=offset
        )


def test_each_state_aide_family_done_gap(
    app, patient, coordinator, verified_aide, add_item, aide_visit, store
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",))
    aide_visit(patient, verified_aide, monday, "09:00", "11:00")  # overlaps 08:00-10:00
    with app.app_context():
        owner = db.session.get(User, patient.id)
        tuesday = coverage.care_window(owner, monday + timedelta(days=1), "morning")
        wednesday = coverage.care_window(owner, monday + timedelta(days=2), "morning")
        db.session.add(
            FamilyCover(
                patient_id=patient.id,
                member_id=coordinator.id,
                part_of_day="morning",
                window_starts_at=tuesday.starts_at,
                window_ends_at=tuesday.ends_at,
            )
        )
        db.session.add(
            HomeSession(
                patient_id=patient.id,
                recorded_by_id=patient.id,
                done_at=wednesday.starts_at + timedelta(minutes=20),
                part_of_day="morning",
            )
        )
        db.session.commit()
    rows = windows_of(app, patient, monday, days=4)
    assert [row.state for row in rows] == ["aide", "family", "done", "gap"]
    assert rows[0].visit.aide_name == verified_aide.display_name
    assert rows[1].cover.member_name == "Dana Coordinator"
    assert rows[2].home_session is not None and rows[3].visit is None


def test_a_visit_that_only_touches_the_window_does_not_cover_it(
    app, patient, verified_aide, add_item, aide_visit
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",))
    aide_visit(patient, verified_aide, monday, "10:00", "11:00")  # morning ends at 10:00
    assert windows_of(app, patient, monday, days=1)[0].state == "gap"


def test_an_open_or_cancelled_visit_is_not_cover(app, patient, add_item, post_request):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",))
    post_request(patient, first_date=monday, start="08:00", end="10:00")  # open, no aide
    assert windows_of(app, patient, monday, days=1)[0].state == "gap"


def test_coverage_costs_the_same_queries_for_a_week_and_a_year(
    app, patient, coordinator, verified_aide, add_item, add_medication, aide_visit
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning", "evening"))
    add_medication(patient)
    for offset in range(0, 21, 3):
        aide_visit(patient, verified_aide, monday + timedelta(days=offset), "08:00", "09:00")

    def queries(days):
        with app.app_context():
            owner = db.session.get(User, patient.id)
            with count_queries(app) as statements:
                rows = coverage.coverage_for(owner, monday, days, NOW)
        return len(statements), rows

    week, rows = queries(7)
    year, many = queries(366)
    assert sum(row.state == "aide" for row in rows) == 3
    assert sum(row.state == "aide" for row in many) == 7
    assert len(many) == 366 * 2
    assert week == year == 1


def test_slots_on_the_board_know_which_family_covers_they_overlap(
    app, patient, coordinator, coordinator_client, add_item, post_request, store
):
    from webapp.scheduling.models import Visit

    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",))
    coordinator_client.post(
        f"/patients/{patient.id}/coverage/cover",
        data={"day": monday.isoformat(), "part": "morning"},
    )
    overlapping = post_request(patient, first_date=monday, start="09:00", end="11:00")
    elsewhere = post_request(patient, first_date=monday, start="10:00", end="11:00")
    with app.app_context():
        visits = db.session.scalars(db.select(Visit).order_by(Visit.id)).all()
        covered = covers.family_covered(visits)
        assert set(covered) == {visits[0].id}
        assert [cover.part_of_day for cover in covered[visits[0].id]] == ["morning"]
    assert {overlapping.id, elsewhere.id} == {v.request_id for v in store.all(Visit)}


def test_a_missed_visit_leaves_its_window_a_gap(app, patient, verified_aide, add_item, aide_visit):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",))
    aide_visit(patient, verified_aide, monday, "08:00", "10:00", status="no_show")
    assert windows_of(app, patient, monday, days=1)[0].state == "gap"


def test_several_patients_at_once_cost_one_query_and_match_each_one_alone(
    app, patient, make_user, coordinator, verified_aide, add_item, add_medication, set_part,
    aide_visit, join_circle,
):  # fmt: skip
    """A relative's dashboard asks for every circle together: each patient keeps their own
    zone, hours, routine, visits and covers, and nothing of one leaks into another's."""
    monday = next_monday()
    tokyo = make_user("patient", name="Kenji Tokyo", timezone="Asia/Tokyo")
    quiet = make_user("patient", name="Quinn Quiet")  # nothing needs a helper
    join_circle(tokyo, coordinator)
    add_item(patient, "thomas-stretch", parts=("morning",))
    add_medication(patient, parts=("evening",))
    add_item(tokyo, "runners-lunge", parts=("midday",), days=["Tue"])
    set_part(tokyo, "midday", "11:00", "12:30")
    aide_visit(patient, verified_aide, monday, "08:00", "09:00")
    aide_visit(tokyo, verified_aide, monday + timedelta(days=1), "11:00", "12:00")
    with app.app_context():
        db.session.add(
            FamilyCover(
                patient_id=patient.id,
                member_id=coordinator.id,
                part_of_day="evening",
                window_starts_at=datetime.combine(monday, time(23), UTC),
                window_ends_at=datetime.combine(monday + timedelta(days=1), time(1), UTC),
            )
        )
        db.session.commit()

    def summary(rows):
        return [
            (r.window.day, r.window.part, r.window.starts_at, r.window.needs, r.state) for r in rows
        ]

    with app.app_context():
        people = [db.session.get(User, person.id) for person in (patient, tokyo, quiet)]
        asks = [(person, monday, 7) for person in people]
        with count_queries(app) as statements:
            together = coverage.coverage_for_many(asks, NOW)
        alone = {
            person.id: summary(coverage.coverage_for(person, monday, 7, NOW)) for person in people
        }
    assert len(statements) == 1
    assert {pid: summary(rows) for pid, rows in together.items()} == alone
    assert [row[4] for row in alone[patient.id][:2]] == ["aide", "family"]
    assert alone[tokyo.id] == [
        (
            monday + timedelta(days=1),
            "midday",
            datetime.combine(monday + timedelta(days=1), time(2), UTC),  # 11:00 in Tokyo
            ("Runner's lunge stretch",),
            "aide",
        )
    ]
    assert alone[quiet.id] == []
