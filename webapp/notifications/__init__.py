"""Notifications: in-app alerts and the email outbox that delivers them."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from webapp.notifications import routes  # noqa: E402,F401
