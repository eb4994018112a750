"""Check-in shows only once it opens; before that the page says when, and a refused press
explains itself and leads back to the visit."""

from tests.visits.conftest import move_visit


def test_a_visit_days_ahead_says_when_check_in_opens(app, verified_aide_client, visit_setup):
    visit = visit_setup["visit"]
    move_visit(app, visit.id, minutes_from_now=2 * 24 * 60)
    page = verified_aide_client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert ">Check in</button>" not in page
    assert "Check-in opens at " in page and ", 15 minutes before the visit." in page


def test_check_in_button_shows_once_it_opens(app, verified_aide_client, visit_setup):
    visit = visit_setup["visit"]
    move_visit(app, visit.id, minutes_from_now=14)
    page = verified_aide_client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert ">Check in</button>" in page and "Check-in opens at" not in page


def test_an_early_check_in_explains_and_leads_back(app, verified_aide_client, visit_setup):
    visit = visit_setup["visit"]
    move_visit(app, visit.id, minutes_from_now=2 * 24 * 60)
    visit_url = f"http://localhost/visits/{visit.id}"
    response = verified_aide_client.post(
        f"/visits/{visit.id}/check-in", data={}, headers={"Referer": visit_url}
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "<h1>That could not be done</h1>" in page and "Conflict" not in page
    assert "Check-in opens at" in page
    assert f'href="/visits/{visit.id}">Go back to the page you were on' in page


def test_a_foreign_referrer_is_never_offered_as_the_way_back(
    app, verified_aide_client, visit_setup
):
    visit = visit_setup["visit"]
    move_visit(app, visit.id, minutes_from_now=2 * 24 * 60)
    response = verified_aide_client.post(
        f"/visits/{visit.id}/check-in", data={}, headers={"Referer": "https://evil.example/x"}
    )
    page = response.get_data(as_text=True)
    assert "evil.example" not in page and "Go to your dashboard" in page
