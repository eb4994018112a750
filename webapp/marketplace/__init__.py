"""The marketplace: aide profiles and vetting, patients' homes, assistance requests, reviews."""

from flask import Blueprint

bp = Blueprint("marketplace", __name__)

from webapp.marketplace import aide_routes, request_routes  # noqa: E402,F401
