"""Many people at once through gunicorn with four workers, on a SQLite file: no 5xx.

SQLite admits one writer at a time, and a read transaction that later writes cannot wait for
the lock. So the app's writes take the lock up front and a page view writes its audit row in
a short transaction of its own. This test proves it the way production runs: separate worker
processes, real HTTP, an aide opening a visit twenty times at once while twenty aides race to
book five slots. It always runs on SQLite, whatever database the rest of the suite uses.
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from webapp import create_app
from webapp.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
SECRET_KEY = "gunicorn-test-secret-key"
VIEWS = 20
BOOKINGS = 20
SLOTS = 5
TIMEOUT = 60


class Browser:
    """A minimal HTTP client that keeps cookies and reads the page's CSRF token."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, form: dict | None = None):
        """One request; returns (status, Location header, body)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                for name, morsel in cookie.items():
                    if morsel.value:
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return response.status, response.getheader("Location"), text
        finally:
            connection.close()

    def csrf_token(self, path: str = "/dashboard") -> str:
        status, _, page = self.request("GET", path)
        assert status == 200, page[:500]
        return re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)

    def log_in(self, email: str) -> "Browser":
        token = self.csrf_token("/auth/login")
        status, _, page = self.request(
            "POST", "/auth/login", {"email": email, "password": PASSWORD, "csrf_token": token}
        )
        assert status == 302, page[:500]
        return self


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare_database(url: str) -> dict:
    """Tables, Rosa the patient, Vera holding one visit, twenty more verified aides, five slots."""
    from webapp.auth.services import register_user
    from webapp.care import services as care
    from webapp.database import utcnow
    from webapp.marketplace import request_services as requests
    from webapp.marketplace.models import AideProfile
    from webapp.scheduling import services as scheduling
    from webapp.scheduling.models import Visit

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        db.create_all()

        def user(role: str, email: str, name: str):
            return register_user(
                email=email,
                password=PASSWORD,
                role=role,
                display_name=name,
                timezone="America/New_York",
            )

        def verified_aide(email: str, name: str):
            aide = user("aide", email, name)
            db.session.add(
                AideProfile(
                    user_id=aide.id,
                    bio="Home care.",
                    skills=0b111,
                    hourly_rate_cents=3000,
                    currency="USD",
                    service_area="Springfield",
                    languages="English",
                    verified_at=utcnow(),
                    verification_note="Background check done.",
                )
            )
            return aide

        def post(patient, first: date, count: int):
            item = care.routine_items(patient)[0]
            return requests.post_request(
                patient,
                patient,
                home=requests.Home("1 Elm Street", "Springfield", "12345", None),
                schedule=requests.Schedule(
                    first_date=first,
                    start_time=datetime.strptime("09:00", "%H:%M").time(),
                    end_time=datetime.strptime("10:00", "%H:%M").time(),
                    weekdays=[first.weekday()] if count > 1 else None,
                    count=count if count > 1 else None,
                ),
                task_ids=[item.id],
                includes_medications=False,
                rate_cents=2800,
                currency="USD",
                notes=None,
                offered_to_id=None,
                now=utcnow(),
            )

        rosa = user("patient", "rosa@example.com", "Rosa Patient")
        db.session.flush()
        care.add_exercise(rosa, "thomas-stretch")
        vera = verified_aide("vera@example.com", "Vera Verified")
        racers = [verified_aide(f"aide{n}@example.com", f"Aide {n}") for n in range(BOOKINGS)]
        db.session.flush()
        held = post(rosa, date.today() + timedelta(days=3), 1)
        series = post(rosa, date.today() + timedelta(days=8), SLOTS)
        db.session.flush()
        held_visit = db.session.scalars(select(Visit).where(Visit.request_id == held.id)).one()
        scheduling.book_visit(vera, held_visit.id, utcnow())
        slots = db.session.scalars(
            select(Visit.id).where(Visit.request_id == series.id).order_by(Visit.starts_at)
        ).all()
        db.session.commit()
        prepared = {
            "held_visit": held_visit.id,
            "slots": list(slots),
            "vera": (vera.id, vera.email),
            "racers": [(aide.id, aide.email) for aide in racers],
        }
        db.session.remove()
        db.engine.dispose()
    assert len(prepared["slots"]) == SLOTS
    return prepared


def _read_back(url: str):
    """Who holds each slot, and how many views the audit log counted."""
    from webapp.scheduling.models import Visit
    from webapp.visits.models import AuditEvent

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        holders = db.session.execute(select(Visit.id, Visit.status, Visit.aide_id)).all()
        audits = db.session.scalar(select(func.sum(AuditEvent.views)))
        db.session.remove()
        db.engine.dispose()
    return {visit_id: (status, aide_id) for visit_id, status, aide_id in holders}, audits


def _start_gunicorn(url: str, port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "SESSION_COOKIE_SECURE": "0",
    }
    command = [sys.executable, "-m", "gunicorn", "-w", "4", "-b", f"127.0.0.1:{port}"]
    command += ["--timeout", "60", "--graceful-timeout", "5", "wsgi:app"]
    with log.open("wb") as output:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited early:\n{log.read_text()[-3000:]}")
        try:
            status, _, _ = Browser(port).request("GET", "/healthz")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    _stop(server)
    raise AssertionError(f"gunicorn did not answer within 30 s:\n{log.read_text()[-3000:]}")


def _stop(server: subprocess.Popen) -> None:
    """Stop the gunicorn master and its workers (their own process group), firmly if need be."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=15)


