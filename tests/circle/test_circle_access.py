"""What each circle role opens: coordinators the care plan, viewers the summaries, outsiders 404."""

from html import unescape

import pytest

from tests.visits.conftest import log_form, move_visit
from tests.visits.conftest import visit_setup as visit_setup  # the fixture, shared
from webapp.circle.models import CircleMember
from webapp.extensions import db
from webapp.visits.models import AuditEvent

# At 09:00 New York time, so the visit about to start has its morning dose due.
pytestmark = pytest.mark.usefixtures("daytime")


@pytest.fixture
def join(app, patient):
    """join(member, role): put a family account into the patient's circle."""

    def add(member, role):
        with app.app_context():
            db.session.add(CircleMember(patient_id=patient.id, member_id=member.id, role=role))
            db.session.commit()

    return add


@pytest.fixture
def relatives(app, make_user, login, join):
    """A coordinator, a viewer, and a family member of nobody's circle, each logged in."""
    clients = {}
    for role in ("coordinator", "viewer", "outsider"):
        person = make_user("family", name=f"{role.title()} Relative")
        if role != "outsider":
            join(person, role)
        clients[role] = (person, login(app.test_client(), person))
    return clients


def test_coordinator_reads_the_routine_and_the_patient_sees_it_in_the_audit_log(
    patient, patient_client, relatives, store
):
    patient_client.post(
        f"/patients/{patient.id}/medications",
        data={"name": "Naproxen", "dose": "250 mg", "times_of_day": ["morning"]},
    )
    coordinator, client = relatives["coordinator"]

    page = client.get(f"/patients/{patient.id}/routine")
    assert page.status_code == 200
    assert "Naproxen" in page.text
    assert "Add a medication" not in page.text  # coordinators read; the patient edits
    assert store.one(AuditEvent, viewer_id=coordinator.id).what == "routine and medications"
    assert "Coordinator Relative" in patient_client.get("/audit").text

    refused = client.post(
        f"/patients/{patient.id}/medications",
        data={"name": "Other", "dose": "1 mg", "times_of_day": ["morning"]},
    )
    assert refused.status_code == 404


def test_viewer_and_outsider_cannot_open_the_routine(patient, relatives, client, store):
    unknown = relatives["outsider"][1].get("/patients/2000000000/routine")
    for role in ("viewer", "outsider"):
        response = relatives[role][1].get(f"/patients/{patient.id}/routine")
        assert response.status_code == 404
        assert "Naproxen" not in response.text
    assert unknown.status_code == 404
    assert store.count(AuditEvent) == 0


def test_viewer_reads_visit_summaries_and_outsiders_do_not(
    app, patient, visit_setup, verified_aide_client, relatives, store
):
    visit = visit_setup["visit"]
    verified_aide_client.post(f"/visits/{visit.id}/check-in", data={})
    move_visit(app, visit.id, minutes_from_now=-50)
    verified_aide_client.post(f"/visits/{visit.id}/log", data=log_form(visit_setup))
    verified_aide_client.post(f"/visits/{visit.id}/check-out", data={})

    viewer, viewer_client = relatives["viewer"]
    summary = viewer_client.get(f"/visits/{visit.id}/summary")
    assert summary.status_code == 200
    assert "Rosa walked to the kitchen" in unescape(summary.text)
    assert store.one(AuditEvent, viewer_id=viewer.id).what == "visit summary"

    # The bedside page with the home address stays with the patient and the aide.
    assert viewer_client.get(f"/visits/{visit.id}").status_code == 404

    outsider_client = relatives["outsider"][1]
    theirs = outsider_client.get(f"/visits/{visit.id}/summary")
    missing = outsider_client.get("/visits/2000000000/summary")
    assert theirs.status_code == missing.status_code == 404
    assert "Rosa walked" not in theirs.text


def test_removed_member_loses_access_on_the_next_click(patient, patient_client, relatives, store):
    coordinator, client = relatives["coordinator"]
    assert client.get(f"/patients/{patient.id}/routine").status_code == 200
    member = store.one(CircleMember, member_id=coordinator.id)
    patient_client.post(f"/patients/{patient.id}/circle/members/{member.id}/remove", data={})
    assert client.get(f"/patients/{patient.id}/routine").status_code == 404


def test_family_dashboard_lists_each_circle_with_its_week(
    app, patient, make_user, login, join, relatives
):
    other_patient = make_user("patient", name="Ana Second")
    coordinator, client = relatives["coordinator"]
    with app.app_context():
        db.session.add(
            CircleMember(patient_id=other_patient.id, member_id=coordinator.id, role="viewer")
        )
        db.session.commit()

    page = unescape(client.get("/dashboard").text)
    assert "The people you help" in page
    assert "Rosa Patient" in page and "Ana Second" in page
    assert "you are a coordinator" in page and "you are a viewer" in page
    assert f"/patients/{patient.id}/routine" in page  # coordinator
    assert f"/patients/{other_patient.id}/routine" not in page  # viewer only
    assert f"/patients/{other_patient.id}/coverage" in page

    lonely = unescape(relatives["outsider"][1].get("/dashboard").text)
    assert "invites you to their care circle, they send you a link" in lonely
