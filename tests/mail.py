"""A real SMTP server (aiosmtpd) on a free local port, and a way to read what it received."""

import re
import socket
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """Collects every message the SMTP server accepts."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append(envelope)
        return "250 OK"

    def messages(self, to: str | None = None) -> list:
        """The delivered emails (parsed), optionally only those sent to one address."""
        with self.lock:
            envelopes = list(self.received)
        return [
            message_from_bytes(envelope.content, policy=policy.default)
            for envelope in envelopes
            if to is None or to in envelope.rcpt_tos
        ]

    def subjects(self, to: str | None = None) -> list[str]:
        return [str(message["Subject"]) for message in self.messages(to)]


def text_of(message) -> str:
    """The plain-text part of an email."""
    return message.get_body(preferencelist=("plain",)).get_content()


def links_in(message) -> list[str]:
    """Every http(s) link in the plain-text part."""
    return re.findall(r"https?://\S+", text_of(message))


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
def deliver(app):
    """deliver(now=None): run the email worker's pass once, as `flask worker` does."""

    from webapp.database import utcnow
    from webapp.notifications.delivery import run_once

    def run(now=None) -> int:
        with app.app_context():
            return run_once(now or utcnow())

    return run
