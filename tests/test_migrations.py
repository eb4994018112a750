"""The migrations build the same schema as the models, from an empty database."""

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import _config_dict
from webapp import create_app
from webapp.extensions import db


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A brand-new, empty database of the same kind as the suite's."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"hs_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_from_zero_matches_the_models(empty_database_url):
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "render_as_batch": True},
            )
            differences = compare_metadata(context, db.metadata)
        tables = set(inspect(db.engine).get_table_names())
        assert {"user_account", "routine_item", "medication", "precaution"} <= tables
        assert differences == []
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_suite_runs_on_the_database_ci_asked_for(database_url):
    """CI runs the suite once per database; make sure each run really used that one."""
    expected = os.environ.get("EXPECT_DATABASE")
    if not expected:
        pytest.skip("EXPECT_DATABASE not set (outside CI)")
    assert make_url(database_url).get_backend_name() == expected
