"""Deleting an account: the page says what will happen, the password guards it, and afterwards
the person's health data is gone while other people's records still hold together."""

import re

import pytest

from tests.conftest import PASSWORD, field_error
from tests.privacy.conftest import row_counts
from webapp.auth.models import User, UserSession
from webapp.calendar.models import CalendarFeed
from webapp.care.models import Medication, Precaution, RoutineItem
from webapp.circle.models import CircleInvitation, CircleMember
from webapp.coverage.models import DayPart, FamilyCover
from webapp.homelog.models import HomeMedicationLog, HomeSession, HomeTaskLog
from webapp.marketplace.models import AideProfile, AssistanceRequest, PatientHome, Review
from webapp.scheduling.models import Visit, VisitCancellation
from webapp.visits.models import AuditEvent, MedicationLog, TaskLog, VisitLogEdit, VisitReport

CONFIRM = {"password": PASSWORD, "understood": "y"}


def text_of(html: str) -> str:
    """The page's words with tags and runs of white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_the_patient_is_told_exactly_what_will_happen(patient_client, history, family_side):
    response = patient_client.get("/account/delete")
    assert response.status_code == 200
    page = text_of(response.get_data(as_text=True))
    assert "2 future visits will be cancelled; 1 of them was booked by an aide" in page
    assert "3 open requests will be closed." in page
    assert "1 person in your care circle will lose access." in page
    assert "4 exercises, 1 medication and 5 activities to avoid" in page
    assert "Pain scores from 1 visit" in page
    assert "4 task and medication log entries" in page
    assert "1 past visit: the aide's record" in page
    assert "1 rating you gave aides, without your comments." in page
    assert "1 session of your routine logged at home, with their pain scores." in page
    assert "Your current password" in page and "Delete my account" in page


def test_the_aide_is_told_which_visits_go_back_to_the_board(verified_aide_client, history):
    page = text_of(verified_aide_client.get("/account/delete").get_data(as_text=True))
    assert "1 booked future visit will be given back to the request board" in page
    assert "Your aide profile will be removed from the directory." in page
    assert "1 visit you carried out" in page
    assert "1 review patients wrote about your visits." in page


def test_a_wrong_password_changes_nothing(app, patient_client, history, circle_member):
    before = row_counts(app)
    response = patient_client.post("/account/delete", data={**CONFIRM, "password": "not it"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "password") == (
        "That is not your current password. Nothing was changed."
    )
    after = row_counts(app)
    assert after.pop("login_failure") == before.pop("login_failure") + 1  # counted, as a log-in
    assert after == before
    assert patient_client.get("/dashboard").status_code == 200  # still logged in


def test_the_box_must_be_ticked(app, patient_client, patient, store):
    before = row_counts(app)
    response = patient_client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 422
    assert "Tick the box to confirm" in response.get_data(as_text=True)
    assert row_counts(app) == before
    assert store.one(User, id=patient.id).deleted_at is None


def test_deleting_a_patient(
    app, client, patient_client, patient, verified_aide, verified_aide_client, history,
    family_side, store,
):  # fmt: skip
    completed, booked, still_open = history["completed"], history["booked"], history["open"]
    response = patient_client.post("/account/delete", data=CONFIRM)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/deleted")
    goodbye = patient_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your account is deleted" in goodbye
    assert patient_client.get("/dashboard").status_code == 302  # logged out

    # Future visits are cancelled; the aide's one shows as cancelled on their side.
    assert store.one(Visit, id=booked.id).status == "cancelled"
    assert store.one(Visit, id=booked.id).aide_id == verified_aide.id
    assert store.one(VisitCancellation, visit_id=booked.id).side == "patient"
    assert store.one(Visit, id=still_open.id).status == "cancelled"
    assert {r.status for r in store.all(AssistanceRequest, patient_id=patient.id)} == {"cancelled"}
    my_visits = verified_aide_client.get("/my-visits").get_data(as_text=True)
    assert "Rosa" not in my_visits and "Deleted account" in my_visits

    # The health data is gone.
    for model in (RoutineItem, Medication, Precaution, AuditEvent):
        assert store.count(model, patient_id=patient.id) == 0, model.__name__
    assert store.count(PatientHome, patient_id=patient.id) == 0
    for model in (TaskLog, MedicationLog, VisitLogEdit):
        assert store.count(model, visit_id=completed.id) == 0, model.__name__
    assert store.count(CircleMember, patient_id=patient.id) == 0
    assert store.count(CircleInvitation, patient_id=patient.id) == 0
    for model in (HomeSession, DayPart, FamilyCover, CalendarFeed):
        assert store.count(model, patient_id=patient.id) == 0, model.__name__
    assert store.count(HomeTaskLog) == store.count(HomeMedicationLog) == 0

    # The aide's completed visit stays, without the patient's details.
    kept = store.one(Visit, id=completed.id)
    assert (kept.status, kept.aide_id) == ("completed", verified_aide.id)
    report = store.one(VisitReport, visit_id=completed.id)
    assert (report.pain_before, report.pain_after, report.notes) == (None, None, None)
    assert report.checked_out_at is not None
    review = store.one(Review, visit_id=completed.id)
    assert (review.rating, review.comment) == (5, None)
    page = verified_aide_client.get(f"/visits/{completed.id}").get_data(as_text=True)
    for private in ("Rosa", "1 Elm Street", "Ibuprofen", "Good session"):
        assert private not in page, private

    assert store.count(UserSession, user_id=patient.id) == 0
    account = store.one(User, id=patient.id)
    assert account.display_name == "Deleted account"
    assert account.email == f"deleted-{patient.id}@deleted.invalid"
    assert account.phone is None and account.deleted_at is not None
    assert not account.check_password(PASSWORD)
    for email in (patient.email, account.email):
        again = client.post("/auth/login", data={"email": email, "password": PASSWORD})
        assert again.status_code != 302


def test_deleting_an_aide_reopens_their_booked_visits(
    app, patient_client, verified_aide, verified_aide_client, make_aide, login, history, store,
):  # fmt: skip
    completed, booked = history["completed"], history["booked"]
    response = verified_aide_client.post("/account/delete", data=CONFIRM)
    assert response.status_code == 302

    slot = store.one(Visit, id=booked.id)
    assert (slot.status, slot.aide_id) == ("open", None)
    assert store.one(VisitCancellation, visit_id=booked.id).side == "aide"
    other = login(app.test_client(), make_aide("Omar Other"))
    assert f"/visits/{booked.id}/book" in other.get("/board").get_data(as_text=True)

    assert store.count(AideProfile, user_id=verified_aide.id) == 0
    kept = store.one(Visit, id=completed.id)
    assert (kept.status, kept.aide_id) == ("completed", verified_aide.id)
    assert store.count(TaskLog, visit_id=completed.id) == 3  # the patient's record of the visit
    assert store.one(Review, visit_id=completed.id).rating == 5
    summary = patient_client.get(f"/visits/{completed.id}/summary").get_data(as_text=True)
    assert "Deleted account" in summary and "Vera" not in summary
    assert store.one(User, id=verified_aide.id).display_name == "Deleted account"


def test_a_family_member_leaves_the_circles(family_client, family, family_side, store):
    page = text_of(family_client.get("/account/delete").get_data(as_text=True))
    assert "You will leave 1 care circle." in page
    assert "1 care window ahead that you promised to cover will be given back" in page
    assert family_client.post("/account/delete", data=CONFIRM).status_code == 302
    assert store.count(CircleMember, member_id=family.id) == 0
    assert store.one(FamilyCover, id=family_side["ahead"]).released_at is not None
    assert store.one(FamilyCover, id=family_side["past"]).released_at is None  # Rosa's history
    assert store.count(CalendarFeed, owner_id=family.id) == 0
    session = store.one(HomeSession, id=family_side["session"])
    assert (session.recorded_by_id, session.pain_before) == (None, 3)  # still Rosa's record
    invitation = store.one(CircleInvitation, accepted_by_id=family.id)
    assert invitation.email == f"deleted-{family.id}@deleted.invalid"


def test_the_last_admin_cannot_delete_themselves(app, make_user, login, store):
    ada = make_user("admin", name="Ada Admin")
    ada_client = login(app.test_client(), ada)
    page = ada_client.get("/account/delete").get_data(as_text=True)
    assert "You are the last administrator" in page
    assert 'type="password"' not in page
    before = row_counts(app)
    response = ada_client.post("/account/delete", data=CONFIRM)
    assert response.status_code == 409
    assert "You are the last administrator" in response.get_data(as_text=True)
    assert row_counts(app) == before
    assert store.one(User, id=ada.id).deleted_at is None

    make_user("admin", name="Ben Admin")
    assert ada_client.post("/account/delete", data=CONFIRM).status_code == 302
    assert store.one(User, id=ada.id).deleted_at is not None


def test_deletion_needs_a_login(client):
    for response in (client.get("/account/delete"), client.post("/account/delete", data=CONFIRM)):
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_another_device_logged_in_to_the_account_is_logged_out(app, patient, login, store):
    phone, laptop = login(app.test_client(), patient), login(app.test_client(), patient)
    assert phone.post("/account/delete", data=CONFIRM).status_code == 302
    response = laptop.get("/dashboard")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert laptop.get("/account/export").status_code == 302


def test_a_visit_under_way_must_end_first(
    app, patient_client, patient, verified_aide_client, visit_setup, store
):
    visit = visit_setup["visit"]
    assert verified_aide_client.post(f"/visits/{visit.id}/check-in", data={}).status_code == 302
    page = patient_client.get("/account/delete").get_data(as_text=True)
    assert "A visit is under way right now." in page
    before = row_counts(app)
    response = patient_client.post("/account/delete", data=CONFIRM)
    assert response.status_code == 409
    assert row_counts(app) == before
    assert store.one(User, id=patient.id).deleted_at is None


def test_guessing_the_password_is_cut_off(app, patient_client, patient, store):
    for _ in range(5):
        wrong = patient_client.post("/account/delete", data={**CONFIRM, "password": "guess"})
        assert wrong.status_code == 422
    blocked = patient_client.post("/account/delete", data=CONFIRM)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert store.one(User, id=patient.id).deleted_at is None


def test_a_failure_half_way_leaves_everything_as_it_was(
    app, patient_client, patient, history, circle_member, store, monkeypatch
):
    from webapp.privacy import services

    def crash(person, now):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_anonymise", crash)  # after visits and health data went
    before = row_counts(app)
    with pytest.raises(RuntimeError):
        patient_client.post("/account/delete", data=CONFIRM)
    assert row_counts(app) == before
    assert store.one(Visit, id=history["booked"].id).status == "booked"
    assert store.one(VisitReport, visit_id=history["completed"].id).pain_before == 4
    assert store.one(User, id=patient.id).display_name == "Rosa Patient"
