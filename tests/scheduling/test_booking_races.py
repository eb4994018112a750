"""Booking under real concurrency: 20 threads at once, on whichever database the suite runs.

Each thread is a separate logged-in aide (or the same aide) posting through the full app,
so the conditional update, the aide lock and the SQLite write lock are all exercised.
"""

import threading
from collections import Counter

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.scheduling.models import Visit

ATTEMPTS = 20


def race(clients_and_urls):
    """Fire every POST at the same instant; return the status codes."""
    barrier = threading.Barrier(len(clients_and_urls))
    statuses = [None] * len(clients_and_urls)

    def attempt(index, client, url):
        barrier.wait()
        try:
            statuses[index] = client.post(url, data={}).status_code
        except Exception as error:  # a crash is a result too: it must show up as a failure
            statuses[index] = repr(error)

    threads = [
        threading.Thread(target=attempt, args=(index, client, url))
        for index, (client, url) in enumerate(clients_and_urls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def report(name, app, statuses):
    counts = Counter(statuses)
    with app.app_context():
        backend = db.engine.dialect.name
    print(
        f"\n[race] {name} on {backend}: attempts={len(statuses)} "
        f"successes={counts.get(302, 0)} conflicts={counts.get(409, 0)} "
        f"other={sum(n for s, n in counts.items() if s not in (302, 409))}"
    )
    return counts


@pytest.mark.slow
def test_twenty_aides_racing_for_one_slot_exactly_one_wins(
    app, make_aide, login, patient, post_request, store
):
    visit = store.one(Visit, request_id=post_request(patient).id)
    clients = [login(app.test_client(), make_aide(f"Aide {n}")) for n in range(ATTEMPTS)]
    statuses = race([(client, f"/visits/{visit.id}/book") for client in clients])
    counts = report("one slot, 20 aides", app, statuses)
    assert counts == Counter({302: 1, 409: ATTEMPTS - 1}), statuses
    booked = store.one(Visit, id=visit.id)
    assert booked.status == "booked" and booked.aide_id is not None


@pytest.mark.slow
def test_one_aide_racing_for_twenty_overlapping_slots_never_double_books(
    app, make_aide, make_user, login, post_request, store
):
    aide = make_aide("Busy Bee")
    client_per_attempt = [login(app.test_client(), aide) for _ in range(ATTEMPTS)]
    visit_ids = []
    starts = [f"{9 + (n * 10) // 60:02d}:{(n * 10) % 60:02d}" for n in range(ATTEMPTS)]
    for start in starts:  # 09:00, 09:10, ... each an hour long: neighbours overlap
        hour, minute = map(int, start.split(":"))
        end = f"{hour + 1:02d}:{minute:02d}"
        request = post_request(make_user("patient"), start=start, end=end)
        visit_ids.append(store.one(Visit, request_id=request.id).id)
    statuses = race(
        [
            (client, f"/visits/{vid}/book")
            for client, vid in zip(client_per_attempt, visit_ids, strict=True)
        ]
    )
    counts = report("20 overlapping slots, 1 aide", app, statuses)
    assert set(counts) <= {302, 409}, statuses
    assert counts[302] >= 1
    with app.app_context():
        held = db.session.scalars(
            select(Visit).where(Visit.aide_id == aide.id).order_by(Visit.starts_at)
        ).all()
        for earlier, later in zip(held, held[1:], strict=False):
            assert earlier.ends_at <= later.starts_at, "one aide in two places"
        assert len(held) == counts[302]


@pytest.mark.slow
def test_twenty_series_bookings_racing_leave_each_slot_with_one_aide(
    app, make_aide, login, patient, post_request, store
):
    request = post_request(patient, weekdays=[0, 2, 4], count=9)
    ids = [str(v.id) for v in store.all(Visit, request_id=request.id)]
    clients = [login(app.test_client(), make_aide(f"Aide {n}")) for n in range(ATTEMPTS)]
    barrier = threading.Barrier(ATTEMPTS)
    statuses = []
    lock = threading.Lock()

    def attempt(client):
        barrier.wait()
        status = client.post(
            f"/requests/{request.id}/book-series", data={"visit_ids": ids}
        ).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=attempt, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    counts = report("9-visit series, 20 aides", app, statuses)
    assert counts == Counter({302: 1, 409: ATTEMPTS - 1}), statuses
    aides = {v.aide_id for v in store.all(Visit, request_id=request.id)}
    assert len(aides) == 1 and None not in aides
