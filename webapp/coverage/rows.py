"""Reads of plain columns for coverage and the calendar."""

from sqlalchemy import Row

from webapp.extensions import db


def read_rows(statement, values: dict) -> list[Row]:
    """Rows of plain columns, read on the session's connection in its transaction without the
    ORM's result handling (only entities need it); pending changes are flushed first, as the
    session's own execute would."""
    db.session.flush()
    return db.session.connection().execute(statement, values).all()
