"""The care plan: exercise catalogue, a patient's routine, medications and precautions."""

from flask import Blueprint

bp = Blueprint("care", __name__)

from webapp.care import routes  # noqa: E402,F401  (routes attach themselves to bp)
