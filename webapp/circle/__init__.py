"""The care circle: the family and friends a patient invites to help coordinate their care."""

from flask import Blueprint

bp = Blueprint("circle", __name__)

from webapp.circle import routes  # noqa: E402,F401
