"""Several taps of "Save" arriving at the same instant make one session, on either database."""

import threading
from collections import Counter

import pytest

from tests.homelog.conftest import session_form
from webapp.homelog.models import HomeSession, HomeTaskLog

TAPS = 6


@pytest.mark.slow
def test_taps_at_the_same_instant_make_one_session(app, patient, login, routine, store):
    clients = [login(app.test_client(), patient) for _ in range(TAPS)]
    form = session_form(routine)
    barrier = threading.Barrier(TAPS)
    statuses = [None] * TAPS

    def tap(index, client):
        barrier.wait()
        try:
            response = client.post(f"/patients/{patient.id}/home-log/new", data=form)
            statuses[index] = (response.status_code, response.location)
        except Exception as error:  # a crash is a result too: it must show up as a failure
            statuses[index] = repr(error)

    threads = [threading.Thread(target=tap, args=pair) for pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    session = store.one(HomeSession, patient_id=patient.id)
    assert store.count(HomeTaskLog) == 2
    # Every tap lands on the one session, none on an error page.
    expected = (302, f"/patients/{patient.id}/home-log/{session.id}")
    assert Counter(statuses) == {expected: TAPS}, statuses
