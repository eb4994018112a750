"""An admin records each aide's background check before they can book visits."""

from datetime import timedelta

import pytest

from tests.conftest import field_error
from webapp.database import utcnow
from webapp.marketplace.models import AideProfile

NOTE = "Background check done 2026-11-20, ref 1234"


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Ada Admin")


@pytest.fixture
def admin_client(app, admin, login):
    return login(app.test_client(), admin)


@pytest.fixture
def aides(make_user, make_aide):
    """One aide of each kind: verified, waiting for a check, and without a profile."""
    return {
        "verified": make_aide("Vera Verified"),
        "waiting": make_aide("Walter Waiting", verified=False),
        "no_profile": make_user("aide", name="Nadia Noprofile"),
    }


def note_field(aide) -> str:
    """Each aide's note field on the vetting page has its own name and id."""
    return f"aide-{aide.id}-note"


def verify(client, aide, note=NOTE, action="verify"):
    return client.post(f"/admin/aides/{aide.id}/{action}", data={note_field(aide): note})


def test_admin_sees_every_aide_and_their_status(admin_client, aides, patient):
    page = admin_client.get("/admin/aides").get_data(as_text=True)
    for name in ("Vera Verified", "Walter Waiting", "Nadia Noprofile"):
        assert name in page
    assert "Rosa Patient" not in page  # patients are not vetted
    assert "3 aides." in page
    assert "No profile yet" in page
    assert "Not verified" in page
    assert f"✓ Verified {utcnow():%Y-%m-%d}" in page


@pytest.mark.parametrize(
    ("show", "listed", "not_listed"),
    [
        ("verified", ["Vera Verified"], ["Walter Waiting", "Nadia Noprofile"]),
        ("unverified", ["Walter Waiting", "Nadia Noprofile"], ["Vera Verified"]),
        ("all", ["Vera Verified", "Walter Waiting", "Nadia Noprofile"], []),
        ("nonsense", ["Vera Verified", "Walter Waiting", "Nadia Noprofile"], []),
    ],
)
def test_admin_filters_the_list(admin_client, aides, show, listed, not_listed):
    page = admin_client.get(f"/admin/aides?show={show}").get_data(as_text=True)
    assert all(f"<h2>{name}</h2>" in page for name in listed)
    assert not any(f"<h2>{name}</h2>" in page for name in not_listed)


def test_admin_verifies_an_aide_with_a_note(admin_client, admin, aides, store, patient_client):
    walter = aides["waiting"]
    before = utcnow()
    response = verify(admin_client, walter)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/aides?show=all#aide-{walter.id}")
    profile = store.one(AideProfile, user_id=walter.id)
    assert before - timedelta(seconds=1) <= profile.verified_at <= utcnow()
    assert profile.verified_at.utcoffset() == timedelta(0)
    assert profile.verified_by_id == admin.id
    assert profile.verification_note == f"Verified {before:%Y-%m-%d} by Ada Admin: {NOTE}"
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Walter Waiting is verified." in page
    assert "by Ada Admin" in page
    public = patient_client.get(f"/aides/{walter.id}").get_data(as_text=True)
    assert "Background check verified" in public
    assert "Walter Waiting" in patient_client.get("/aides").get_data(as_text=True)


def test_admin_withdraws_a_verification_and_the_history_is_kept(
    admin_client, aides, store, patient_client
):
    walter = aides["waiting"]
    verify(admin_client, walter)
    response = verify(admin_client, walter, "Reference 1234 withdrawn by the agency", "unverify")
    assert response.status_code == 302
    profile = store.one(AideProfile, user_id=walter.id)
    assert profile.verified_at is None and profile.verified_by_id is None
    day = f"{utcnow():%Y-%m-%d}"
    assert profile.verification_note == (
        f"Verification withdrawn {day} by Ada Admin: Reference 1234 withdrawn by the agency"
        f"\n\nVerified {day} by Ada Admin: {NOTE}"
    )
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Walter Waiting is no longer verified and cannot book visits." in page
    assert "Walter Waiting" not in patient_client.get("/aides").get_data(as_text=True)


def test_editing_after_a_withdrawal_does_not_verify_again(app, admin_client, aides, login, store):
    vera = aides["verified"]
    verify(admin_client, vera, "Expired check", "unverify")
    client = login(app.test_client(), vera)
    client.post(
        "/aide/profile",
        data={
            "skills": ["mobility"],
            "hourly_rate": "20",
            "currency": "USD",
            "service_area": "Springfield",
            "languages": "English",
        },
    )
    assert store.one(AideProfile, user_id=vera.id).verified_at is None


