"""Payments: saved cards, aides' payouts, charging visits through Stripe, webhooks."""

from flask import Blueprint

bp = Blueprint("payments", __name__)

from webapp.payments import admin_routes, routes, webhook_routes  # noqa: E402,F401
