"""Two worlds built with the benchmark's own seed, a small one and a bigger one, and what each
main page costs in SQL statements in both.

The small world has 2 patients with 6 visits each, 3 notifications and 3 home sessions per
person; the bigger one 6 patients with 40 visits each (a year's pace squeezed into two months,
so the recent lists fill up), 30 notifications and 30 home sessions, and more aides. Each page
is rendered as the benchmark renders it, logged in as the same role.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bench.pages import PAGES, ROLES, email_for, log_in, measure, targets_for
from bench.seed import PASSWORD, Shape, password_hash, seed_database
from tests.conftest import _config_dict, _empty_tables
from webapp import create_app
from webapp.extensions import db

SMALL = Shape(
    patients=2,
    aides=2,
    visits_per_patient=6,
    history_days=60,
    visits_per_request=3,
    notifications_per_user=3,
    home_sessions_per_patient=3,
)
BIG = Shape(
    patients=6,
    aides=3,
    visits_per_patient=40,
    history_days=60,
    visits_per_request=12,
    notifications_per_user=30,
    home_sessions_per_patient=30,
)


@dataclass
class Costs:
    """One page in both worlds: (status, statements, bytes) for the small and the big one."""

    small: tuple[int, int, int]
    big: tuple[int, int, int]


def _render_all(app, shape: Shape, hashed: str) -> dict:
    with app.app_context():
        world = seed_database(db.engine, shape, datetime.now(UTC), hashed).as_dict()
        targets = targets_for(world, datetime.now(UTC))
    clients = {role: log_in(app, email_for(role, targets), PASSWORD) for role in ROLES}
    clients[None] = app.test_client()
    results = {}
    for page in PAGES:
        render = measure(app, clients[page.role], page.path(targets), renders=2, budget_s=0)
        results[page.key] = (render.status, render.statements, render.bytes)
    with app.app_context():
        db.session.remove()
        _empty_tables()
    return results


@pytest.fixture(scope="module")
def page_costs(database_url, _schema) -> dict[str, Costs]:
    """Every main page's statement count with little data and with more."""
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": database_url})
    hashed = password_hash()
    try:
        small = _render_all(app, SMALL, hashed)
        big = _render_all(app, BIG, hashed)
    finally:
        with app.app_context():
            db.session.remove()
            _empty_tables()
            db.engine.dispose()
    return {key: Costs(small[key], big[key]) for key in small}
