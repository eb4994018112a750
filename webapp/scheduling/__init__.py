"""Scheduling: visit slots, the request board, booking and cancellation."""

from flask import Blueprint

bp = Blueprint("scheduling", __name__)

from webapp.scheduling import routes  # noqa: E402,F401
