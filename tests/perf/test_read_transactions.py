"""How a request's transaction ends: a page that only read ends with COMMIT (on PostgreSQL a
ROLLBACK makes psycopg forget its prepared statements, so every view would be planned again);
anything that wrote and failed still ends with ROLLBACK and leaves nothing behind."""

import pytest
from sqlalchemy import event, func, select

from webapp.auth.models import User
from webapp.database import begin_write, end_read
from webapp.extensions import db


@pytest.fixture
def endings(app):
    """The ways the app's transactions ended during the test, in order."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    listeners = {
        "commit": lambda conn: seen.append("commit"),
        "rollback": lambda conn: seen.append("rollback"),
    }
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    yield seen
    for name, listener in listeners.items():
        event.remove(engine, name, listener)


def test_a_page_that_only_reads_ends_with_commit(patient_client, endings):
    endings.clear()
    assert patient_client.get("/dashboard").status_code == 200
    assert endings == ["commit"]


def test_a_refused_form_never_ends_with_commit(patient, patient_client, endings):
    endings.clear()
    response = patient_client.post(f"/patients/{patient.id}/routine/items", data={})
    assert response.status_code in (400, 422)
    assert "commit" not in endings


def test_flushed_but_unfinished_work_is_never_committed_by_the_read_ending(app, patient):
    with app.test_request_context():
        before = db.session.scalar(select(func.count()).select_from(User))
        db.session.get(User, patient.id).display_name = "Changed and flushed"
        db.session.flush()
        end_read(db.session())
        db.session.rollback()
        assert db.session.get(User, patient.id).display_name != "Changed and flushed"
        assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_a_write_transaction_is_left_to_its_request(app, patient):
    with app.test_request_context():
        begin_write(db.session)
        db.session.get(User, patient.id).display_name = "Pending write"
        end_read(db.session())
        assert db.session().in_transaction()  # not committed here
        db.session.rollback()
        assert db.session.get(User, patient.id).display_name != "Pending write"


def test_each_connection_is_set_up_for_its_database(app):
    """PostgreSQL plans a prepared statement once per connection (planning the visit page's
    join again on every view cost more than running it); SQLite enforces foreign keys."""
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            setting = connection.exec_driver_sql("SHOW plan_cache_mode").scalar()
            assert setting == "force_generic_plan"
        else:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_aside_writes_of_a_request_that_also_changed_something_are_made_apart(app, patient):
    """Should a read change something by mistake after an audit row was written aside, the
    change is rolled back and the audit row is still written (on PostgreSQL: again, on a
    connection of its own)."""
    from webapp.database import commit_asides, write_aside
    from webapp.visits.models import AuditEvent

    def audit(session):
        session.add(AuditEvent(patient_id=patient.id, viewer_id=patient.id, what="a test"))

    with app.test_request_context():
        user = db.session.get(User, patient.id)
        write_aside(db.session, audit)
        user.display_name = "Changed by mistake"
        commit_asides(db.session())
        db.session.rollback()
        assert db.session.get(User, patient.id).display_name != "Changed by mistake"
        found = db.session.scalars(select(AuditEvent).where(AuditEvent.what == "a test")).all()
        assert len(found) == 1


@pytest.mark.parametrize("ending", ["commit", "rollback"])
def test_aside_writes_are_made_even_when_the_read_ended_before_the_response(app, patient, ending):
    """A read that ends early (committed or rolled back by the page) does not take the audit
    row left to it along: the row is made on a connection of its own, once."""
    from webapp.database import commit_asides, write_aside
    from webapp.visits.models import AuditEvent

    def audit(session):
        session.add(AuditEvent(patient_id=patient.id, viewer_id=patient.id, what="a test"))

    with app.test_request_context():
        db.session.get(User, patient.id)
        write_aside(db.session, audit)
        getattr(db.session, ending)()
        commit_asides(db.session())
        commit_asides(db.session())  # a second call finds nothing left to write
        found = db.session.scalars(select(AuditEvent).where(AuditEvent.what == "a test")).all()
        assert len(found) == 1
