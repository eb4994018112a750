"""The home log: routine sessions done at home without an aide."""

from flask import Blueprint

bp = Blueprint("homelog", __name__)

from webapp.homelog import models, routes  # noqa: E402,F401
