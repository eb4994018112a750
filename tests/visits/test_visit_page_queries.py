"""Opening a visit writes the audit row aside: nothing the page loaded is loaded again."""

from tests.scheduling.test_board_queries import count_queries
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
