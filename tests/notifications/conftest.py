"""Helpers to queue notifications (the SMTP server fixtures live in tests/mail.py)."""

import pytest

from webapp.auth.models import User
from webapp.database import utcnow
from webapp.extensions import db
from webapp.notifications.messages import Message
from webapp.notifications.services import notify


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
