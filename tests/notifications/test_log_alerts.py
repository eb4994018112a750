"""A pain flag, or a dose refused or missed, tells the patient's side as soon as the log is
saved (at a visit) or written down (at home): once per fact, never the person who logged it,
never the circle's viewers, and with no medication named in the subject."""

from datetime import timedelta

import pytest

from tests.homelog.conftest import routine as routine  # the fixture, shared
from tests.homelog.conftest import session_form
from tests.mail import text_of
from tests.notifications.test_event_alerts import alerts, follow, mailed, make_circle, opt_out
from tests.visits.conftest import log_form, move_visit
from tests.visits.conftest import visit_setup as visit_setup  # the fixture, shared
from webapp.circle.models import CircleMember
from webapp.extensions import db
from webapp.homelog.models import HomeSession
from webapp.notifications.models import Notification, OutboxEmail
from webapp.visits.models import VisitReport

# At 09:00 New York time, so the visit about to start has its morning dose due.
pytestmark = pytest.mark.usefixtures("daytime")

MEDICATIONS = ("Ibuprofen", "Vitamin D")


@pytest.fixture(autouse=True)
def _in_the_morning(daytime):
    """09:00 at Rosa's home, so the visit starting in 10 minutes has her morning dose due."""


@pytest.fixture
def circle(app, patient, make_user, login):
    """Rosa's coordinator and viewer, each logged in."""
    coordinator, viewer = make_circle(app, patient, make_user)
    return {
        "coordinator": coordinator,
        "viewer": viewer,
        "coordinator_client": login(app.test_client(), coordinator),
        "viewer_client": login(app.test_client(), viewer),
    }


def checked_in(client, visit):
    assert client.post(f"/visits/{visit.id}/check-in", data={}).status_code == 302


def save_log(client, setup, **changes):
    response = client.post(f"/visits/{setup['visit'].id}/log", data=log_form(setup, **changes))
    assert response.status_code == 302, response.text[:2000]
    return response


def no_medication_named(*texts: str) -> bool:
    return not any(name in text for name in MEDICATIONS for text in texts)


def test_a_pain_flag_tells_the_patient_side_when_the_log_is_saved_and_only_once(
    app,
    smtp,
    deliver,
    circle,
    patient,
    login,
    verified_aide,
    verified_aide_client,
    visit_setup,
    store,
):
    visit = visit_setup["visit"]
    coordinator, viewer = circle["coordinator"], circle["viewer"]
    checked_in(verified_aide_client, visit)

    response = save_log(verified_aide_client, visit_setup, pain_after="8")
    page = verified_aide_client.get(response.headers["Location"]).text
    assert "the patient and their care coordinators are told" in page
    assert store.one(VisitReport, visit_id=visit.id).safety_flag
    told = alerts(store, "pain_flag")
    assert set(told) == {patient.id, coordinator.id}  # not the aide, not the viewer
    note = told[patient.id][0]
    assert note.title == "Pain flag at a visit"
    assert "Vera Verified recorded pain 4 before and 8 after (on a scale of 0 to 10)" in note.body
    assert note.link == f"/visits/{visit.id}/summary"

    deliver()
    emails = mailed(smtp, "Pain flag at a visit")
    assert set(emails) == {patient.email, coordinator.email}
    assert not smtp.messages(to=viewer.email) and not smtp.messages(to=verified_aide.email)
    assert no_medication_named(*(str(m["Subject"]) for found in emails.values() for m in found))
    assert "8 after" in text_of(emails[coordinator.email][0])
    rosa_client = login(app.test_client(), patient)
    summary = follow(rosa_client, emails[patient.email][0])
    assert summary.status_code == 200 and "Ibuprofen" in summary.text
    assert follow(circle["coordinator_client"], emails[coordinator.email][0]).status_code == 200

    # Saving again, even with new notes and a higher pain, is the same fact: nobody hears twice.
    save_log(verified_aide_client, visit_setup, pain_after="9", notes="Still sore.")
    save_log(verified_aide_client, visit_setup, pain_after="9", notes="Still sore.")
    assert store.count(Notification, kind="pain_flag") == 2
    assert deliver() == 0


