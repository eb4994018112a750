"""An aide writes their profile; anyone signed in reads it before choosing them."""

import pytest

from tests.conftest import field_error
from tests.marketplace.test_reviews import add_cancellation, add_review, add_visit
from webapp.marketplace.models import AideProfile

PROFILE = {
    "bio": "Eight years helping people back on their feet after hip surgery.",
    "skills": ["stretching", "cold_therapy"],
    "hourly_rate": "25.50",
    "currency": "USD",
    "service_area": "02139, Somerville, Cambridge",
    "languages": "English, Portuguese",
}


def test_an_aide_without_a_profile_is_asked_to_create_one(aide_client):
    response = aide_client.get("/aide/profile")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Create your aide profile" in page
    assert "You do not have an aide profile yet." in page
    assert "Create my profile" in page
    assert 'value="English"' in page  # languages start as English


def test_aide_creates_a_profile_and_sees_it_as_patients_do(aide_client, aide, store):
    response = aide_client.post("/aide/profile", data=PROFILE)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/aides/{aide.id}")
    profile = store.one(AideProfile, user_id=aide.id)
    assert profile.skill_keys == ["stretching", "cold_therapy"]
    assert (profile.hourly_rate_cents, profile.currency) == (2550, "USD")
    assert profile.service_area == "02139, Somerville, Cambridge"
    assert profile.languages == "English, Portuguese"
    assert profile.verified_at is None and profile.verified_by_id is None
    page = aide_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Profile created." in page
    assert "$25.50/h" in page
    assert "Stretching assistance" in page and "Cold therapy" in page
    assert "Medication reminders" not in page
    assert "Background check not verified yet" in page


@pytest.mark.parametrize(
    ("rate", "currency", "cents", "shown"),
    [
        ("25", "USD", 2500, "$25.00/h"),
        ("25.5", "EUR", 2550, "€25.50/h"),
        ("1", "GBP", 100, "£1.00/h"),
        ("500.00", "CAD", 50_000, "CA$500.00/h"),
        (" 42.10 ", "AUD", 4210, "A$42.10/h"),
    ],
)
def test_rates_are_stored_in_cents_and_shown_with_the_currency(
    aide_client, aide, store, rate, currency, cents, shown
):
    aide_client.post("/aide/profile", data={**PROFILE, "hourly_rate": rate, "currency": currency})
    profile = store.one(AideProfile, user_id=aide.id)
    assert (profile.hourly_rate_cents, profile.currency) == (cents, currency)
    assert shown in aide_client.get(f"/aides/{aide.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"hourly_rate": ""}, "hourly_rate", "Enter your hourly rate"),
        ({"hourly_rate": "0"}, "hourly_rate", "from 1.00 to 500.00"),
        ({"hourly_rate": "0.99"}, "hourly_rate", "from 1.00 to 500.00"),
        ({"hourly_rate": "-25"}, "hourly_rate", "from 1.00 to 500.00"),
        ({"hourly_rate": "500.01"}, "hourly_rate", "from 1.00 to 500.00"),
        ({"hourly_rate": "abc"}, "hourly_rate", "as a number"),
        ({"hourly_rate": "25.505"}, "hourly_rate", "as a number"),
        ({"hourly_rate": "NaN"}, "hourly_rate", "as a number"),
        ({"skills": []}, "skills", "at least one thing"),
        ({"skills": ["stretching", "yoga"]}, "skills", "Pick from the choices shown"),
        ({"currency": "XYZ"}, "currency", "Choose a currency from the list"),
        ({"currency": ""}, "currency", "Choose a currency from the list"),
        ({"service_area": ""}, "service_area", "Say where you travel"),
        ({"service_area": "   "}, "service_area", "Say where you travel"),
        ({"service_area": "x" * 201}, "service_area", "under 200"),
        ({"languages": ""}, "languages", "at least one language"),
        ({"languages": "x" * 201}, "languages", "under 200"),
        ({"bio": "x" * 2001}, "bio", "under 2000"),
        ({"bio": "Hello\x07"}, "bio", "invisible control characters"),
    ],
)
def test_bad_profiles_are_refused_and_nothing_is_stored(
    aide_client, store, changes, field, message
):
    response = aide_client.post("/aide/profile", data={**PROFILE, **changes})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = field_error(html, field)
    assert error is not None and message in error, html
    assert store.count(AideProfile) == 0


def test_bio_and_a_long_but_allowed_profile_are_kept(aide_client, aide, store):
    data = {**PROFILE, "bio": "b" * 2000, "service_area": "a" * 200, "languages": "l" * 200}
    assert aide_client.post("/aide/profile", data=data).status_code == 302
    profile = store.one(AideProfile, user_id=aide.id)
    assert (len(profile.bio), len(profile.service_area), len(profile.languages)) == (2000, 200, 200)


def test_an_empty_bio_is_stored_as_none(aide_client, aide, store):
    aide_client.post("/aide/profile", data={**PROFILE, "bio": "  "})
    assert store.one(AideProfile, user_id=aide.id).bio is None


