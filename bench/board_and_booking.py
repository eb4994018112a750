"""Benchmark: request-board render time and memory, and booking latency, with a printed report.

Run: .venv/bin/python bench/board_and_booking.py [--slots 300 3000] [--database-url URL]
It builds its own throwaway database (a temporary SQLite file unless --database-url names an
empty PostgreSQL database), so it never touches the app's data.
"""

import argparse
import statistics
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path

from webapp import create_app
from webapp.auth.services import register_user
from webapp.care import services as care
from webapp.config import TestConfig
from webapp.database import utcnow
from webapp.extensions import db
from webapp.marketplace import request_services as requests
from webapp.marketplace.models import AideProfile
from webapp.scheduling.models import Visit

PASSWORD = "benchmark password 2026"


def make_app(url: str):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, LOGIN_LIMIT_PER_IP="100000 per minute")
    return create_app(config)


def seed(app, slots: int, tag: str) -> tuple[str, list[int]]:
    """Patients with weekly requests adding up to `slots` open visits; one verified aide."""
    with app.app_context():
        aide = register_user(
            email=f"aide-{tag}@bench.test",
            password=PASSWORD,
            role="aide",
            display_name="Bench Aide",
            timezone="America/New_York",
        )
        db.session.add(
            AideProfile(
                user_id=aide.id,
                skills=7,
                hourly_rate_cents=3000,
                service_area="Springfield",
                verified_at=utcnow(),
            )
        )
        per_patient, made, n = 150, 0, 0
        while made < slots:
            count = min(per_patient, slots - made)
            patient = register_user(
                email=f"p{n}-{tag}@bench.test",
                password=PASSWORD,
                role="patient",
                display_name=f"Patient {n}",
                timezone="America/New_York",
            )
            item = care.add_exercise(patient, "thomas-stretch")
            requests.post_request(
                patient,
                patient,
                home=requests.Home("1 Main St", "Springfield", "62704"),
                schedule=requests.Schedule(
                    first_date=date.today() + timedelta(days=2),
                    start_time=datetime.strptime("09:00", "%H:%M").time(),
                    end_time=datetime.strptime("10:00", "%H:%M").time(),
                    weekdays=list(range(7)),
                    count=count,
                ),
                task_ids=[item.id],
                includes_medications=True,
                rate_cents=3000,
                currency="USD",
                notes=None,
                offered_to_id=None,
                now=utcnow(),
            )
            made, n = made + count, n + 1
        db.session.commit()
        rows = db.session.execute(db.select(Visit.id, Visit.starts_at).order_by(Visit.starts_at))
        first_per_start = {}
        for visit_id, starts_at in rows:
            first_per_start.setdefault(starts_at, visit_id)
        return aide.email, list(first_per_start.values())


def logged_in(app, email):
    client = app.test_client()
    with client.session_transaction() as session:
        session["csrf_token"] = "bench"
    from itsdangerous import URLSafeTimedSerializer

    token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("bench")
    response = client.post(
        "/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    with client.session_transaction() as session:
        session["csrf_token"] = "bench"
    return client, token


def timed(fn, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def pct(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slots", type=int, nargs="+", default=[300, 3000])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.slots:
            url = args.database_url or f"sqlite:///{Path(folder) / f'bench-{size}.db'}"
            app = make_app(url)
            with app.app_context():
                db.drop_all()
                db.create_all()
            email, ids = seed(app, size, str(size))
            client, token = logged_in(app, email)
            client.get("/board")  # warm up templates
            board = timed(lambda c=client: c.get("/board"), args.repeat)
            filtered = timed(
                lambda c=client: c.get("/board?area=spring&task=thomas-stretch&min_rate=20"),
                args.repeat,
            )
            tracemalloc.start()
            client.get("/board")
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            # Book up to 50 visits one after another, each on a different day.
            to_book = ids[:50]
            booking = timed_iter(client, token, to_book)
            rows.append((size, board, filtered, peak, booking))
            with app.app_context():
                db.drop_all()
                db.engine.dispose()

    print("\nHomeStretch benchmark (%s)" % (args.database_url or "SQLite file"))
    print(
        f"{'open slots':>10} | {'board p50':>9} | {'board p95':>9} | {'filtered p50':>12} | "
        f"{'peak KiB':>8} | {'book p50':>8} | {'book p95':>8}"
    )
    for size, board, filtered, peak, booking in rows:
        print(
            f"{size:>10} | {statistics.median(board):>7.1f}ms | {pct(board, 0.95):>7.1f}ms | "
            f"{statistics.median(filtered):>10.1f}ms | {peak / 1024:>8.0f} | "
            f"{statistics.median(booking):>6.1f}ms | {pct(booking, 0.95):>6.1f}ms"
        )
    print(
        "board = GET /board (first page of 20, test client, in-process); book = POST "
        "/visits/<id>/book; peak = Python allocations while rendering one board page."
    )


def timed_iter(client, token, ids):
    samples = []
    for visit_id in ids:
        start = time.perf_counter()
        response = client.post(f"/visits/{visit_id}/book", data={"csrf_token": token})
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 302, response.status_code
    return samples


if __name__ == "__main__":
    main()
