"""Accounts: sign-up, log-in, profiles and roles."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from webapp.auth import account_routes, routes  # noqa: E402,F401  (routes attach to bp)
