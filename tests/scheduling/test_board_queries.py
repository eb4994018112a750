"""The board's query count does not grow with the number of open visits."""

from contextlib import contextmanager

from sqlalchemy import event

from webapp.extensions import db


@contextmanager
def count_queries(app):
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def board_queries(app, client):
    with count_queries(app) as statements:
        response = client.get("/board")
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_board_queries_do_not_grow_from_10_to_300_slots(
    app, verified_aide_client, make_user, post_request
):
    post_request(make_user("patient"), weekdays=list(range(7)), count=10)
    small, page = board_queries(app, verified_aide_client)
    assert "10 open visits" in page

    for _ in range(10):  # ten more patients, 29 slots each, varied tasks
        post_request(
            make_user("patient"),
            weekdays=list(range(7)),
            count=29,
            tasks=("thomas-stretch", "cold-pack"),
            medications=True,
        )
    large, page = board_queries(app, verified_aide_client)
    assert "More than 100 open visits" in page  # counted up to 101, not all 300
    assert page.count('class="card slot"') == 20  # one page
    print(f"\n[queries] board: {small} at 10 slots, {large} at 300 slots")
    assert large == small, f"{small} queries at 10 slots, {large} at 300"


def test_the_board_names_every_task_of_each_request(verified_aide_client, make_user, post_request):
    post_request(make_user("patient"), tasks=("thomas-stretch", "cold-pack"), medications=True)
    post_request(make_user("patient"), days_ahead=8, tasks=("runners-lunge",))
    page = verified_aide_client.get("/board").get_data(as_text=True)
    assert "2 open visits" in page
    cold_pack = "Cold pack on the front of the hip"
    assert (
        f"<p>Thomas stretch, {cold_pack}, Medications</p>" in page
        or f"<p>{cold_pack}, Thomas stretch, Medications</p>" in page
    )
    assert "<p>Runner&#39;s lunge stretch</p>" in page
