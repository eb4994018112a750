"""Everyone downloads everything HomeStretch holds about them, and nothing that is not theirs."""

import json
import re
from datetime import date
from pathlib import Path

from tests.scheduling.test_board_queries import count_queries
from webapp.database import utcnow
from webapp.extensions import db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "export-format.md"
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def download(client) -> dict:
    response = client.get("/account/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="homestretch-export-{date.today():%Y-%m-%d}.json"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    return json.loads(response.get_data(as_text=True))


def test_patient_downloads_care_plan_visits_pain_and_who_saw_it(patient_client, patient, history):
    data = download(patient_client)
    assert data["format"] == {"name": "homestretch-export", "version": 1}
    assert ISO_UTC.match(data["exported_at"])
    assert data["account"]["email"] == patient.email
    assert data["account"]["display_name"] == "Rosa Patient"
    assert ISO_UTC.match(data["account"]["created_at"])
    assert data["sessions"] and data["sessions"][0]["ended_at"] is None
    assert data["sessions"][0]["ip_address"] == "127.0.0.1"

    plan = data["care_plan"]
    assert {item["exercise"] for item in plan["routine"]} >= {
        "thomas-stretch",
        "runners-lunge",
        "straight-leg-raise",
    }
    assert [(m["name"], m["dose"]) for m in plan["medications"]] == [("Ibuprofen", "400 mg")]
    assert any(p["activity"] == "Going up and down stairs" for p in plan["precautions"])
    assert data["home"]["street"] == "1 Elm Street"
    assert {r["rate"]["amount_cents"] for r in data["requests"]} == {2800}
    assert {r["rate"]["currency"] for r in data["requests"]} == {"USD"}

    visits = {visit["id"]: visit for visit in data["visits_as_patient"]}
    completed = visits[history["completed"].id]
    assert completed["status"] == "completed" and completed["aide"] == "Vera Verified"
    assert (completed["report"]["pain_before"], completed["report"]["pain_after"]) == (4, 2)
    assert completed["report"]["notes"].startswith("Good session.")
    assert ISO_UTC.match(completed["report"]["checked_out_at"])
    lunge = next(t for t in completed["tasks"] if t["exercise"] == "runners-lunge")
    assert (lunge["status"], lunge["reason"]) == ("skipped", "no_equipment")
    assert completed["medications"][0]["outcome"] == "given"
    assert visits[history["booked"].id]["status"] == "booked"
    assert visits[history["open"].id]["aide"] is None

    assert data["reviews_given"] == [
        {
            "visit_id": history["completed"].id,
            "aide": "Vera Verified",
            "rating": 5,
            "comment": "Kind and careful.",
            "created_at": data["reviews_given"][0]["created_at"],
        }
    ]
    views = data["audit"]["views_of_your_health_data"]
    assert views and {view["viewer"] for view in views} == {"Vera Verified"}
    assert data["visits_as_aide"] == [] and data["aide_profile"] is None


def test_no_password_hash_or_token_leaves_in_an_export(
    client, patient_client, patient, history, circle_member
):
    client.post("/auth/login", data={"email": patient.email, "password": "a wrong guess"})
    assert [set(row) for row in download(patient_client)["failed_logins"]] == [{"at"}]
    text = patient_client.get("/account/export").get_data(as_text=True)
    assert "scrypt" not in text and "password" not in text
    assert "token" not in text


def test_aide_sees_their_own_work_but_not_the_patients_health_data(
    verified_aide_client, verified_aide, history
):
    data = download(verified_aide_client)
    assert data["account"]["role"] == "aide"
    assert data["aide_profile"]["hourly_rate"] == {"amount_cents": 3000, "currency": "USD"}
    assert data["aide_profile"]["verified_at"] is not None
    visits = {visit["id"]: visit for visit in data["visits_as_aide"]}
    assert set(visits) == {history["completed"].id, history["booked"].id}
    completed = visits[history["completed"].id]
    assert completed["patient_first_name"] == "Rosa"
    assert completed["area"] == "Springfield 12345"
    assert completed["rate"] == {"amount_cents": 2800, "currency": "USD"}
    assert ISO_UTC.match(completed["checked_in_at"])
    assert {t["exercise"]: t["status"] for t in completed["tasks_you_logged"]} == {
        "thomas-stretch": "done",
        "runners-lunge": "skipped",
        "straight-leg-raise": "done",
    }
    assert [m["outcome"] for m in completed["medication_entries_you_logged"]] == ["given"]
    assert data["reviews_received"][0]["rating"] == 5
    assert "patient" not in data["reviews_received"][0]

    text = json.dumps(data)
    for private in ("Rosa Patient", "1 Elm Street", "Ring twice", "Ibuprofen", "400 mg",
                    "Good session", "No cushion", "pain_before", "no_equipment"):  # fmt: skip
        assert private not in text, private
    assert data["care_plan"] == {"routine": [], "medications": [], "precautions": []}
    assert data["home"] is None and data["visits_as_patient"] == []
    views = data["audit"]["health_data_you_viewed"]
    assert views and {view["patient_first_name"] for view in views} == {"Rosa"}


def test_family_member_sees_their_circles(
    app, family_client, circle_member, patient, patient_client, post_request
):
    from webapp.marketplace.models import AssistanceRequest

    posted = post_request(patient)
    with app.app_context():  # Dan posted it for Rosa, as her coordinator
        db.session.get(AssistanceRequest, posted.id).created_by_id = circle_member.id
        db.session.commit()
    data = download(family_client)
    assert_same_shape(documented_example(), data)
    assert [(r["id"], r["patient"]) for r in data["requests_you_posted_for_others"]] == [
        (posted.id, "Rosa Patient")
    ]
    assert data["requests"] == []
    assert data["account"]["role"] == "family"
    assert data["care_circle"]["circles_you_belong_to"] == [
        {
            "patient": "Rosa Patient",
            "role": "coordinator",
            "joined_at": data["care_circle"]["circles_you_belong_to"][0]["joined_at"],
        }
    ]
    assert data["care_plan"]["medications"] == [] and data["visits_as_patient"] == []

    rosa = download(patient_client)["care_circle"]
    assert [m["name"] for m in rosa["members"]] == ["Dan Family"]
    assert rosa["invitations_sent"][0]["email"] == circle_member.email
    assert rosa["invitations_sent"][0]["accepted_at"] is not None


def test_admin_export_lists_the_aides_they_verified(app, make_user, make_aide, login):
    admin = make_user("admin", name="Ada Admin")
    aide = make_aide("Una Unverified", verified=False)
    from webapp.auth.models import User
    from webapp.marketplace.vetting import verify_aide

    with app.app_context():
        verify_aide(db.session.get(User, admin.id), aide.id, note="Checked ID.")
        db.session.commit()
    data = download(login(app.test_client(), admin))
    assert_same_shape(documented_example(), data)
    assert data["account"]["role"] == "admin"
    assert [row["aide"] for row in data["aides_you_verified"]] == ["Una Unverified"]


def test_export_needs_a_login_and_only_ever_holds_your_own_record(
    client, verified_aide_client, verified_aide, patient, history
):
    response = client.get("/account/export")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    data = download_with(verified_aide_client, f"/account/export?user_id={patient.id}")
    assert data["account"]["id"] == verified_aide.id
    assert verified_aide_client.get(f"/account/export/{patient.id}").status_code == 404


def download_with(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def documented_example() -> dict:
    """The example document in docs/export-format.md."""
    match = re.search(r"```json\n(.*?)\n```", DOCS.read_text(), re.S)
    assert match, "docs/export-format.md has no json example"
    return json.loads(match.group(1))


def assert_same_shape(documented, actual, path="export"):
    """Every object has exactly the documented keys, all the way down."""
    if documented is None or actual is None:
        return
    if isinstance(documented, dict):
        assert isinstance(actual, dict), path
        assert set(actual) == set(documented), f"{path}: {set(actual) ^ set(documented)}"
        for key in documented:
            assert_same_shape(documented[key], actual[key], f"{path}.{key}")
    elif isinstance(documented, list) and documented:
        assert isinstance(actual, list), path
        for index, item in enumerate(actual):
            assert_same_shape(documented[0], item, f"{path}[{index}]")


def test_every_role_gets_the_documented_shape(
    patient_client, verified_aide_client, family_client, history, family_side
):
    example = documented_example()
    assert example["format"] == {"name": "homestretch-export", "version": 1}
    for client in (patient_client, verified_aide_client, family_client):
        assert_same_shape(example, download(client))


def test_an_aides_export_costs_the_same_queries_at_2_and_at_20_visits(
    app, verified_aide, verified_aide_client, make_user, post_request
):
    from webapp.auth.models import User
    from webapp.scheduling import services as scheduling
    from webapp.scheduling.models import Visit

    def book_series(count, days_ahead):
        request = post_request(
            make_user("patient"), days_ahead=days_ahead, weekdays=list(range(7)), count=count
        )
        with app.app_context():
            aide = db.session.get(User, verified_aide.id)
            ids = db.session.scalars(
                db.select(Visit.id).where(Visit.request_id == request.id)
            ).all()
            scheduling.book_series(aide, request.id, ids, utcnow())
            db.session.commit()

    def queries():
        with count_queries(app) as statements:
            data = download(verified_aide_client)
        return len(statements), len(data["visits_as_aide"])

    book_series(2, days_ahead=3)
    small, visits = queries()
    assert visits == 2
    book_series(18, days_ahead=30)
    large, visits = queries()
    assert visits == 20
    assert large == small, f"{small} queries at 2 visits, {large} at 20"


def test_the_family_side_shows_up_for_patient_and_relative(
    patient_client, family_client, family_side, history
):
    rosa = download(patient_client)
    session = rosa["home_sessions"][0]
    assert (session["pain_before"], session["pain_after"]) == (3, 2)
    assert session["recorded_by"] == "Dan Family"
    assert session["tasks"][0]["exercise"] == "thomas-stretch"
    assert session["medications"][0]["name"] == "Ibuprofen"
    assert rosa["day_parts"] == [{"part": "evening", "starts_at": "18:00", "ends_at": "20:00"}]
    assert {cover["member"] for cover in rosa["family_cover"]["of_your_care"]} == {"Dan Family"}
    assert [feed["calendar_of"] for feed in rosa["calendar_feeds"]] == ["Rosa Patient"]

    dan = download(family_client)
    assert_same_shape(documented_example(), dan)
    assert [s["id"] for s in dan["home_sessions_you_recorded_for_others"]] == [
        family_side["session"]
    ]
    assert "pain_before" not in dan["home_sessions_you_recorded_for_others"][0]
    assert len(dan["family_cover"]["you_took"]) == 2
    assert dan["home_sessions"] == [] and dan["day_parts"] == []
    text = json.dumps(dan)
    assert f"{dan['account']['id']:064x}" not in text  # the feed's token hash


def test_alerts_are_in_the_export_and_go_with_the_account(app, patient, patient_client, store):
    """What reached the person is theirs to download, and is deleted with their account."""
    from tests.conftest import PASSWORD
    from webapp.database import utcnow
    from webapp.notifications import services as notifications
    from webapp.notifications.messages import Message
    from webapp.notifications.models import Notification, OutboxEmail

    with app.app_context():
        person = db.session.get(type(patient), patient.id)
        message = Message("visit_booked", "A visit is booked", "Sam booked Friday.", "/requests/1")
        notifications.notify(person, message, utcnow())
        db.session.commit()
    alerts = download(patient_client)["alerts"]
    assert [alert["title"] for alert in alerts["received"]] == ["A visit is booked"]
    assert alerts["received"][0]["read_at"] is None

    deleted = patient_client.post("/account/delete", data={"password": PASSWORD, "understood": "y"})
    assert deleted.status_code in (200, 302)
    assert store.count(Notification) == 0
    assert store.count(OutboxEmail) == 0
