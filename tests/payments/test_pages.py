"""The payment pages for each kind of person: the patient's and a coordinator's card and
receipts, the aide's payouts, the admin's list, refunds and disputes; others get 404."""

from urllib.parse import urlsplit

import pytest

from webapp.extensions import db
from webapp.payments import charges, services
from webapp.payments.models import PaymentProfile, PaymentRefund, PayoutAccount, VisitPayment


@pytest.fixture
def circle(app, patient, make_user):
    """A coordinator and a viewer in the patient's care circle."""
    from webapp.circle.models import CircleMember

    coordinator, viewer = make_user("family", name="Cora"), make_user("family", name="Vic")
    with app.app_context():
        db.session.add_all(
            [
                CircleMember(patient_id=patient.id, member_id=coordinator.id, role="coordinator"),
                CircleMember(patient_id=patient.id, member_id=viewer.id, role="viewer"),
            ]
        )
        db.session.commit()
    return coordinator, viewer


def _save_card_through_pages(client, patient, fake_stripe, number="4242424242424242"):
    started = client.post(f"/patients/{patient.id}/payment-card/setup", data={})
    assert started.status_code == 303, started.get_data(as_text=True)[:500]
    assert started.location.startswith(fake_stripe.url)
    back = fake_stripe.complete_checkout(started.location, number)
    return client.get(urlsplit(back)._replace(scheme="", netloc="").geturl())


def test_the_patient_saves_a_card_on_stripes_page(patient_client, patient, fake_stripe, store):
    before = patient_client.get(f"/patients/{patient.id}/payment-card").get_data(as_text=True)
    saved = _save_card_through_pages(patient_client, patient, fake_stripe)
    page = patient_client.get(saved.location).get_data(as_text=True)

    assert "No card is saved yet" in before and "Save a card" in before
    assert 'name="number"' not in before  # no card field on our pages
    assert saved.status_code == 302
    assert "Card ending 4242 saved for visits." in page
    profile = store.one(PaymentProfile)
    assert (profile.card_last4, profile.card_brand, profile.saved_by_id) == (
        "4242",
        "visa",
        patient.id,
    )


def test_a_coordinator_saves_the_card_for_the_patient_and_a_viewer_cannot(
    app, patient, circle, login, fake_stripe, store
):
    coordinator, viewer = circle
    cora = login(app.test_client(), coordinator)
    vic = login(app.test_client(), viewer)

    _save_card_through_pages(cora, patient, fake_stripe)
    page = cora.get(f"/patients/{patient.id}/payment-card").get_data(as_text=True)

    assert store.one(PaymentProfile).saved_by_id == coordinator.id
    assert "ending 4242" in page and "Saved by you" in page
    assert vic.get(f"/patients/{patient.id}/payment-card").status_code == 404
    assert vic.post(f"/patients/{patient.id}/payment-card/setup", data={}).status_code == 404


def test_coming_back_with_someone_elses_setup_saves_nothing(
    app, patient, make_user, login, fake_stripe, store, stripe_client
):
    other = make_user("patient", name="Otto")
    otto = login(app.test_client(), other)
    started = otto.post(f"/patients/{other.id}/payment-card/setup", data={})
    otto_session = fake_stripe.complete_checkout(started.location).rsplit("=", 1)[1]
    rosa = login(app.test_client(), patient)
    rosa.post(f"/patients/{patient.id}/payment-card/setup", data={})

    stolen = rosa.get(f"/patients/{patient.id}/payment-card/saved?session_id={otto_session}")
    made_up = rosa.get(f"/patients/{patient.id}/payment-card/saved?session_id=cs_test_nothing")
    no_id = rosa.get(f"/patients/{patient.id}/payment-card/saved")

    assert (stolen.status_code, made_up.status_code, no_id.status_code) == (404, 404, 404)
    assert store.one(PaymentProfile, patient_id=patient.id).default_payment_method_id is None
    assert store.one(PaymentProfile, patient_id=other.id).default_payment_method_id is None


def test_another_patient_and_an_aide_cannot_open_the_card_or_receipts(
    patient, verified_aide_client, make_user, login, app
):
    other = login(app.test_client(), make_user("patient", name="Otto"))
    for client in (verified_aide_client, other):
        for path in (
            f"/patients/{patient.id}/payment-card",
            f"/patients/{patient.id}/payments",
            f"/patients/{patient.id}/payment-card/saved?session_id=cs_test_x",
        ):
            assert client.get(path).status_code == 404


@pytest.fixture
def paid_visit(patient, payable_aide, save_card, booked_visit, on_visit):
    aide = payable_aide("Sam Aide")
    save_card(patient)
    visit_id = booked_visit(patient, aide)
    on_visit(services.authorize, visit_id)
    return aide, on_visit(charges.capture, visit_id, 31)


