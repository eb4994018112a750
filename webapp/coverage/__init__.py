"""Coverage of the routine: care windows, who covers each, and the gaps."""

from flask import Blueprint

bp = Blueprint("coverage", __name__)

from webapp.coverage import models, routes  # noqa: E402,F401
