"""The main pages of HomeStretch, who opens each, and what one render costs in-process.

A `Page` names the role that opens it and builds its path from a `Targets` (the ids a seeded
database holds for the first patient, their aide, coordinator and the admin). `count_statements`
counts the SQL statements a block runs (SQLAlchemy's before_cursor_execute, transaction
control left out); `measure` renders a page a number of times with the Flask test client and
gives its statement count and median server time.
"""

import os
import statistics
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import event, select

from webapp.extensions import db
from webapp.scheduling.listed import BoardKey
from webapp.scheduling.models import Visit

BOARD_PAGE_SIZE = 20
#: The board narrowed the way an aide narrows it: a town, a task and a minimum rate.
BOARD_FILTER = "area=Springfield&task=thomas-stretch&min_rate=25"
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@dataclass(frozen=True)
class Targets:
    """What the pages open: people by id and email, a visit of each kind, links."""

    patient_id: int
    patient_email: str
    aide_email: str
    family_email: str
    admin_email: str
    #: The aide's next booked visit (the visit page at the bedside).
    booked_visit_id: int
    #: The patient's latest completed visit (the summary).
    completed_visit_id: int
    #: Where the board's last page starts (a keyset link: the slot 21st from the end).
    deep_board_key: str
    #: A live feed token for the patient's calendar.
    feed_token: str


@dataclass(frozen=True)
class Page:
    """One main page: its name, who opens it (None: nobody logged in) and its path."""

    key: str
    name: str
    role: str | None
    path_template: str

    def path(self, targets: Targets) -> str:
        return self.path_template.format(t=targets)


PAGES = (
    Page("patient_dashboard", "patient dashboard", "patient", "/dashboard"),
    Page("aide_dashboard", "aide dashboard", "aide", "/dashboard"),
    Page("family_dashboard", "family (coordinator) dashboard", "family", "/dashboard"),
    Page("admin_dashboard", "admin dashboard", "admin", "/dashboard"),
    Page("routine", "routine", "patient", "/patients/{t.patient_id}/routine"),
    Page("board", "request board", "aide", "/board"),
    Page("board_filtered", "board, area + task + rate", "aide", "/board?" + BOARD_FILTER),
    Page("board_deep", "board, last page", "aide", "/board?after={t.deep_board_key}"),
    Page("visit", "visit page (aide)", "aide", "/visits/{t.booked_visit_id}"),
    Page("summary", "visit summary", "patient", "/visits/{t.completed_visit_id}/summary"),
    Page(
        "calendar_month",
        "calendar, month",
        "patient",
        "/patients/{t.patient_id}/calendar?view=month",
    ),
    Page(
        "calendar_week", "calendar, week", "patient", "/patients/{t.patient_id}/calendar?view=week"
    ),
    Page("coverage", "coverage (coordinator)", "family", "/patients/{t.patient_id}/coverage"),
    Page("ics", "ICS feed", None, "/calendar/feed/{t.feed_token}.ics"),
    Page("my_visits", "my visits (aide)", "aide", "/my-visits"),
    Page("aide_directory", "aide directory", "patient", "/aides"),
    Page("audit", "audit log", "patient", "/audit"),
    Page("notifications", "notifications", "patient", "/notifications"),
    Page("patient_payments", "patient payments", "patient", "/patients/{t.patient_id}/payments"),
    Page("payouts", "aide payouts", "aide", "/payouts"),
    Page("admin_payments", "admin payments", "admin", "/admin/payments"),
)
ROLES = ("patient", "aide", "family", "admin")


def targets_for(world: dict, now: datetime) -> Targets:
    """Look up the visits and where the board's last page starts in the seeded database."""
    patient, aide = world["patients"][0], world["aides"][0]
    booked = db.session.scalar(
        select(Visit.id)
        .where(Visit.aide_id == aide["id"], Visit.status == "booked", Visit.starts_at > now)
        .order_by(Visit.starts_at)
        .limit(1)
    )
    completed = db.session.scalar(
        select(Visit.id)
        .where(Visit.patient_id == patient["id"], Visit.status == "completed")
        .order_by(Visit.starts_at.desc())
        .limit(1)
    )
    near_the_end = db.session.scalars(
        select(Visit)
        .where(Visit.status == "open", Visit.starts_at > now)
        .order_by(Visit.starts_at.desc(), Visit.id.desc())
        .limit(BOARD_PAGE_SIZE + 1)
    ).all()
    return Targets(
        patient_id=patient["id"],
        patient_email=patient["email"],
        aide_email=aide["email"],
        family_email=world["family"][0]["email"],
        admin_email=world["admin"]["email"],
        booked_visit_id=booked,
        completed_visit_id=completed,
        deep_board_key=BoardKey(near_the_end[-1].starts_at, near_the_end[-1].id).token
        if near_the_end
        else "",
        feed_token=world["feeds"]["patient"],
    )


def email_for(role: str, targets: Targets) -> str:
    return {
        "patient": targets.patient_email,
        "aide": targets.aide_email,
        "family": targets.family_email,
        "admin": targets.admin_email,
    }[role]


@contextmanager
def count_statements(engine):
    """Collect the SQL statements run on this engine inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(CONTROL):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def log_in(app, email: str, password: str):
    """A test client logged in through the real form, with a valid CSRF token for posts."""
    client = app.test_client()
    raw = os.urandom(20).hex()
    with client.session_transaction() as session:
        session["csrf_token"] = raw
    token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    response = client.post(
        "/auth/login", data={"email": email, "password": password, "csrf_token": token}
    )
    if response.status_code != 302:
        raise RuntimeError(f"could not log in as {email}: {response.status_code}")
    return client


@dataclass
class Render:
    """What rendering one page cost in-process."""

    status: int
    statements: int
    writes: int
    server_ms: float
    bytes: int


def render_once(app, client, path: str) -> tuple[Render, list[str]]:
    """Render a page once; its statements too."""
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as statements:
        start = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - start) * 1000
    writes = sum(1 for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE")))
    body = response.get_data()
    return Render(response.status_code, len(statements), writes, elapsed, len(body)), statements


def measure(app, client, path: str, renders: int = 30, budget_s: float = 4.0) -> Render:
    """Render a page up to `renders` times (fewer if slow): the usual statement count and the
    median time. The first render warms templates and is not counted."""
    first, _ = render_once(app, client, path)
    if first.status != 200:
        return first
    samples = []
    deadline = time.perf_counter() + budget_s
    while len(samples) < renders and (len(samples) < 5 or time.perf_counter() < deadline):
        samples.append(render_once(app, client, path)[0])
    counts = Counter(sample.statements for sample in samples)
    usual = counts.most_common(1)[0][0]
    return Render(
        status=max(sample.status for sample in samples),
        statements=usual,
        writes=Counter(sample.writes for sample in samples).most_common(1)[0][0],
        server_ms=statistics.median(sample.server_ms for sample in samples),
        bytes=samples[-1].bytes,
    )
