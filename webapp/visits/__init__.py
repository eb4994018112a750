"""The visit itself: check-in/out, task log, pain and medications, summaries, audit log."""

from flask import Blueprint

bp = Blueprint("visits", __name__)

from webapp.visits import routes  # noqa: E402,F401