def test_a_refused_dose_tells_the_patient_side_without_naming_it(
    app, smtp, deliver, circle, patient, login, verified_aide_client, visit_setup, store
):
    visit, medication = visit_setup["visit"], visit_setup["medication"]
    coordinator = circle["coordinator"]
    checked_in(verified_aide_client, visit)
    refused = {
        f"medication_{medication.id}_outcome": "refused",
        f"medication_{medication.id}_given_at": "",
    }

    save_log(verified_aide_client, visit_setup, **refused)
    told = alerts(store, "dose_missed")
    assert set(told) == {patient.id, coordinator.id}
    note = told[coordinator.id][0]
    assert note.title == "A dose was not given"
    assert "Vera Verified recorded a dose as refused." in note.body
    assert no_medication_named(note.title, note.body)
    assert store.count(Notification, kind="pain_flag") == 0  # pain 4 -> 2 is no flag

    deliver()
    emails = mailed(smtp, "A dose was not given")
    assert set(emails) == {patient.email, coordinator.email}
    message = emails[coordinator.email][0]
    assert no_medication_named(str(message["Subject"]), text_of(message))
    summary = follow(circle["coordinator_client"], message)
    assert summary.status_code == 200 and "Refused" in summary.text

    save_log(verified_aide_client, visit_setup, **refused, notes="She said no again.")
    assert store.count(Notification, kind="dose_missed") == 2
    # The dose given after all and then marked refused again is still the one fact.
    save_log(verified_aide_client, visit_setup)
    save_log(verified_aide_client, visit_setup, **refused)
    assert store.count(Notification, kind="dose_missed") == 2
    assert deliver() == 0


def test_check_out_after_a_flagged_save_tells_nobody_again(
    app, circle, patient, verified_aide_client, visit_setup, store
):
    visit = visit_setup["visit"]
    checked_in(verified_aide_client, visit)
    move_visit(app, visit.id, minutes_from_now=-50)
    save_log(verified_aide_client, visit_setup, pain_before="7")
    assert store.count(Notification, kind="pain_flag") == 2

    assert verified_aide_client.post(f"/visits/{visit.id}/check-out", data={}).status_code == 302
    save_log(verified_aide_client, visit_setup, pain_before="7", notes="Corrected later.")
    assert store.count(Notification, kind="pain_flag") == 2


def test_saving_and_checking_out_at_once_alerts_too(
    app, circle, patient, verified_aide_client, visit_setup, store
):
    visit = visit_setup["visit"]
    checked_in(verified_aide_client, visit)
    move_visit(app, visit.id, minutes_from_now=-50)
    save_log(
        verified_aide_client,
        visit_setup,
        pain_before="2",
        pain_after="5",
        save=None,
        save_and_check_out="Save and check out",
    )
    told = alerts(store, "pain_flag")
    assert set(told) == {patient.id, circle["coordinator"].id}
    assert "2 before and 5 after" in told[patient.id][0].body  # a rise of 3


def test_a_calm_log_or_a_refused_save_tells_nobody(
    app, circle, verified_aide_client, visit_setup, store
):
    checked_in(verified_aide_client, visit_setup["visit"])
    before = store.count(Notification), store.count(OutboxEmail)  # the booking's
    bad = verified_aide_client.post(
        f"/visits/{visit_setup['visit'].id}/log", data=log_form(visit_setup, pain_after="11")
    )
    assert bad.status_code == 422
    save_log(verified_aide_client, visit_setup)  # pain 4 -> 2, the dose given
    assert (store.count(Notification), store.count(OutboxEmail)) == before


def test_an_opted_out_coordinator_sees_the_pain_flag_but_gets_no_email(
    app, smtp, deliver, circle, patient, verified_aide_client, visit_setup, store
):
    opt_out(circle["coordinator_client"], "pain_flag")
    checked_in(verified_aide_client, visit_setup["visit"])
    save_log(verified_aide_client, visit_setup, pain_after="8")
    assert set(alerts(store, "pain_flag")) == {patient.id, circle["coordinator"].id}
    assert "Pain flag at a visit" in circle["coordinator_client"].get("/notifications").text

    deliver()
    assert set(mailed(smtp, "Pain flag at a visit")) == {patient.email}


