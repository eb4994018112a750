"""Routes (being written)."""

from webapp.marketplace import bp, models  # noqa: F401
