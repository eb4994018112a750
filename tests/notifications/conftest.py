"""A real SMTP server on a free local port, and helpers to queue notifications."""

import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from webapp.auth.models import User
from webapp.database import utcnow
from webapp.extensions import db
from webapp.notifications.messages import Message
from webapp.notifications.services import notify


class Inbox:
    """Collects every message the SMTP server accepts."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app):
    """A running SMTP server the app sends to; yields its Inbox."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False)
    yield inbox
    controller.stop()


@pytest.fixture
def queue(app):
    """Factory: queue(user, body="...") commits a notification and its email; returns its id."""

    def add(user, body="Dana booked the visit on Fri 4 Dec, 09:00 EST.", link="/visits/1"):
        with app.app_context():
            person = db.session.get(User, user.id)
            message = Message(kind="visit_booked", title="A visit was booked", body=body, link=link)
            notification = notify(person, message, utcnow())
            db.session.commit()
            return notification.id

    return add
