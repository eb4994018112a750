"""Accounts: sign-up, log-in, forgotten passwords, profiles and roles."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from webapp.auth import (  # noqa: E402,F401  (routes attach to bp)
    account_routes,
    password_routes,
    routes,
    signup_routes,
)