def test_receipts_show_what_the_visit_cost_and_why(patient_client, patient, paid_visit):
    _aide, payment = paid_visit

    listing = patient_client.get(f"/patients/{patient.id}/payments").get_data(as_text=True)
    receipt = patient_client.get(f"/visits/{payment.visit_id}/receipt").get_data(as_text=True)

    assert "$21.00 paid" in listing and "45 minutes charged" in listing
    assert "$28.00" in receipt and "$21.00" in receipt and "the visit ended early" in receipt


def test_the_aide_sees_onboarding_then_earnings_per_visit_and_month(
    app, make_aide, login, fake_stripe, store, paid_visit
):
    newcomer = login(app.test_client(), make_aide("Nia New"))
    page = newcomer.get("/payouts").get_data(as_text=True)
    started = newcomer.post("/payouts/onboard", data={})
    account = store.one(PayoutAccount, aide_id=store.all(PayoutAccount)[-1].aide_id)
    fake_stripe.finish_onboarding(account.stripe_account_id)
    back = newcomer.get("/payouts/return", follow_redirects=True).get_data(as_text=True)

    assert "Set up payouts" in page
    assert started.status_code == 303 and "/_config/onboarding/" in started.location
    assert "Payouts are set up" in back

    aide, payment = paid_visit
    earner = login(app.test_client(), aide)
    earnings = earner.get("/payouts").get_data(as_text=True)
    assert "Payouts on" in earnings
    assert "You earn $18.90" in earnings  # 21.00 paid less the 2.10 fee
    assert "$18.90</td>" in earnings  # this month's total


def test_the_admin_filters_payments_and_refunds_with_a_reason(
    app, make_user, login, paid_visit, store
):
    _aide, payment = paid_visit
    admin = login(app.test_client(), make_user("admin"))
    page = f"/admin/visits/{payment.visit_id}/payment"

    listed = admin.get("/admin/payments?status=captured&person=rosa").get_data(as_text=True)
    none = admin.get("/admin/payments?status=refunded").get_data(as_text=True)
    form = admin.get(page).get_data(as_text=True)
    key = form.split('name="submission_key" type="hidden" value="')[1].split('"')[0]
    too_much = admin.post(
        f"{page}/refund",
        data={"amount": "21.01", "reason": "Early", "confirm": "y", "submission_key": key},
    )
    unconfirmed = admin.post(
        f"{page}/refund", data={"amount": "5", "reason": "Early", "submission_key": key}
    )
    done = admin.post(
        f"{page}/refund",
        data={"amount": "5", "reason": "Left early", "confirm": "y", "submission_key": key},
    )
    replay = admin.post(
        f"{page}/refund",
        data={"amount": "5", "reason": "Left early", "confirm": "y", "submission_key": key},
        follow_redirects=True,
    )

    assert f"/admin/visits/{payment.visit_id}/payment" in listed
    assert "No payments match" in none
    assert too_much.status_code == 422 and "You can refund at most $21.00." in too_much.get_data(
        as_text=True
    )
    assert unconfirmed.status_code == 422
    assert done.status_code == 302
    assert "That refund was already made." in replay.get_data(as_text=True)
    refund = store.one(PaymentRefund)
    assert (refund.amount_cents, refund.reason) == (500, "Left early")
    assert store.one(VisitPayment).status == "partially_refunded"


def test_only_admins_see_the_admin_pages(patient_client, verified_aide_client, paid_visit):
    _aide, payment = paid_visit
    for client in (patient_client, verified_aide_client):
        assert client.get("/admin/payments").status_code == 404
        assert client.get("/admin/disputes").status_code == 404
        assert client.get(f"/admin/visits/{payment.visit_id}/payment").status_code == 404
        refused = client.post(
            f"/admin/visits/{payment.visit_id}/payment/refund",
            data={"amount": "5", "reason": "x", "confirm": "y", "submission_key": "k" * 24},
        )
        assert refused.status_code == 404


def test_bad_admin_filters_are_a_message_not_an_error(app, make_user, login):
    admin = login(app.test_client(), make_user("admin"))

    response = admin.get("/admin/payments?status=stolen&date_from=2026-02-30&before=%C2%B2")

    assert response.status_code == 422
    assert "Choose from the list." in response.get_data(as_text=True)


def test_the_filters_show_what_was_asked_and_come_back_empty_after(app, make_user, login):
    admin = login(app.test_client(), make_user("admin"))

    filtered = admin.get("/admin/payments?status=captured&person=rosa&date_from=2026-02-01")
    refused = admin.get("/admin/payments?date_from=2026-13-01")
    plain = admin.get("/admin/payments").get_data(as_text=True)
    older = admin.get("/admin/payments?before=5").get_data(as_text=True)

    page = filtered.get_data(as_text=True)
    assert '<option selected value="captured">Paid</option>' in page
    assert 'name="person" type="text" value="rosa"' in page
    assert 'name="date_from" type="date" value="2026-02-01"' in page
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    for blank in (plain, older):
        assert '<option selected value="">Any</option>' in blank
        assert 'name="person" type="text" value=""' in blank
        assert "aria-invalid" not in blank and "field__error" not in blank
