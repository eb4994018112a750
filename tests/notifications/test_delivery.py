"""The worker delivers the outbox by SMTP: once each, retried while the server is down."""

import threading
from datetime import timedelta
from email import message_from_bytes

from tests.mail import free_port
from webapp.database import utcnow
from webapp.extensions import db
from webapp.notifications.delivery import MAX_ATTEMPTS, claim, run_once
from webapp.notifications.models import OutboxEmail


def _run(app, now=None) -> int:
    with app.app_context():
        return run_once(now)


def test_worker_sends_the_email_with_why_and_an_absolute_link(app, smtp, queue, make_user, store):
    rosa = make_user("patient", email="rosa@example.com", name="Rosa")
    queue(rosa, link="/visits/7")
    assert _run(app) == 1
    assert len(smtp.received) == 1
    envelope = smtp.received[0]
    assert envelope.rcpt_tos == ["rosa@example.com"]
    mail = message_from_bytes(envelope.content)
    assert mail["Subject"] == "HomeStretch: A visit was booked"
    text = mail.get_content_type() == "text/plain" and mail.get_payload(decode=True).decode()
    assert "Dana booked the visit on Fri 4 Dec, 09:00 EST." in text
    assert "http://127.0.0.1:5000/visits/7" in text
    assert 'because your HomeStretch email choices include "An aide books a visit"' in text
    assert "http://127.0.0.1:5000/notifications/settings" in text
    row = store.one(OutboxEmail)
    assert (row.status, row.attempts) == ("sent", 1)
    assert mail["Message-ID"] == row.message_id
    assert _run(app) == 0 and len(smtp.received) == 1  # nothing sent twice


def test_smtp_down_then_up_retries_and_delivers_once(app, queue, make_user, store, smtp):
    rosa = make_user("patient")
    queue(rosa)
    working_port = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = free_port()  # nothing listens there
    assert _run(app) == 1
    row = store.one(OutboxEmail)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()
    assert row.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert _run(app) == 0  # not due yet

    app.config["SMTP_PORT"] = working_port
    assert _run(app, utcnow() + timedelta(minutes=2)) == 1
    assert len(smtp.received) == 1
    row = store.one(OutboxEmail)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)


def test_gives_up_after_the_last_attempt(app, queue, make_user, store):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_STARTTLS=False)
    queue(make_user("patient"))
    later = utcnow()
    for _ in range(MAX_ATTEMPTS):
        later += timedelta(hours=2)
        assert _run(app, later) == 1
    row = store.one(OutboxEmail)
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert _run(app, later + timedelta(days=1)) == 0


def test_malformed_address_fails_at_once_while_others_deliver(app, smtp, queue, make_user, store):
    good = make_user("patient", email="good@example.com")
    bad = make_user("patient", email="bad@example.com")
    queue(good)
    bad_id = queue(bad)
    with app.app_context():
        db.session.query(OutboxEmail).filter_by(notification_id=bad_id).update(
            {"to_address": "not an address"}
        )
        db.session.commit()
    assert _run(app) == 2
    assert [e.rcpt_tos for e in smtp.received] == [["good@example.com"]]
    failed = store.one(OutboxEmail, notification_id=bad_id)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "malformed address" in failed.last_error


def test_two_workers_at_once_send_each_email_once(app, smtp, queue, make_user, store):
    people = [make_user("patient") for _ in range(4)]
    for n in range(24):
        queue(people[n % 4], body=f"Message number {n}.")
    errors = []

    def work():
        try:
            for _ in range(5):
                _run(app)
        except Exception as error:  # reported below, so a failing thread fails the test
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    bodies = sorted(e.content.decode().split("Message number ")[1][:3] for e in smtp.received)
    assert len(bodies) == 24 and len(set(bodies)) == 24
    assert {row.status for row in store.all(OutboxEmail)} == {"sent"}


def test_crashed_worker_rows_are_reclaimed_after_ten_minutes(app, smtp, queue, make_user, store):
    queue(make_user("patient"))
    with app.app_context():
        assert len(claim(utcnow())) == 1  # claimed, then the worker "crashes"
    assert _run(app) == 0
    assert _run(app, utcnow() + timedelta(minutes=11)) == 1
    assert len(smtp.received) == 1
    assert store.one(OutboxEmail).status == "sent"


def test_without_smtp_host_the_email_is_written_to_a_file(app, queue, make_user, tmp_path):
    app.config["SMTP_HOST"] = None
    app.instance_path = str(tmp_path)
    queue(make_user("patient", email="rosa@example.com"), link="/visits/3")
    assert _run(app) == 1
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
    text = files[0].read_text()
    assert "To: rosa@example.com" in text and "http://127.0.0.1:5000/visits/3" in text


def test_flask_worker_command_delivers_one_pass(app, smtp, queue, make_user, runner):
    queue(make_user("patient", email="rosa@example.com"))
    result = runner.invoke(args=["worker"])
    assert result.exit_code == 0, result.output
    assert "Attempted 1 email(s)." in result.output
    assert [e.rcpt_tos for e in smtp.received] == [["rosa@example.com"]]


def test_an_account_email_keeps_no_link_once_sent(app, smtp, deliver, store):
    from webapp.notifications.models import OutboxEmail
    from webapp.notifications.services import queue_email

    with app.app_context():
        queue_email(
            "rosa@example.com",
            "Choose a new password",
            "Use this link within the hour.",
            why="You asked to reset your password.",
            link="/auth/password/reset/live-token-123",
            now=utcnow(),
        )
        db.session.commit()
    assert deliver() == 1
    (mail,) = smtp.messages(to="rosa@example.com")
    assert "/auth/password/reset/live-token-123" in mail.get_body().get_content()
    (row,) = store.all(OutboxEmail)
    assert row.status == "sent"
    assert "live-token-123" not in row.text_body + row.link
