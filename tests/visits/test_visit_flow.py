"""The aide at the bedside: check in, work through the routine, record pain and medication,
check out; the patient reads the summary, sees the trend and the audit log."""

from datetime import timedelta

import pytest

from tests.visits.conftest import log_form, move_visit
from webapp.scheduling.models import Visit
from webapp.visits.models import AuditEvent, MedicationLog, TaskLog, VisitLogEdit, VisitReport


def test_whole_visit_from_check_in_to_summary(
    app, verified_aide_client, patient_client, verified_aide, visit_setup, store
):
    visit = visit_setup["visit"]
    page = verified_aide_client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Avoid during recovery" in page and "Going up and down stairs" in page
    assert "Hug one knee toward your chest" in page  # the Thomas stretch card
    assert "Ibuprofen" in page and "Medications due during this visit" in page
    assert "Check in" in page

    response = verified_aide_client.post(f"/visits/{visit.id}/check-in", data={})
    assert response.status_code == 302
    assert store.one(Visit, id=visit.id).status == "checked_in"
    assert store.one(VisitReport, visit_id=visit.id).checked_in_at is not None

    move_visit(app, visit.id, minutes_from_now=-50)  # the hour is nearly over
    response = verified_aide_client.post(
        f"/visits/{visit.id}/log",
        data=log_form(visit_setup, save=None, save_and_check_out="Save and check out"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert store.one(Visit, id=visit.id).status == "completed"
    report = store.one(VisitReport, visit_id=visit.id)
    assert (report.pain_before, report.pain_after, report.safety_flag) == (4, 2, False)
    assert report.checked_out_at is not None
    logs = {log.exercise_slug: log for log in store.all(TaskLog, visit_id=visit.id)}
    assert (
        logs["runners-lunge"].status == "skipped" and logs["runners-lunge"].reason == "no_equipment"
    )
    assert logs["thomas-stretch"].sets_done == 3
    given = store.one(MedicationLog, visit_id=visit.id)
    assert given.outcome == "given" and given.recorded_by_id == verified_aide.id

    summary = patient_client.get(f"/visits/{visit.id}/summary").get_data(as_text=True)
    assert "Skipped: no equipment (No cushion for the knee today.)" in summary
    assert "Ibuprofen 400 mg" in summary and "Given at" in summary
    assert "Good session." in summary
    assert "Rate this visit" in summary

    dashboard = patient_client.get("/dashboard").get_data(as_text=True)
    assert "Pain before and after each visit" in dashboard
    assert "<td>4</td><td>2</td>" in dashboard  # the table behind the chart
    assert "Pain 4 → 2" in dashboard


def test_check_in_rules(app, verified_aide_client, visit_setup, store):
    visit = visit_setup["visit"]
    move_visit(app, visit.id, minutes_from_now=60)
    early = verified_aide_client.post(f"/visits/{visit.id}/check-in", data={})
    assert early.status_code == 409 and "Check-in opens at" in early.get_data(as_text=True)
    assert store.count(VisitReport) == 0

    move_visit(app, visit.id, minutes_from_now=14)
    assert verified_aide_client.post(f"/visits/{visit.id}/check-in", data={}).status_code == 302
    twice = verified_aide_client.post(
        f"/visits/{visit.id}/check-in", data={}, follow_redirects=True
    )
    assert twice.status_code == 200  # a double tap lands back on the visit, with a note
    assert "You are already checked in to this visit." in twice.get_data(as_text=True)
    assert store.count(VisitReport) == 1


def test_check_out_before_check_in_is_refused(verified_aide_client, visit_setup, store):
    visit = visit_setup["visit"]
    response = verified_aide_client.post(f"/visits/{visit.id}/check-out", data={})
    assert response.status_code == 409
    assert "Check in before you check out" in response.get_data(as_text=True)
    assert store.one(Visit, id=visit.id).status == "booked"


def test_check_in_on_a_cancelled_visit_is_refused(
    verified_aide_client, patient_client, visit_setup, store
):
    visit = visit_setup["visit"]
    patient_client.post(f"/visits/{visit.id}/cancel", data={})
    response = verified_aide_client.post(f"/visits/{visit.id}/check-in", data={})
    assert response.status_code == 404  # the aide no longer holds it
    assert store.count(VisitReport) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pain_before": "11"}, "from 0 (none) to 10"),
        ({"pain_after": "-1"}, "from 0 (none) to 10"),
        ({"pain_before": "bad"}, "from 0 (none) to 10"),
        ({"notes": "x" * 5001}, "under 5000"),
    ],
)
def test_bad_log_input_changes_nothing(verified_aide_client, visit_setup, store, changes, message):
    visit = visit_setup["visit"]
    verified_aide_client.post(f"/visits/{visit.id}/check-in", data={})
    response = verified_aide_client.post(
        f"/visits/{visit.id}/log", data=log_form(visit_setup, **changes)
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    report = store.one(VisitReport, visit_id=visit.id)
    assert (report.pain_before, report.pain_after, report.notes) == (None, None, None)
    assert store.count(TaskLog) == 0 and store.count(MedicationLog) == 0


def test_a_task_not_done_needs_a_reason(verified_aide_client, visit_setup, store):
    visit = visit_setup["visit"]
    lunge = visit_setup["items"]["runners-lunge"].id
    verified_aide_client.post(f"/visits/{visit.id}/check-in", data={})
    response = verified_aide_client.post(
        f"/visits/{visit.id}/log", data=log_form(visit_setup, **{f"task_{lunge}_reason": ""})
    )
    assert response.status_code == 422
    assert "Say why it was not fully done." in response.get_data(as_text=True)
    assert store.count(TaskLog) == 0


def test_given_medication_needs_a_time(verified_aide_client, visit_setup, store):
    visit = visit_setup["visit"]
    medication = visit_setup["medication"].id
    verified_aide_client.post(f"/visits/{visit.id}/check-in", data={})
    response = verified_aide_client.post(
        f"/visits/{visit.id}/log",
        data=log_form(visit_setup, **{f"medication_{medication}_given_at": ""}),
    )
    assert response.status_code == 422
    assert "Enter the time it was given." in response.get_data(as_text=True)


def test_log_before_check_in_is_refused(verified_aide_client, visit_setup, store):
    visit = visit_setup["visit"]
    response = verified_aide_client.post(f"/visits/{visit.id}/log", data=log_form(visit_setup))
    assert response.status_code in (409, 422)
    assert store.count(TaskLog) == 0


def test_safety_rule_stops_the_exercises_and_flags_the_visit(
    verified_aide_client, patient_client, visit_setup, store
):
    visit = visit_setup["visit"]
    verified_aide_client.post(f"/visits/{visit.id}/check-in", data={})
    response = verified_aide_client.post(
        f"/visits/{visit.id}/log",
        data=log_form(visit_setup, pain_before="3", pain_after="6"),
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Stop the exercises now" in page
    assert "contact their physical therapist" in page
    assert store.one(VisitReport, visit_id=visit.id).safety_flag is True
    dashboard = patient_client.get("/dashboard").get_data(as_text=True)
    assert "Exercises stopped because of pain" in dashboard


@pytest.mark.parametrize(
    ("before", "after", "flag"),
    [("7", "", True), ("2", "4", False), ("5", "8", True), ("6", "6", False)],
)
def test_safety_thresholds(verified_aide_client, visit_setup, store, before, after, flag):
    visit = visit_setup["visit"]
    verified_aide_client.post(f"/visits/{visit.id}/check-in", data={})
    verified_aide_client.post(
        f"/visits/{visit.id}/log", data=log_form(visit_setup, pain_before=before, pain_after=after)
    )
    assert store.one(VisitReport, visit_id=visit.id).safety_flag is flag


def test_edits_after_check_out_are_kept_and_close_after_24_hours(
    app, verified_aide_client, patient_client, visit_setup, store
):
    visit = visit_setup["visit"]
    verified_aide_client.post(f"/visits/{visit.id}/check-in", data={})
    move_visit(app, visit.id, minutes_from_now=-50)
    verified_aide_client.post(
        f"/visits/{visit.id}/log",
        data=log_form(visit_setup, save=None, save_and_check_out="Save and check out"),
    )
    assert store.count(VisitLogEdit) == 0
    response = verified_aide_client.post(
        f"/visits/{visit.id}/log", data=log_form(visit_setup, pain_after="3")
    )
    assert response.status_code == 302
    edit = store.one(VisitLogEdit, visit_id=visit.id)
    assert (edit.field, edit.old_value, edit.new_value) == ("pain_after", "2", "3")
    summary = patient_client.get(f"/visits/{visit.id}/summary").get_data(as_text=True)
    assert "Changes after the visit" in summary and "“2” → “3”" in summary

    with app.app_context():
        from webapp.extensions import db

        report = db.session.get(VisitReport, visit.id)
        report.checked_in_at -= timedelta(hours=26)
        report.checked_out_at -= timedelta(hours=25)
        db.session.commit()
    late = verified_aide_client.post(
        f"/visits/{visit.id}/log", data=log_form(visit_setup, pain_after="1")
    )
    assert late.status_code == 409
    assert store.one(VisitReport, visit_id=visit.id).pain_after == 3


def test_aide_without_the_visit_gets_404_everywhere(
    app, make_aide, login, visit_setup, verified_aide_client, store
):
    visit = visit_setup["visit"]
    verified_aide_client.post(f"/visits/{visit.id}/check-in", data={})
    stranger = login(app.test_client(), make_aide("Stan Stranger"))
    for method, path in [
        ("get", f"/visits/{visit.id}"),
        ("get", f"/visits/{visit.id}/summary"),
        ("post", f"/visits/{visit.id}/check-in"),
        ("post", f"/visits/{visit.id}/log"),
        ("post", f"/visits/{visit.id}/check-out"),
    ]:
        response = getattr(stranger, method)(path, data=log_form(visit_setup))
        assert response.status_code == 404, path
        assert "Ibuprofen" not in response.get_data(as_text=True)
    assert store.count(TaskLog) == 0
    assert store.count(AuditEvent, viewer_id=stranger_id(store)) == 0


def stranger_id(store):
    from webapp.auth.models import User

    return next(u.id for u in store.all(User) if u.display_name == "Stan Stranger")


def test_aide_loses_access_24_hours_after_the_visit(app, verified_aide_client, visit_setup):
    visit = visit_setup["visit"]
    move_visit(app, visit.id, minutes_from_now=-60 * 26, length_minutes=60)
    assert verified_aide_client.get(f"/visits/{visit.id}").status_code == 404


def test_audit_log_lists_the_aides_views_not_the_patients(
    verified_aide_client, patient_client, verified_aide, patient, visit_setup, store
):
    visit = visit_setup["visit"]
    verified_aide_client.get(f"/visits/{visit.id}")
    verified_aide_client.get(f"/visits/{visit.id}")
    patient_client.get(f"/visits/{visit.id}")
    events = store.all(AuditEvent, patient_id=patient.id)
    assert [(e.viewer_id, e.what, e.views) for e in events] == [
        (verified_aide.id, "care plan for a visit", 2),  # two views in one hour: one line
    ]
    page = patient_client.get("/audit").get_data(as_text=True)
    assert page.count("Vera Verified (aide)") == 1
    assert "2 times" in page
    assert "400 mg" not in page  # who and what, never the values
    assert verified_aide_client.get("/audit").status_code == 404


def test_service_refuses_tasks_and_medications_not_in_the_visit(
    app, make_user, verified_aide, visit_setup, verified_aide_client
):
    from webapp.database import utcnow
    from webapp.errors import InvalidInput
    from webapp.extensions import db
    from webapp.visits import visit_log
    from webapp.visits.visit_log import MedicationEntry, TaskEntry

    visit = visit_setup["visit"]
    verified_aide_client.post(f"/visits/{visit.id}/check-in", data={})
    with app.app_context():
        aide = db.session.get(type(verified_aide), verified_aide.id)
        row = db.session.get(Visit, visit.id)
        with pytest.raises(InvalidInput, match="not part of this visit"):
            visit_log.save_log(
                aide,
                row,
                pain_before=1,
                pain_after=1,
                tasks={999: TaskEntry("done")},
                medications={},
                notes=None,
                now=utcnow(),
            )
        with pytest.raises(InvalidInput, match="not due at this visit"):
            visit_log.save_log(
                aide,
                row,
                pain_before=1,
                pain_after=1,
                tasks={},
                medications={999: MedicationEntry("refused")},
                notes=None,
                now=utcnow(),
            )
