"""Twenty relatives tap "I'll do it" on one window at once: exactly one holds it."""

from collections import Counter

import pytest

from tests.coverage.conftest import next_monday
from tests.scheduling.test_booking_races import ATTEMPTS, race, report
from webapp.coverage.models import FamilyCover


@pytest.mark.slow
def test_twenty_relatives_racing_for_one_window_exactly_one_holds_it(
    app, patient, make_user, join_circle, login, add_item, store
):
    add_item(patient, "thomas-stretch", parts=("morning",))
    day = next_monday().isoformat()
    clients = []
    for n in range(ATTEMPTS):
        relative = make_user("family", name=f"Relative {n}")
        join_circle(patient, relative)
        clients.append(login(app.test_client(), relative))
    url = f"/patients/{patient.id}/coverage/cover"
    statuses = race_with_form(clients, url, {"day": day, "part": "morning"})
    counts = report("one window, 20 relatives", app, statuses)
    assert counts == Counter({302: 1, 409: ATTEMPTS - 1}), statuses
    assert store.count(FamilyCover) == 1


def race_with_form(clients, url, data):
    """race() posts an empty form; covering needs the window's day and part in it."""

    class Posting:
        def __init__(self, client):
            self.client = client

        def post(self, url, data=None):
            return self.client.post(url, data=dict(form))

    form = data
    return race([(Posting(client), url) for client in clients])


def test_the_database_index_alone_refuses_a_second_live_cover(
    app, patient, coordinator_client, make_user, join_circle, login, add_item, store, monkeypatch
):
    """Even when the check before the insert misses the first cover (two transactions at the
    same instant on PostgreSQL), the partial unique index refuses the second: 409, no row."""
    from webapp.coverage import covers

    add_item(patient, "thomas-stretch", parts=("morning",))
    day = next_monday().isoformat()
    assert (
        coordinator_client.post(
            f"/patients/{patient.id}/coverage/cover", data={"day": day, "part": "morning"}
        ).status_code
        == 302
    )
    other = make_user("family", name="Olga Other")
    join_circle(patient, other)
    monkeypatch.setattr(covers, "_claim_free", lambda *args: None)
    late = login(app.test_client(), other).post(
        f"/patients/{patient.id}/coverage/cover", data={"day": day, "part": "morning"}
    )
    assert late.status_code == 409 and "Someone else just covered this window." in late.text
    assert store.one(FamilyCover).member_id != other.id
