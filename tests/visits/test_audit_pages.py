"""The audit log is read a page at a time: every line once, newest first, and an old page
shows nothing of anyone else's log."""

import re
from datetime import UTC, datetime, timedelta

from tests.visits.test_audit_hourly import audit_rows
from webapp.extensions import db
from webapp.visits.models import AuditEvent

START = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


def add_lines(app, patient, viewer, count: int, what: str = "routine and medications"):
    """`count` lines, an hour apart, every third pair sharing the same moment (ties on time)."""
    with app.app_context():
        for n in range(count):
            at = START + timedelta(hours=n - n % 3)
            db.session.add(
                AuditEvent(
                    patient_id=patient.id,
                    viewer_id=viewer.id,
                    what=f"{what} {n}",
                    at=at,
                    last_at=at,
                    views=1,
                )
            )
        db.session.commit()


def older_link(page: str) -> str | None:
    found = re.search(r'href="(/audit\?before=\d+)">Older entries', page)
    return found.group(1) if found else None


def test_the_log_reads_page_by_page_newest_first_each_line_once(
    app, patient, patient_client, verified_aide
):
    add_lines(app, patient, verified_aide, 120)
    seen, path, pages = [], "/audit", 0
    while path:
        response = patient_client.get(path)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        seen += [re.search(r"medications (\d+)", row).group(1) for row in audit_rows(page)]
        path, pages = older_link(page), pages + 1
    assert pages == 3
    assert len(seen) == 120 and len(set(seen)) == 120
    # Newest first: lines sharing a moment come newest-added first.
    assert [int(n) for n in seen] == sorted(range(120), key=lambda n: (n - n % 3, n), reverse=True)


def test_a_short_log_has_no_older_link(app, patient, patient_client, verified_aide):
    add_lines(app, patient, verified_aide, 3)
    page = patient_client.get("/audit").get_data(as_text=True)
    assert len(audit_rows(page)) == 3
    assert older_link(page) is None


def test_another_patients_line_as_the_page_start_shows_nothing_of_theirs(
    app, patient, patient_client, verified_aide, make_user, store
):
    other = make_user("patient", email="other@example.com", name="Olive Other")
    add_lines(app, other, verified_aide, 5, what="printable routine")
    add_lines(app, patient, verified_aide, 5)
    theirs = max(line.id for line in store.all(AuditEvent, patient_id=other.id))
    page = patient_client.get(f"/audit?before={theirs}").get_data(as_text=True)
    assert "printable routine" not in page
    assert "No older entries." in page


def test_a_page_start_that_is_not_a_number_shows_the_newest_page(
    app, patient, patient_client, verified_aide
):
    add_lines(app, patient, verified_aide, 3)
    for junk in ("abc", "-1", "1e9", "9" * 30, ""):
        response = patient_client.get(f"/audit?before={junk}")
        assert response.status_code == 200
        assert len(audit_rows(response.get_data(as_text=True))) == 3
