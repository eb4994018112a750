"""The request form with card payments on: it shows what a visit and the whole series cost, and
a request goes on the board only once a card is saved (the form keeps what was typed)."""

from tests.payments.flows import request_form as _form
from tests.payments.flows import save_card_on_pages
from webapp.marketplace.models import AssistanceRequest
from webapp.scheduling.models import Visit


def test_without_a_saved_card_the_request_waits_and_keeps_what_was_typed(
    app, patient, login, fake_stripe, store
):
    rosa = login(app.test_client(), patient)
    form = rosa.get("/requests/new").get_data(as_text=True)
    assert "No card is saved for your visits yet" in form
    assert f'href="/patients/{patient.id}/payment-card"' in form

    refused = rosa.post("/requests/new", data=_form())
    page = refused.get_data(as_text=True)

    assert refused.status_code == 422
    assert "Save a card for visits before posting this request" in page
    assert f'href="/patients/{patient.id}/payment-card"' in page
    assert "Morning meds are on the kitchen table." in page and 'value="12 Oak Lane"' in page
    assert store.count(AssistanceRequest) == 0 and store.count(Visit) == 0

    save_card_on_pages(rosa, fake_stripe, patient.id)
    posted = rosa.post("/requests/new", data=_form())
    assert posted.status_code == 302
    assert store.count(Visit) == 6
    assert "No card is saved" not in rosa.get("/requests/new").get_data(as_text=True)


def test_the_form_shows_the_cost_of_a_visit_and_of_the_whole_series(
    app, patient, login, fake_stripe
):
    rosa = login(app.test_client(), patient)
    # Sent back for a missing address: the cost is worked out from what was typed.
    series = rosa.post("/requests/new", data=_form(street="")).get_data(as_text=True)
    once = rosa.post("/requests/new", data=_form(street="", repeat="once")).get_data(as_text=True)
    open_ended = rosa.post(
        "/requests/new", data=_form(street="", ends="until", until_date="", count="")
    ).get_data(as_text=True)

    assert "$42.00 per visit" in series  # 1 h 30 min at $28.00 an hour
    assert "$252.00 for the whole series</strong> of 6 visits" in series
    assert "$42.00 per visit" in once and "whole series" not in once
    assert "about $126.00 per week (3 visits a week)" in open_ended
    assert "authorized when an aide books" in series and "50% of the visit" in series
