"""The shared calendar: month, week and agenda views, and iCalendar feeds."""

from flask import Blueprint

bp = Blueprint("calendar", __name__)

from webapp.calendar import models, routes  # noqa: E402,F401
