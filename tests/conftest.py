"""Shared fixtures: the app on a real database, clients per role, factories, CSRF-aware posts.

The database is SQLite in a temporary file by default, or the PostgreSQL server named by
TEST_DATABASE_URL (CI runs the whole suite both ways). Tables are created once per run and
emptied after every test.
"""

import hashlib
import os
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, text

from webapp import create_app
from webapp.config import TestConfig
from webapp.database import begin_write
from webapp.extensions import db as _db

pytest_plugins = ["tests.mail"]

PASSWORD = "correct horse battery staple"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


class Client(FlaskClient):
    """A test client that adds a valid CSRF token to form posts, as a browser form would."""

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and isinstance(data, dict) and "csrf_token" not in data:
            kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        return super().post(*args, **kwargs)

    def csrf_token(self) -> str:
        """A token signed the way Flask-WTF signs it, for this client's session."""
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """Where the suite's data lives for this run."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def _schema(database_url):
    """Create the tables once per run (the migration test checks they match the migrations)."""
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield
    with app.app_context():
        _db.drop_all()
        _db.engine.dispose()


def _config_dict() -> dict:
    return {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}


@pytest.fixture(scope="session")
def fake_stripe():
    """The fake Stripe server on 127.0.0.1, once for the whole test session (tests/payments and
    the browser stories that pay share it; it cannot be started twice)."""
    from tests.support import fake_stripe as fake_stripe_module

    server = fake_stripe_module.start()
    yield server
    server.stop()


@pytest.fixture
def daytime():
    """Run the test at the next 14:00 UTC (09:00 in New York, where the test patients live),
    with the clock ticking on, so a visit 'starting in 10 minutes' falls in the morning."""
    now = datetime.now(UTC)
    target = now.replace(hour=14, minute=0, second=0, microsecond=0)
    if target < now:
        target += timedelta(days=1)
    with time_machine.travel(target, tick=True) as traveller:
        yield traveller


@pytest.fixture
def app(database_url, _schema):
    """A HomeStretch app on the test database; every table is emptied afterwards."""
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": database_url})
    app.test_client_class = Client
    # No app context stays pushed: each request gets its own, as in production (a shared
    # one would share `g`, and with it the logged-in user, between requests).
    yield app
    with app.app_context():
        _db.session.remove()
        _empty_tables()
        _db.engine.dispose()  # each app has its own pool; close it rather than leak it


def _empty_tables() -> None:
    tables = [table.name for table in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                connection.execute(text(f'DELETE FROM "{name}"'))


class Store:
    """Reads what the app stored, each call in its own app context (as a separate request)."""

    def __init__(self, app):
        self.app = app

    def all(self, model, **filters) -> list:
        with self.app.app_context():
            records = _db.session.scalars(
                select(model).filter_by(**filters).order_by(*model.__mapper__.primary_key)
            )
            return [detached(record) for record in records]

    def one(self, model, **filters):
        records = self.all(model, **filters)
        assert len(records) == 1, f"expected one {model.__name__}, found {len(records)}"
        return records[0]

    def count(self, model, **filters) -> int:
        return len(self.all(model, **filters))


@pytest.fixture
def store(app) -> Store:
    """Look at stored records: store.all(Model, ...), store.one(...), store.count(...)."""
    return Store(app)


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Factory: make_user(role="patient", email=None, name=None, timezone=...) -> User."""
    from webapp.auth.services import register_user

    counter = {"n": 0}

    def make(role="patient", email=None, name=None, timezone="America/New_York", **extra):
        counter["n"] += 1
        with app.app_context():
            begin_write(_db.session)  # as a request would, so a live server's write waits
            user = register_user(
                email=email or f"{role}{counter['n']}@example.com",
                password=PASSWORD,
                role=role,
                display_name=name or f"{role.title()} {counter['n']}",
                timezone=timezone,
                **extra,
            )
            _db.session.commit()
            return detached(user)

    return make


