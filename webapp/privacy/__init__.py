"""Privacy rights: download everything HomeStretch holds about you, delete your account."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

from webapp.privacy import routes  # noqa: E402,F401  (routes attach themselves to bp)
