"""The audit log keeps one line per person, page and visit an hour, with how many times."""

import re
import threading
from datetime import UTC, datetime, timedelta

from webapp.auth.models import User
from webapp.extensions import db
from webapp.visits import reports
from webapp.visits.models import AuditEvent


def audit_rows(page: str) -> list[str]:
    """The audit table's body rows, as text without tags."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def view(app, viewer, patient, what, visit_id, at):
    with app.app_context():
        reports.record_view(db.session.get(User, viewer.id), patient.id, what, visit_id, at)
        db.session.commit()


def test_views_within_one_hour_share_a_line_and_the_next_hour_starts_another(
    app, patient, verified_aide, store
):
    ten = datetime(2031, 3, 10, 10, 0, tzinfo=UTC)
    for minutes in (5, 6, 30, 59):
        view(
            app,
            verified_aide,
            patient,
            "routine and medications",
            None,
            ten + timedelta(minutes=minutes),
        )
    rows = store.all(AuditEvent, patient_id=patient.id)
    assert [(r.views, r.at, r.last_at) for r in rows] == [
        (4, ten + timedelta(minutes=5), ten + timedelta(minutes=59))
    ]
    view(app, verified_aide, patient, "routine and medications", None, ten + timedelta(hours=1))
    rows = sorted(store.all(AuditEvent, patient_id=patient.id), key=lambda r: r.at)
    assert [r.views for r in rows] == [4, 1]
    assert rows[1].at == ten + timedelta(hours=1)


def test_another_page_visit_or_person_in_the_same_hour_gets_its_own_line(
    app, patient, verified_aide, family, store, visit_setup
):
    visit = visit_setup["visit"]
    store_before = store.count(AuditEvent)
    at = datetime(2031, 3, 10, 10, 15, tzinfo=UTC)
    view(app, verified_aide, patient, "care plan for a visit", visit.id, at)
    view(app, verified_aide, patient, "care plan for a visit", None, at)
    view(app, verified_aide, patient, "printable routine", None, at)
    view(app, family, patient, "printable routine", None, at)
    view(app, verified_aide, patient, "care plan for a visit", visit.id, at + timedelta(minutes=1))
    assert store.count(AuditEvent) == store_before + 4
    rows = store.all(AuditEvent, visit_id=visit.id, viewer_id=verified_aide.id)
    assert sorted(r.views for r in rows if r.at.year == 2031) == [2]


def test_the_patient_reads_each_line_with_its_count(
    app, patient, patient_client, verified_aide, verified_aide_client, visit_setup, daytime
):
    visit = visit_setup["visit"]
    for _ in range(3):
        assert verified_aide_client.get(f"/visits/{visit.id}").status_code == 200
    rows = audit_rows(patient_client.get("/audit").get_data(as_text=True))
    assert len(rows) == 1
    assert "Vera Verified (aide)" in rows[0] and "care plan for a visit" in rows[0]
    assert rows[0].endswith("3 times")

    daytime.shift(timedelta(hours=1))
    assert verified_aide_client.get(f"/visits/{visit.id}").status_code == 200
    rows = audit_rows(patient_client.get("/audit").get_data(as_text=True))
    assert len(rows) == 2
    assert rows[0].endswith("once")  # newest first
    assert rows[1].endswith("3 times")


def test_the_patient_opening_their_own_record_writes_nothing(app, patient, store):
    view(app, patient, patient, "routine and medications", None, datetime.now(UTC))
    assert store.count(AuditEvent) == 0


def test_views_at_the_same_moment_still_make_one_line(app, patient, verified_aide, store):
    at = datetime(2031, 3, 10, 10, 15, tzinfo=UTC)
    barrier, errors = threading.Barrier(8), []

    def open_page():
        try:
            barrier.wait(timeout=10)
            view(app, verified_aide, patient, "routine and medications", None, at)
        except Exception as error:  # reported below, with the others
            errors.append(error)

    threads = [threading.Thread(target=open_page) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert [row.views for row in store.all(AuditEvent, patient_id=patient.id)] == [8]