@pytest.fixture
def login(app):
    """Log a client in through the real login form: login(client, user)."""

    def do_login(client, user, password=PASSWORD):
        response = client.post("/auth/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do_login


@pytest.fixture
def patient(make_user):
    return make_user("patient", name="Rosa Patient")


@pytest.fixture
def patient_client(app, patient, login):
    return login(app.test_client(), patient)


@pytest.fixture
def aide(make_user):
    return make_user("aide", name="Sam Aide")


@pytest.fixture
def aide_client(app, aide, login):
    return login(app.test_client(), aide)


@pytest.fixture
def family(make_user):
    return make_user("family", name="Dan Family")


@pytest.fixture
def family_client(app, family, login):
    return login(app.test_client(), family)


def detached(record):
    """Load a record's columns and free it from its session, for reading after the request."""
    _db.session.refresh(record)
    _db.session.expunge(record)
    return record


def field_error(html: str, field_id: str) -> str | None:
    """The error text shown under one form field, or None."""
    match = re.search(rf'<p class="field__error" id="{field_id}-error">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a skipped test is a failure: nothing may pass by not running."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Skipped in CI, which counts as a failure: {report.longrepr}"


@pytest.fixture
def make_aide(app, make_user):
    """Factory: an aide with a profile, verified unless told otherwise."""
    from webapp.database import utcnow
    from webapp.marketplace.models import AideProfile

    def make(name=None, verified=True, area="Springfield 12345", rate_cents=3000, skills=0b111):
        aide = make_user("aide", name=name)
        with app.app_context():
            _db.session.add(
                AideProfile(
                    user_id=aide.id,
                    bio="Ten years of home care.",
                    skills=skills,
                    hourly_rate_cents=rate_cents,
                    currency="USD",
                    service_area=area,
                    languages="English",
                    verified_at=utcnow() if verified else None,
                    verification_note="Background check done." if verified else None,
                )
            )
            _db.session.commit()
        return aide

    return make


@pytest.fixture
def verified_aide(make_aide):
    return make_aide("Vera Verified")


@pytest.fixture
def verified_aide_client(app, verified_aide, login):
    return login(app.test_client(), verified_aide)


@pytest.fixture
def post_request(app):
    """Factory: post a request for a patient through the service, with its slots.

    post_request(patient, days_ahead=7, start="09:00", end="10:00", weekdays=None, count=None,
    tasks=("thomas-stretch",), rate_cents=2800, city="Springfield", postal_code="12345")
    """
    from datetime import date, datetime, timedelta

    from webapp.care import services as care
    from webapp.database import utcnow
    from webapp.marketplace import request_services as requests

    def post(
        patient,
        days_ahead=7,
        start="09:00",
        end="10:00",
        weekdays=None,
        count=None,
        tasks=("thomas-stretch",),
        rate_cents=2800,
        city="Springfield",
        postal_code="12345",
        medications=False,
        first_date=None,
        offered_to_id=None,
    ):
        with app.app_context():
            begin_write(_db.session)
            owner = _db.session.get(type(patient), patient.id)
            have = {item.exercise_slug: item for item in care.routine_items(owner)}
            items = [have.get(slug) or care.add_exercise(owner, slug) for slug in tasks]
            first = first_date or date.today() + timedelta(days=days_ahead)
            request = requests.post_request(
                owner,
                owner,
                home=requests.Home("1 Elm Street", city, postal_code, "Ring twice"),
                schedule=requests.Schedule(
                    first_date=first,
                    start_time=datetime.strptime(start, "%H:%M").time(),
                    end_time=datetime.strptime(end, "%H:%M").time(),
                    weekdays=weekdays,
                    count=count,
                ),
                task_ids=[item.id for item in items],
                includes_medications=medications,
                rate_cents=rate_cents,
                currency="USD",
                notes=None,
                offered_to_id=offered_to_id,
                now=utcnow(),
            )
            _db.session.commit()
            return detached(request)

    return post
