"""Opening a visit writes the audit row aside: nothing the page loaded is loaded again."""

from sqlalchemy import event

from tests.scheduling.test_board_queries import count_queries
from tests.visits.conftest import ALL_DAY, log_form, move_visit
from webapp.care.models import Medication
from webapp.extensions import db
from webapp.visits.models import AuditEvent


def test_the_audit_row_does_not_make_the_visit_page_load_everything_twice(
    app, verified_aide_client, visit_setup, store
):
    visit = visit_setup["visit"]
    with count_queries(app) as statements:
        response = verified_aide_client.get(f"/visits/{visit.id}")
    assert response.status_code == 200
    inserts = [n for n, s in enumerate(statements) if s.startswith("INSERT INTO audit_event")]
    assert len(inserts) == 1
    before, after = statements[: inserts[0]], statements[inserts[0] + 1 :]
    assert not set(before) & set(after), "\n\n".join(after)
    assert store.count(AuditEvent, visit_id=visit.id) == 1


def _bedside_statements(app, client, visit_id):
    client.get(f"/visits/{visit_id}")  # the hour's audit line is started here
    with count_queries(app) as statements:
        response = client.get(f"/visits/{visit_id}")
    assert response.status_code == 200
    return statements, response.get_data(as_text=True)


def test_the_visit_page_at_the_bedside_costs_the_same_with_more_to_log(
    app, patient, patient_client, verified_aide_client, visit_setup, store
):
    """Checked in with the log under way, the page reads what it shows in a few statements,
    however many tasks and doses there are to log."""
    visit = visit_setup["visit"]
    move_visit(app, visit.id, minutes_from_now=5)
    assert verified_aide_client.post(f"/visits/{visit.id}/check-in", data={}).status_code == 302
    assert (
        verified_aide_client.post(f"/visits/{visit.id}/log", data=log_form(visit_setup)).status_code
        == 302
    )
    before, page = _bedside_statements(app, verified_aide_client, visit.id)
    assert "No cushion for the knee today." in page and 'value="09:20"' in page
    assert len(before) <= 8, "\n\n".join(before)

    for name in ("Paracetamol", "Omeprazole", "Vitamin D"):
        patient_client.post(
            f"/patients/{patient.id}/medications",
            data={"name": name, "dose": "1 tablet", "times_of_day": ALL_DAY},
        )
    extra = {m.id for m in store.all(Medication, patient_id=patient.id)} - {
        visit_setup["medication"].id
    }
    logged = log_form(visit_setup, **{f"medication_{m}_outcome": "refused" for m in extra})
    assert verified_aide_client.post(f"/visits/{visit.id}/log", data=logged).status_code == 302
    after, page = _bedside_statements(app, verified_aide_client, visit.id)
    assert page.count("Refused") >= 3 and "Vitamin D" in page
    assert len(after) == len(before), "\n\n".join(after)


def test_a_visit_view_commits_its_audit_row_before_the_page_goes_out(
    app, verified_aide_client, visit_setup, store
):
    """SQLite writes the row on a connection of its own and commits it at once; PostgreSQL
    writes it in the page's own read transaction and commits once, when the page is ready."""
    visit = visit_setup["visit"]
    with app.app_context():
        engine, dialect = db.engine, db.engine.dialect.name
    endings: list[str] = []
    listeners = {
        "commit": lambda conn: endings.append("commit"),
        "rollback": lambda conn: endings.append("rollback"),
    }
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    try:
        assert verified_aide_client.get(f"/visits/{visit.id}").status_code == 200
        assert endings == (["commit"] if dialect == "postgresql" else ["commit", "commit"])
        assert verified_aide_client.get(f"/visits/{visit.id}").status_code == 200
    finally:
        for name, listener in listeners.items():
            event.remove(engine, name, listener)
    assert "rollback" not in endings
    assert store.one(AuditEvent, visit_id=visit.id).views == 2