def _all_at_once(jobs) -> list:
    """Run every job at the same instant in its own thread; a crash counts as a result."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=TIMEOUT)
            results[index] = job()
        except Exception as error:
            results[index] = ("crash", repr(error))

    threads = [threading.Thread(target=run, args=pair, daemon=True) for pair in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * TIMEOUT)
    return results


@pytest.mark.slow
def test_parallel_visit_views_and_bookings_through_gunicorn_never_fail(tmp_path):
    url = f"sqlite:///{tmp_path / 'homestretch.db'}"
    world = _prepare_database(url)
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    server = _start_gunicorn(url, port, log)
    try:
        vera = Browser(port).log_in(world["vera"][1])
        vera.csrf_token()  # settle the session cookie before it is shared by twenty tabs
        racers = [Browser(port).log_in(email) for _, email in world["racers"]]
        tokens = [racer.csrf_token() for racer in racers]

        def view():
            status, _, page = Browser(port, vera.cookies).request(
                "GET", f"/visits/{world['held_visit']}"
            )
            return ("view", status, page[:300] if status != 200 else "")

        def booking(racer: Browser, token: str, slot: int):
            def book():
                status, location, page = racer.request(
                    "POST", f"/visits/{slot}/book", {"csrf_token": token}
                )
                if status != 302:
                    return ("book", status, page[:300] if status >= 500 else "")
                follow, _, page = racer.request("GET", urlsplit(location).path)
                return ("booked", follow, page[:300] if follow != 200 else "")

            return book

        jobs = [view for _ in range(VIEWS)]
        jobs += [
            booking(racer, token, world["slots"][n % SLOTS])
            for n, (racer, token) in enumerate(zip(racers, tokens, strict=True))
        ]
        results = _all_at_once(jobs)
    finally:
        _stop(server)

    counts = Counter(result[:2] for result in results)
    failures = [r for r in results if r[0] == "crash" or r[1] >= 500]
    assert not failures, f"{counts}\n{failures[:3]}\n{log.read_text()[-3000:]}"
    assert counts[("view", 200)] == VIEWS, counts
    assert counts[("booked", 200)] == SLOTS, counts  # every winner lands on their visit page
    assert counts[("book", 409)] == BOOKINGS - SLOTS, counts  # the rest are told plainly

    holders, audits = _read_back(url)
    racer_ids = {aide_id for aide_id, _ in world["racers"]}
    for slot in world["slots"]:
        status, aide_id = holders[slot]
        assert status == "booked" and aide_id in racer_ids, (slot, holders[slot])
    assert holders[world["held_visit"]] == ("booked", world["vera"][0])
    assert audits == VIEWS + SLOTS  # every view of the care plan was written down