# At home ------------------------------------------------------------------------------------


def second_coordinator(app, patient, make_user, login):
    member = make_user("family", email="dora@example.com", name="Dora Coordinator")
    with app.app_context():
        db.session.add(CircleMember(patient_id=patient.id, member_id=member.id, role="coordinator"))
        db.session.commit()
    return member, login(app.test_client(), member)


def test_a_relative_logging_a_flagged_session_tells_everyone_but_themselves(
    app, smtp, deliver, circle, routine, patient, make_user, login, store
):
    coordinator = circle["coordinator"]
    dora, dora_client = second_coordinator(app, patient, make_user, login)
    ibuprofen = routine["medications"]["Ibuprofen"].id
    form = session_form(
        routine,
        pain_after="8",
        **{f"medication_{ibuprofen}_outcome": "missed", f"medication_{ibuprofen}_given_at": None},
    )

    response = circle["coordinator_client"].post(f"/patients/{patient.id}/home-log/new", data=form)
    assert response.status_code == 302, response.text[:2000]
    session = store.one(HomeSession, patient_id=patient.id)
    pain, doses = alerts(store, "pain_flag"), alerts(store, "dose_missed")
    assert set(pain) == set(doses) == {patient.id, dora.id}  # not Cora, who logged it
    assert pain[patient.id][0].title == "Pain flag at home"
    assert pain[patient.id][0].body.startswith(
        "Cora Coordinator logged Rosa Patient's home session of "
    )
    assert "pain 4 before and 8 after" in pain[patient.id][0].body
    assert "recording a dose as missed." in doses[dora.id][0].body
    assert pain[dora.id][0].link == f"/patients/{patient.id}/home-log/{session.id}"

    deliver()
    emails = mailed(smtp, "Pain flag at home")
    assert set(emails) == {patient.email, dora.email}
    doses_mailed = mailed(smtp, "A dose was not given")
    assert set(doses_mailed) == {patient.email, dora.email}
    for message in [*emails[dora.email], *doses_mailed[dora.email]]:
        assert no_medication_named(str(message["Subject"]), text_of(message))
    assert not smtp.messages(to=coordinator.email) and not smtp.messages(to="vic@example.com")
    page = follow(dora_client, doses_mailed[dora.email][0])
    assert page.status_code == 200 and "Ibuprofen" in page.text
    rosa_client = login(app.test_client(), patient)
    assert follow(rosa_client, emails[patient.email][0]).status_code == 200


def test_the_patient_logging_a_refused_dose_tells_the_coordinators_once(
    app, smtp, deliver, circle, routine, patient, patient_client, store
):
    ibuprofen = routine["medications"]["Ibuprofen"].id
    form = session_form(
        routine,
        **{f"medication_{ibuprofen}_outcome": "refused", f"medication_{ibuprofen}_given_at": None},
    )
    url = f"/patients/{patient.id}/home-log/new"
    assert patient_client.post(url, data=form).status_code == 302
    again = patient_client.post(url, data=form, follow_redirects=True)  # a double tap
    assert "This session was already saved" in again.text

    told = alerts(store, "dose_missed")
    assert {person: len(notes) for person, notes in told.items()} == {circle["coordinator"].id: 1}
    assert told[circle["coordinator"].id][0].body.startswith(
        "Rosa Patient logged their home session of "
    )
    assert store.count(Notification, kind="pain_flag") == 0

    deliver()
    assert set(mailed(smtp, "A dose was not given")) == {circle["coordinator"].email}


def test_a_calm_home_session_or_a_refused_one_tells_nobody(
    app, circle, routine, patient, patient_client, store
):
    url = f"/patients/{patient.id}/home-log/new"
    future = session_form(routine, pain_after="9", ago=-timedelta(hours=2))
    assert patient_client.post(url, data=future).status_code == 422
    assert circle["viewer_client"].post(url, data=session_form(routine)).status_code == 404
    assert patient_client.post(url, data=session_form(routine)).status_code == 302
    assert store.count(Notification) == 0 and store.count(OutboxEmail) == 0
