"""Routes (being written)."""

from webapp.scheduling import bp, models  # noqa: F401