def test_editing_shows_the_current_profile_and_keeps_the_verification(app, make_aide, login, store):
    vera = make_aide("Vera Verified", rate_cents=3000)
    before = store.one(AideProfile, user_id=vera.id)
    client = login(app.test_client(), vera)
    page = client.get("/aide/profile").get_data(as_text=True)
    assert "Your aide profile" in page and "Background check verified" in page
    assert 'value="30.00"' in page and "Springfield 12345" in page
    response = client.post("/aide/profile", data={**PROFILE, "hourly_rate": "35"})
    assert response.status_code == 302
    after = store.one(AideProfile, user_id=vera.id)
    assert after.hourly_rate_cents == 3500
    assert after.service_area == "02139, Somerville, Cambridge"
    assert (after.verified_at, after.verification_note) == (
        before.verified_at,
        before.verification_note,
    )
    assert "Profile saved." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_unticking_every_skill_is_refused(app, make_aide, login, store):
    vera = make_aide("Vera Verified")
    client = login(app.test_client(), vera)
    data = {key: value for key, value in PROFILE.items() if key != "skills"}
    response = client.post("/aide/profile", data=data)
    assert response.status_code == 422
    assert "at least one thing" in field_error(response.get_data(as_text=True), "skills")
    assert store.one(AideProfile, user_id=vera.id).skills == 0b111


@pytest.mark.parametrize("role", ["patient", "family", "admin"])
def test_only_aides_have_an_aide_profile(app, make_user, login, store, role):
    client = login(app.test_client(), make_user(role))
    assert client.get("/aide/profile").status_code == 404
    assert client.post("/aide/profile", data=PROFILE).status_code == 404
    assert store.count(AideProfile) == 0


def test_logged_out_visitors_are_sent_to_login(client):
    for response in (client.get("/aide/profile"), client.post("/aide/profile", data=PROFILE)):
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]


def test_public_profile_shows_rating_visits_and_reliability(
    app, make_user, make_aide, patient_client, patient
):
    vera = make_aide("Vera Verified")
    other_aide = make_aide("Olga Other")
    for rating in (5, 4, 4):
        add_review(app, patient, vera, rating)
    add_visit(app, patient, vera, status="booked", days_ago=-1)  # not done yet
    add_review(app, patient, other_aide, 1)  # someone else's record
    add_cancellation(app, patient, vera, late=True)
    add_cancellation(app, patient, vera, late=False)  # in good time: not held against her
    add_cancellation(app, patient, vera, side="patient", late=True)  # the patient's doing
    add_cancellation(app, patient, other_aide, late=True)
    page = patient_client.get(f"/aides/{vera.id}").get_data(as_text=True)
    assert "Vera Verified" in page
    assert "Background check verified" in page
    assert "$30.00/h" in page and "Springfield 12345" in page and "English" in page
    assert "Ten years of home care." in page
    assert "4.3 out of 5 from 3 reviews" in page
    assert "<dt>Completed visits</dt><dd>3</dd>" in page
    assert "<dt>Late cancellations</dt><dd>1 " in page


def test_public_profile_never_shows_contact_details(app, make_user, login, patient_client):
    sam = make_user("aide", name="Sam Aide", email="sam.aide@example.com", phone="+1 555 010 0199")
    login(app.test_client(), sam).post("/aide/profile", data=PROFILE)
    page = patient_client.get(f"/aides/{sam.id}").get_data(as_text=True)
    assert "Sam Aide" in page
    assert "sam.aide@example.com" not in page and "555 010 0199" not in page


def test_html_in_a_bio_and_in_reviews_is_shown_escaped(
    app, aide_client, aide, patient, patient_client
):
    aide_client.post("/aide/profile", data={**PROFILE, "bio": "<script>alert('bio')</script>"})
    add_review(app, patient, aide, 5, "<img src=x onerror=alert(1)>")
    page = patient_client.get(f"/aides/{aide.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;bio&#39;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_only_the_ten_latest_comments_are_shown(app, make_aide, patient, patient_client):
    vera = make_aide("Vera Verified")
    for day in range(1, 13):  # comment 1 is the newest, comment 12 the oldest
        add_review(app, patient, vera, 5, f"Comment number {day}.", days_ago=day)
    add_review(app, patient, vera, 3)  # a rating without words counts but shows no comment
    page = patient_client.get(f"/aides/{vera.id}").get_data(as_text=True)
    shown = [day for day in range(1, 13) if f"Comment number {day}." in page]
    assert shown == list(range(1, 11))
    assert page.index("Comment number 1.") < page.index("Comment number 10.")
    assert "4.8 out of 5 from 13 reviews" in page  # 63 stars / 13 = 4.846...


def test_an_aide_with_no_reviews_says_so(make_aide, patient_client):
    vera = make_aide("Vera Verified")
    page = patient_client.get(f"/aides/{vera.id}").get_data(as_text=True)
    assert "No reviews yet" in page and "No comments yet." in page


@pytest.mark.parametrize("viewer", ["patient_client", "family_client", "aide_client"])
def test_anyone_signed_in_may_read_a_profile(request, make_aide, viewer):
    vera = make_aide("Vera Verified")
    client = request.getfixturevalue(viewer)
    assert client.get(f"/aides/{vera.id}").status_code == 200


def test_profiles_that_do_not_exist_are_not_found(
    app, make_user, make_aide, patient, patient_client, client
):
    unvetted = make_user("aide", name="No Profile Yet")
    admin = make_user("admin")
    for user_id in (999999, patient.id, unvetted.id, admin.id):
        response = patient_client.get(f"/aides/{user_id}")
        assert response.status_code == 404, user_id
        assert "We could not find that aide." in response.get_data(as_text=True)
    vera = make_aide("Vera Verified")
    assert "/auth/login" in client.get(f"/aides/{vera.id}").headers["Location"]
