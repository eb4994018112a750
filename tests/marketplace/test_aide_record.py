"""An aide's record on the profile follows what happens: a check-out, a review, a late
cancellation each count at once, and a recount from the history agrees."""

import pytest

from tests.visits.conftest import log_form, move_visit, visit_setup  # noqa: F401
from webapp.extensions import db
from webapp.marketplace import aide_stats
from webapp.marketplace.models import AideProfile

# At 09:00 New York time, so the visit about to start has its morning dose due.
pytestmark = pytest.mark.usefixtures("daytime")


def _record(app, aide_id):
    with app.app_context():
        profile = db.session.get(AideProfile, aide_id)
        return (
            profile.rating_stars,
            profile.rating_count,
            profile.completed_visits,
            profile.missed_visits,
            profile.late_cancellations,
        )


def test_check_out_and_review_count_on_the_profile_and_a_recount_agrees(
    app,
    verified_aide,
    verified_aide_client,
    patient_client,
    visit_setup,  # noqa: F811
):
    visit = visit_setup["visit"]
    assert _record(app, verified_aide.id) == (0, 0, 0, 0, 0)
    verified_aide_client.post(f"/visits/{visit.id}/check-in", data={})
    move_visit(app, visit.id, minutes_from_now=-50)
    response = verified_aide_client.post(
        f"/visits/{visit.id}/log",
        data=log_form(visit_setup, save=None, save_and_check_out="Save and check out"),
    )
    assert response.status_code == 302
    assert _record(app, verified_aide.id) == (0, 0, 1, 0, 0)
    # Saving the log again after check-out does not count the visit twice.
    verified_aide_client.post(f"/visits/{visit.id}/log", data=log_form(visit_setup))
    assert _record(app, verified_aide.id) == (0, 0, 1, 0, 0)

    response = patient_client.post(f"/visits/{visit.id}/review", data={"rating": "4"})
    assert response.status_code == 302
    assert _record(app, verified_aide.id) == (4, 1, 1, 0, 0)
    page = patient_client.get("/aides").get_data(as_text=True)
    assert "4.0 out of 5 from 1 review" in page and "1 completed visit" in page

    with app.app_context():
        aide_stats.recount(db.session.connection())
        db.session.commit()
    assert _record(app, verified_aide.id) == (4, 1, 1, 0, 0)


def test_a_late_cancellation_by_the_aide_counts(
    app, verified_aide, verified_aide_client, patient, post_request, store
):
    from webapp.scheduling.models import Visit

    visit = store.one(Visit, request_id=post_request(patient, days_ahead=1).id)
    move_visit(app, visit.id, minutes_from_now=60 * 5)
    assert verified_aide_client.post(f"/visits/{visit.id}/book", data={}).status_code == 302
    assert verified_aide_client.post(f"/visits/{visit.id}/cancel", data={}).status_code == 302
    assert _record(app, verified_aide.id) == (0, 0, 0, 0, 1)
    page = verified_aide_client.get(f"/aides/{verified_aide.id}").get_data(as_text=True)
    assert "<dt>Late cancellations</dt><dd>1 " in page
