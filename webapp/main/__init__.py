"""The front door: landing page, dashboard, about and health check."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from webapp.main import routes  # noqa: E402,F401  (routes attach themselves to bp)