@pytest.mark.parametrize("action", ["verify", "unverify"])
@pytest.mark.parametrize(
    ("note", "message"),
    [("", "Write what you checked"), ("   ", "Write what you checked"), ("x" * 2001, "under 2000")],
)
def test_every_change_needs_a_note(admin_client, aides, store, action, note, message):
    aide = aides["waiting" if action == "verify" else "verified"]
    before = store.one(AideProfile, user_id=aide.id)
    response = verify(admin_client, aide, note, action)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = field_error(html, note_field(aide))
    assert error is not None and message in error, html
    after = store.one(AideProfile, user_id=aide.id)
    assert (after.verified_at, after.verification_note) == (
        before.verified_at,
        before.verification_note,
    )


def test_an_aide_without_a_profile_cannot_be_verified(admin_client, aides, store):
    response = verify(admin_client, aides["no_profile"])
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Nadia Noprofile has not written an aide profile yet" in page
    assert store.count(AideProfile, user_id=aides["no_profile"].id) == 0


def test_verifying_twice_or_withdrawing_twice_is_refused(admin_client, aides, store):
    vera, walter = aides["verified"], aides["waiting"]
    response = verify(admin_client, vera)
    assert response.status_code == 409
    assert "Vera Verified is already verified." in response.get_data(as_text=True)
    response = verify(admin_client, walter, "Nothing to withdraw", "unverify")
    assert response.status_code == 409
    assert "Walter Waiting is not verified" in response.get_data(as_text=True)
    assert store.one(AideProfile, user_id=walter.id).verification_note is None


def test_a_missing_note_is_shown_even_when_the_list_filters_that_aide_out(admin_client, aides):
    vera = aides["verified"]
    response = admin_client.post(
        f"/admin/aides/{vera.id}/unverify?show=unverified", data={note_field(vera): ""}
    )
    assert response.status_code == 422
    assert "Write what you checked" in field_error(
        response.get_data(as_text=True), note_field(vera)
    )


def test_only_aides_can_be_vetted(admin_client, patient, store):
    for user_id in (patient.id, 999999):
        for note in (NOTE, ""):
            response = admin_client.post(
                f"/admin/aides/{user_id}/verify", data={f"aide-{user_id}-note": note}
            )
            assert response.status_code == 404, (user_id, note)
    assert store.count(AideProfile) == 0


@pytest.mark.parametrize("who", ["patient_client", "aide_client", "family_client"])
def test_admin_pages_are_not_found_for_everyone_else(request, aides, store, who):
    client = request.getfixturevalue(who)
    response = client.get("/admin/aides")
    assert response.status_code == 404
    assert "Walter Waiting" not in response.get_data(as_text=True)
    assert verify(client, aides["waiting"]).status_code == 404
    assert verify(client, aides["verified"], "No", "unverify").status_code == 404
    assert store.one(AideProfile, user_id=aides["waiting"].id).verified_at is None
    assert store.one(AideProfile, user_id=aides["verified"].id).verified_at is not None


def test_an_aide_cannot_verify_themself(app, aides, login, store):
    walter = aides["waiting"]
    client = login(app.test_client(), walter)
    assert verify(client, walter).status_code == 404
    assert store.one(AideProfile, user_id=walter.id).verified_at is None


def test_logged_out_visitors_are_sent_to_login(client, aides):
    for response in (client.get("/admin/aides"), verify(client, aides["waiting"])):
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]


def test_a_logged_in_aide_sees_the_change_on_their_next_page(
    app, admin_client, aides, login, make_user, post_request, store
):
    from webapp.scheduling.models import Visit

    walter = aides["waiting"]
    posted = post_request(make_user("patient"))
    slot = store.one(Visit, request_id=posted.id)
    client = login(app.test_client(), walter)  # logged in before the admin acts
    board = client.get("/board").get_data(as_text=True)
    assert "you cannot book yet" in board and ">Book<" not in board
    assert "Your profile is verified" not in client.get("/dashboard").get_data(as_text=True)

    verify(admin_client, walter)
    board = client.get("/board").get_data(as_text=True)
    assert "you cannot book yet" not in board and ">Book<" in board
    assert "Your profile is verified" in client.get("/dashboard").get_data(as_text=True)

    verify(admin_client, walter, "Reference 1234 withdrawn by the agency", "unverify")
    board = client.get("/board").get_data(as_text=True)
    assert "you cannot book yet" in board and ">Book<" not in board
    client.post(f"/visits/{slot.id}/book", data={})
    assert store.one(Visit, id=slot.id).status == "open"
