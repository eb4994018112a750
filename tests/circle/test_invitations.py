"""A patient invites a relative by link; the relative joins once; the patient manages roles."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

from tests.mail import links_in
from webapp.auth.models import User
from webapp.circle.models import CircleInvitation, CircleMember
from webapp.database import utcnow


def test_patient_invites_and_relative_joins_as_coordinator(
    patient, patient_client, family, family_client, invite, store
):
    link = invite(patient_client, "Dan.Family@Example.com ")

    page = family_client.get(link)
    assert page.status_code == 200
    assert "Join Rosa Patient's care circle" in unescape(page.text)
    assert "coordinator" in unescape(page.text)

    joined = family_client.post(link, data={}, follow_redirects=True)
    assert "You joined Rosa Patient's care circle as a coordinator." in unescape(joined.text)
    member = store.one(CircleMember, patient_id=patient.id)
    assert (member.member_id, member.role) == (family.id, "coordinator")
    invitation = store.one(CircleInvitation, patient_id=patient.id)
    assert invitation.email == "dan.family@example.com"
    assert invitation.accepted_by_id == family.id

    circle_page = patient_client.get(f"/patients/{patient.id}/circle")
    assert "Dan Family" in circle_page.text
    assert "Waiting for an answer" not in circle_page.text


def test_link_works_once(patient_client, family_client, make_user, login, app, invite, store):
    link = invite(patient_client, "someone@example.com")
    family_client.post(link, data={})
    second = login(app.test_client(), make_user("family", name="Eve Second"))

    used = second.post(link, data={})
    assert used.status_code == 409
    assert "already been used" in used.text
    assert store.count(CircleMember) == 1


def test_only_a_hash_of_the_token_is_stored(patient_client, invite, store):
    link = invite(patient_client, "someone@example.com")
    token = link.rsplit("/", 1)[1]
    invitation = store.one(CircleInvitation)
    assert token not in invitation.token_hash
    assert len(invitation.token_hash) == 64


def test_withdrawn_link_no_longer_works(patient, patient_client, family_client, invite, store):
    link = invite(patient_client, "someone@example.com")
    invitation = store.one(CircleInvitation)

    withdrawn = patient_client.post(
        f"/patients/{patient.id}/circle/invitations/{invitation.id}/withdraw",
        data={},
        follow_redirects=True,
    )
    assert "its link no longer works" in withdrawn.text

    refused = family_client.post(link, data={})
    assert refused.status_code == 409
    assert "withdrew this invitation" in refused.text
    assert store.count(CircleMember) == 0


def test_expired_link_is_refused(app, patient_client, family_client, invite, store):
    from webapp.extensions import db

    link = invite(patient_client, "someone@example.com")
    with app.app_context():
        invitation = db.session.scalars(db.select(CircleInvitation)).one()
        invitation.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()

    refused = family_client.get(link)
    assert refused.status_code == 409
    assert "expired" in refused.text
    assert family_client.post(link, data={}).status_code == 409
    assert store.count(CircleMember) == 0


def test_forged_link_is_not_found(family_client, store):
    for token in ("not-a-real-token", "x" * 500, "%00"):
        response = family_client.get(f"/circle/join/{token}")
        assert response.status_code == 404
        assert "not valid" in response.text
    assert store.count(CircleMember) == 0


def test_someone_already_in_the_circle_cannot_be_invited_again(
    patient_client, family, family_client, invite, store
):
    family_client.post(invite(patient_client, family.email), data={})

    again = patient_client.post(
        f"/patients/{store.one(CircleMember).patient_id}/circle",
        data={"email": family.email, "role": "viewer"},
    )
    assert again.status_code == 409
    assert "already in your care circle" in again.text
    assert store.count(CircleInvitation) == 1


def test_inviting_the_same_address_twice_asks_to_withdraw_first(patient, patient_client, invite):
    invite(patient_client, "someone@example.com")
    again = patient_client.post(
        f"/patients/{patient.id}/circle", data={"email": "someone@example.com", "role": "viewer"}
    )
    assert again.status_code == 409
    assert "Withdraw that invitation" in again.text


def test_bad_invitation_input_changes_nothing(patient, patient_client, store):
    for data in (
        {"email": "", "role": "viewer"},
        {"email": "not an email", "role": "viewer"},
        {"email": "a@example.com", "role": "owner"},
        {"email": patient.email, "role": "viewer"},
        {"email": "a" * 300 + "@example.com", "role": "viewer"},
    ):
        response = patient_client.post(f"/patients/{patient.id}/circle", data=data)
        assert response.status_code in (409, 422), data
    assert store.count(CircleInvitation) == 0


def test_aides_and_patients_cannot_join(
    patient_client, make_user, login, app, invite, verified_aide_client, store
):
    link = invite(patient_client, "someone@example.com")
    other_patient = login(app.test_client(), make_user("patient", name="Other Patient"))
    for client in (verified_aide_client, other_patient):
        response = client.post(link, data={})
        assert response.status_code == 409
        assert "family account" in response.text
    assert store.count(CircleMember) == 0


def test_anonymous_visitor_is_offered_sign_up_and_log_in(patient_client, client, invite):
    link = invite(patient_client, "someone@example.com")
    page = client.get(link)
    assert page.status_code == 200
    assert "Sign up to join" in unescape(page.text)
    assert "next=" in unescape(page.text)


def test_patient_changes_role_and_removes_member(
    patient, patient_client, family_client, invite, store
):
    family_client.post(invite(patient_client, "dan@example.com", role="viewer"), data={})
    member = store.one(CircleMember)

    patient_client.post(
        f"/patients/{patient.id}/circle/members/{member.id}/role", data={"role": "coordinator"}
    )
    assert store.one(CircleMember).role == "coordinator"

    removed = patient_client.post(
        f"/patients/{patient.id}/circle/members/{member.id}/remove",
        data={},
        follow_redirects=True,
    )
    assert "is no longer in your care circle" in removed.text
    assert store.count(CircleMember) == 0


def test_only_the_patient_manages_the_circle(
    patient, patient_client, family_client, make_user, login, app, invite, store
):
    family_client.post(invite(patient_client, "dan@example.com"), data={})
    member = store.one(CircleMember)
    other_patient = login(app.test_client(), make_user("patient", name="Other Patient"))

    for client in (family_client, other_patient):
        assert client.get(f"/patients/{patient.id}/circle").status_code == 404
        assert (
            client.post(
                f"/patients/{patient.id}/circle", data={"email": "x@example.com", "role": "viewer"}
            ).status_code
            == 404
        )
        assert (
            client.post(
                f"/patients/{patient.id}/circle/members/{member.id}/remove", data={}
            ).status_code
            == 404
        )
    assert store.count(CircleMember) == 1
    assert store.count(CircleInvitation) == 1


def test_member_leaves_a_circle(patient, patient_client, family_client, invite, store):
    family_client.post(invite(patient_client, "dan@example.com"), data={})
    left = family_client.post(f"/circles/{patient.id}/leave", data={}, follow_redirects=True)
    assert "You left Rosa Patient's care circle." in unescape(left.text)
    assert store.count(CircleMember) == 0


def test_new_relative_signs_up_from_the_link_and_joins(
    patient, patient_client, client, invite, store
):
    link = invite(patient_client, "newcomer@example.com")
    signup_url = f"/auth/signup?role=family&next={link}"

    form = client.get(signup_url)
    assert re.search(r'<input checked[^>]*value="family"', form.text)

    created = client.post(
        signup_url,
        data={
            "display_name": "Nadia Newcomer",
            "email": "newcomer@example.com",
            "password": "a long enough sentence to pass",
            "confirm": "a long enough sentence to pass",
            "role": "family",
            "timezone": "Europe/London",
        },
    )
    assert created.status_code == 302
    assert created.headers["Location"].endswith(link)

    joined = client.post(link, data={}, follow_redirects=True)
    assert "You joined Rosa Patient's care circle" in unescape(joined.text)
    assert store.one(CircleMember).patient_id == patient.id


def test_sign_up_ignores_a_next_that_leaves_homestretch(client, smtp, deliver):
    created = client.post(
        "/auth/signup?next=//evil.example/steal",
        data={
            "display_name": "Nadia Newcomer",
            "email": "newcomer@example.com",
            "password": "a long enough sentence to pass",
            "confirm": "a long enough sentence to pass",
            "role": "family",
            "timezone": "Europe/London",
        },
    )
    assert created.headers["Location"] == "/auth/signup/check-email"
    deliver()
    [email] = smtp.messages("newcomer@example.com")
    link = urlsplit(links_in(email)[0]).path
    confirmed = client.post(link, data={"password": "a long enough sentence to pass"})
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == "/dashboard"


def test_a_sign_up_from_a_link_sent_to_another_address_waits_for_its_email(
    patient, patient_client, client, invite, store, smtp, deliver
):
    link = invite(patient_client, "newcomer@example.com")
    created = client.post(
        f"/auth/signup?role=family&next={link}",
        data={
            "display_name": "Nadia Newcomer",
            "email": "someone.else@example.com",
            "password": "a long enough sentence to pass",
            "confirm": "a long enough sentence to pass",
            "role": "family",
            "timezone": "Europe/London",
        },
    )
    assert created.headers["Location"] == "/auth/signup/check-email"
    assert store.count(User, email="someone.else@example.com") == 0
    deliver()
    [email] = smtp.messages("someone.else@example.com")
    confirmed = client.post(
        urlsplit(links_in(email)[0]).path, data={"password": "a long enough sentence to pass"}
    )
    assert confirmed.headers["Location"].endswith(link)  # back to the invitation they follow
    assert store.count(User, email="someone.else@example.com") == 1


def test_a_sign_up_from_an_invitation_to_a_taken_address_reveals_nothing(
    patient, patient_client, client, invite, make_user, store, smtp, deliver
):
    make_user("family", email="taken@example.com", name="Tara Taken")
    link = invite(patient_client, "taken@example.com")
    created = client.post(
        f"/auth/signup?role=family&next={link}",
        data={
            "display_name": "Nadia Newcomer",
            "email": "taken@example.com",
            "password": "a long enough sentence to pass",
            "confirm": "a long enough sentence to pass",
            "role": "family",
            "timezone": "Europe/London",
        },
    )
    assert created.headers["Location"] == "/auth/signup/check-email"
    assert store.one(User, email="taken@example.com").display_name == "Tara Taken"
    deliver()
    subjects = [str(message["Subject"]) for message in smtp.messages("taken@example.com")]
    assert "HomeStretch: Someone tried to sign up with your address" in subjects
