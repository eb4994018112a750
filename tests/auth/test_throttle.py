"""Failed log-ins are counted in the database: guessing is slow, the owner is not locked out."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.conftest import PASSWORD
from webapp.auth.models import LoginFailure, User
from webapp.database import utcnow
from webapp.extensions import db

WRONG = "not the password at all"


@pytest.fixture
def from_address(app):
    """A client whose requests come from one address."""

    def make(address):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return client

    return make


@pytest.fixture
def age_failures(app):
    """Pretend every failure so far happened `ago`."""

    def age(ago: timedelta):
        with app.app_context():
            db.session.execute(update(LoginFailure).values(failed_at=utcnow() - ago))
            db.session.commit()

    return age


def attempt(client, email, password=WRONG):
    return client.post("/auth/login", data={"email": email, "password": password}).status_code


def test_five_failures_lock_that_account_from_that_address(from_address, patient, store):
    client = from_address("203.0.113.5")
    assert [attempt(client, patient.email) for _ in range(5)] == [401] * 5
    blocked = client.post("/auth/login", data={"email": patient.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    # The refused attempts were not counted again.
    assert attempt(client, patient.email) == 429
    assert store.count(LoginFailure) == 5
    # Another account from the same address is not locked out by them.
    assert attempt(client, "else@example.com") == 401


def test_the_pair_lock_lifts_after_a_few_minutes_however_often_it_was_hit(
    from_address, patient, age_failures
):
    client = from_address("203.0.113.5")
    for _ in range(5):
        attempt(client, patient.email)
    for _ in range(10):
        assert attempt(client, patient.email, PASSWORD) == 429
    age_failures(timedelta(minutes=5, seconds=1))
    assert attempt(client, patient.email, PASSWORD) == 302


def test_an_unknown_email_is_throttled_exactly_like_a_known_one(from_address, patient):
    client = from_address("203.0.113.5")
    known = [attempt(client, patient.email) for _ in range(6)]
    unknown = [attempt(client, "nobody@example.com") for _ in range(6)]
    assert known == unknown == [401] * 5 + [429]


def test_a_success_clears_the_failures_from_that_address(app, from_address, patient, login):
    client = from_address("203.0.113.5")
    for _ in range(4):
        attempt(client, patient.email)
    login(client, patient)
    client.post("/auth/logout", data={})
    assert [attempt(client, patient.email) for _ in range(5)] == [401] * 5


def test_one_address_guessing_many_accounts_is_slowed_down(app, from_address):
    app.config["LOGIN_LIMIT_PER_IP"] = "3 per 5 minutes"
    client = from_address("198.51.100.9")
    for number in range(3):
        assert attempt(client, f"a{number}@example.com") == 401
    assert attempt(client, "z@example.com") == 429
    assert attempt(from_address("198.51.100.10"), "z@example.com") == 401


def test_an_attack_from_many_addresses_does_not_lock_the_owner_out_at_home(
    app, from_address, patient, login
):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "12 per hour"
    home = from_address("192.0.2.10")
    login(home, patient)
    home.post("/auth/logout", data={})
    for number in range(4):
        attacker = from_address(f"198.51.100.{number}")
        for _ in range(3):
            assert attempt(attacker, patient.email) == 401
    # Twelve failures: the account is closed to new addresses, even with the right password...
    assert attempt(from_address("198.51.100.50"), patient.email, PASSWORD) == 429
    # ...but the owner's own address only meets its own, untouched pair limit.
    assert attempt(home, patient.email, PASSWORD) == 302


def test_failures_too_old_to_count_are_deleted_as_new_ones_come(
    app, from_address, age_failures, store
):
    client = from_address("203.0.113.5")
    for _ in range(3):
        attempt(client, "someone@example.com")
    age_failures(timedelta(hours=1, minutes=1))
    attempt(client, "someone@example.com")
    assert store.count(LoginFailure) == 1


def test_parallel_guesses_cannot_overshoot_the_limit(app, patient, store):
    def guess(_):
        client = app.test_client()
        return attempt(client, patient.email)

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(guess, range(16)))
    assert answers.count(401) == 5
    assert answers.count(429) == 11
    assert store.count(LoginFailure) == 5


def test_a_refused_attempt_never_reaches_the_slow_password_check(
    from_address, patient, monkeypatch
):
    client = from_address("203.0.113.5")
    for _ in range(5):
        attempt(client, patient.email)

    def checked(*_args):
        raise AssertionError("the password was checked while throttled")

    monkeypatch.setattr(User, "check_password", checked)
    monkeypatch.setattr("webapp.auth.services.check_password_hash", checked)
    assert attempt(client, patient.email, PASSWORD) == 429
