"""The export's alerts section: what reached the person in the app, and their email choices."""

from sqlalchemy import select

from webapp.auth.models import User
from webapp.extensions import db
from webapp.notifications.models import EmailOptOut, Notification
from webapp.privacy.values import iso


def alerts(user: User) -> dict:
    """The person's in-app alerts and which kinds they chose not to get by email."""
    alerts = db.session.scalars(
        select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at, Notification.id)
    )
    opted_out = db.session.scalars(select(EmailOptOut.kind).where(EmailOptOut.user_id == user.id))
    return {
        "received": [
            {
                "kind": alert.kind,
                "title": alert.title,
                "body": alert.body,
                "link": alert.link,
                "created_at": iso(alert.created_at),
                "read_at": iso(alert.read_at),
            }
            for alert in alerts
        ],
        "not_by_email": sorted(opted_out),
    }
