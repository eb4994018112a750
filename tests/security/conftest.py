"""Fixtures for the security suites: the patient's world, built once per test module and
emptied afterwards, and a summary of how many generated examples each form post ran.

What the world is (who is in it, how to ask as them, how it is put back) is in world.py; the
records it holds are built in world_building.py.
"""

from collections import Counter

import pytest

from tests.conftest import _empty_tables
from tests.security.world import make_app
from tests.security.world_building import build_world
from webapp.extensions import db

#: The statuses of the generated examples each fuzzed form post ran, for the summary.
EXAMPLES_RUN: dict[str, Counter] = {}


def pytest_terminal_summary(terminalreporter):
    """Say how many examples each form got, so the number can be quoted."""
    if not EXAMPLES_RUN:
        return
    terminalreporter.section("generated examples per form post")
    for rule, statuses in sorted(EXAMPLES_RUN.items()):
        spread = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
        terminalreporter.write_line(f"{statuses.total():5d}  POST {rule}  ({spread})")
    total = sum(statuses.total() for statuses in EXAMPLES_RUN.values())
    terminalreporter.write_line(f"{total:5d}  in all")


@pytest.fixture(scope="module")
def world(database_url, _schema):
    """The patient's world, built once for the module and emptied afterwards."""
    app = make_app(
        database_url,
        # Fuzzed log-ins fail by the hundred; the limits have their own tests.
        LOGIN_LIMIT_PER_ACCOUNT="100000 per minute",
        LOGIN_LIMIT_PER_IP="100000 per minute",
    )
    built = build_world(app)
    yield built
    with app.app_context():
        db.session.remove()
        _empty_tables()
        db.engine.dispose()
