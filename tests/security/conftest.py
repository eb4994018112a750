"""One world of records around one patient, the people who may or may not see it, and a way
to put the world back exactly as it was after a request changed it.

The world is built once per test module (sign-ups hash passwords, which is slow). Tests stay
independent of order because every case starts from the same rows: `world.ensure_pristine()`
puts back the snapshot taken right after building whenever anything differs from it.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, Client, _config_dict, _empty_tables
from webapp import create_app
from webapp.database import utcnow
from webapp.extensions import db

#: Strings planted in the patient's records. Only the patient and the aide holding their visit
#: may ever get a page that contains one of them.
MARKERS = {
    "name": "Marisol Quintavelle",
    "street": "4471 Quillfeather Lane",
    "door code": "Door code QX-3318",
    "medication": "Zyprovalexin",
    "therapist's note": "QX-THERAPIST keep the pelvis tucked",
    "activity to avoid": "QX-AVOID trampoline classes",
    "request notes": "QX-REQUEST the cat hides under the bed",
    "visit notes": "QX-VISITLOG walked to the mailbox",
    "home log notes": "QX-HOMELOG stretched after breakfast",
}


@dataclass(frozen=True)
class Role:
    """Someone who asks for pages: how they get an account in the world, if they have one."""

    name: str
    account_role: str | None  # None: not logged in
    description: str


#: Everyone the access matrix asks on behalf of. Adding a role here (and its expectations in
#: the matrix's default) is all a new kind of person needs, e.g. care-circle roles.
ROLES = (
    Role("anonymous", None, "not logged in"),
    Role("patient", "patient", "the patient who owns the world"),
    Role("other_patient", "patient", "another patient"),
    Role("holding_aide", "aide", "the verified aide holding the patient's visits"),
    Role("other_aide", "aide", "a verified aide holding none of them"),
    Role("unverified_aide", "aide", "an aide with a profile an admin has not verified"),
    # Until the care circle arrives both are plain family accounts with no link to the patient.
    Role("family_viewer", "family", "a relative meant to view the patient's calendar"),
    Role("other_coordinator", "family", "the coordinator of another patient's circle"),
    Role("admin", "admin", "an administrator"),
)
ROLE_NAMES = tuple(role.name for role in ROLES)


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


#: URL variable -> the world record that fills it, unless told otherwise.
DEFAULT_IDS = {
    "patient_id": "patient",
    "item_id": "routine_item",
    "medication_id": "medication",
    "precaution_id": "precaution",
    "request_id": "request",
    "visit_id": "booked_visit",  # starts in ten minutes, held by the holding aide
    "user_id": "holding_aide",
    "slug": "thomas-stretch",  # the exercise card in the patient's routine
    "session_id": "patient_session",  # the patient's own logged-in session
    "invitation_id": "invitation",  # the patient's pending invitation to a cousin
    "member_id": "circle_member",  # the family viewer's place in the patient's circle
    "token": "token",  # the link of that invitation
    "feed_id": "calendar_feed",  # the patient's live calendar feed
    "cover_id": "family_cover",  # a care window the patient said they would see to
    "home_session_id": "home_session",  # a session of the routine done at home
    "notification_id": "patient_notification",  # an alert in the patient's own list
}
#: What fills a URL variable to name a record that exists nowhere.
NO_SUCH = {"slug": "no-such-exercise", "token": "no-such-invitation-link"}
NO_SUCH_ID = 2_147_483_647


@dataclass
class World:
    """Ids of the records, the users per role, logged-in clients, and the pristine snapshot."""

    app: object
    ids: dict[str, int] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    pristine: dict | None = None
    pristine_state: dict | None = None
    #: Known to hold exactly the pristine state (no request has run since it was checked).
    clean: bool = False

    def client(self, role: str) -> Client:
        """The role's client (anonymous gets a fresh one each time: it keeps no session)."""
        self.clean = False  # whatever it asks next may write
        if role == "anonymous":
            return self.app.test_client()
        client = self.clients[role]
        # A message flashed by an earlier case would show on this case's page.
        with client.session_transaction() as session:
            session.pop("_flashes", None)
        return client

    def fresh_client(self, role: str) -> Client:
        """A newly logged-in client, for requests that end the session they run in."""
        self.clean = False
        client = self.app.test_client()
        if role != "anonymous":
            log_in(client, self.users[role])
        return client

    def url(self, rule: str, ids: dict | None = None, *, missing: bool = False) -> str:
        """The URL rule with its variables filled from the world (or naming nothing)."""
        url = rule
        for variable in re.findall(r"<(?:\w+:)?(\w+)>", rule):
            key = (ids or {}).get(variable, DEFAULT_IDS[variable])
            value = NO_SUCH.get(variable, NO_SUCH_ID) if missing else self.ids.get(key, key)
            url = re.sub(rf"<(\w+:)?{variable}>", str(value), url)
        return url

    def snapshot(self) -> dict:
        """Every row of every table, in primary-key order."""
        return snapshot(self.app)

    def state(self) -> dict:
        """What the people in the world could notice: every row, minus bookkeeping columns."""
        state = comparable(self.snapshot())
        self.clean = state == self.pristine_state
        return state

    def current(self) -> dict:
        """The state now, without asking the database when nothing has run since a check."""
        return self.pristine_state if self.clean else self.state()

    def row_counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.snapshot().items()}

    def ensure_pristine(self) -> None:
        """Put the world back as it was built, if any request changed it."""
        if self.current() != self.pristine_state:
            restore(self.app, self.pristine)
        self.clean = True


#: Columns any request may refresh without changing anything a person would notice.
BOOKKEEPING = {("user_session", "last_seen_at")}


def comparable(rows: dict) -> dict:
    """The snapshot without the bookkeeping columns."""
    result = {}
    for table in db.metadata.sorted_tables:
        keep = [
            index
            for index, column in enumerate(table.columns)
            if (table.name, column.name) not in BOOKKEEPING
        ]
        result[table.name] = [tuple(row[i] for i in keep) for row in rows[table.name]]
    return result


def snapshot(app) -> dict:
    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }


def restore(app, rows: dict) -> None:
    """Replace every table's rows with the snapshot's (same ids, same values)."""
    with app.app_context(), db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
        for table in db.metadata.sorted_tables:
            if rows[table.name]:
                names = [column.name for column in table.columns]
                connection.execute(
                    table.insert(), [dict(zip(names, row, strict=True)) for row in rows[table.name]]
                )


def log_in(client: Client, user) -> Client:
    """Log in through the real form, as a person would."""
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def make_app(database_url: str, **overrides):
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": database_url, **overrides})
    app.test_client_class = Client
    return app


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


def build_world(app) -> World:
    """The patient, their care plan, a weekly request with visits in every state, the people."""
    from webapp.auth.services import register_user
    from webapp.care import services as care
    from webapp.marketplace.models import Review
    from webapp.marketplace.request_services import Home, Schedule, post_request
    from webapp.scheduling.models import Visit
    from webapp.visits.models import AuditEvent, VisitReport

    world = World(app)
    now = utcnow()
    with app.app_context():
        users = {}
        for role in ROLES:
            if role.account_role is None:
                continue
            name = MARKERS["name"] if role.name == "patient" else role.name.replace("_", " ")
            users[role.name] = register_user(
                email=f"{role.name.replace('_', '-')}@example.com",
                password=PASSWORD,
                role=role.account_role,
                display_name=name.title() if role.name != "patient" else name,
                timezone="America/New_York",
            )
        for name, verified in (("holding_aide", True), ("other_aide", True)):
            db.session.add(_profile(users[name].id, now if verified else None))
        db.session.add(_profile(users["unverified_aide"].id, None))
        db.session.flush()

        patient = users["patient"]
        item = care.add_exercise(patient, "thomas-stretch")
        item.notes = MARKERS["therapist's note"]
        care.add_exercise(users["other_patient"], "runners-lunge")
        medication = care.save_medication(
            patient,
            name=MARKERS["medication"],
            dose="400 mg",
            instructions="With food",
            times_of_day=["morning", "midday", "afternoon", "evening", "bedtime"],
        )
        precaution = care.save_precaution(patient, activity=MARKERS["activity to avoid"], tip=None)
        request = post_request(
            patient,
            patient,
            home=Home(MARKERS["street"], "Springfield", "12345", MARKERS["door code"]),
            schedule=Schedule(
                first_date=(now + timedelta(days=3)).date(),
                start_time=(now.replace(hour=14, minute=0)).time(),
                end_time=(now.replace(hour=15, minute=0)).time(),
                weekdays=list(range(7)),
                count=4,
            ),
            task_ids=[item.id],
            includes_medications=True,
            rate_cents=2800,
            currency="USD",
            notes=MARKERS["request notes"],
            offered_to_id=None,
            now=now,
        )
        db.session.flush()
        opened, booked, done, reviewed = db.session.scalars(
            select(Visit).where(Visit.request_id == request.id).order_by(Visit.starts_at)
        ).all()
        aide = users["holding_aide"]
        # Visits in every state the routes care about, placed in time by hand.
        _place(booked, aide, "booked", now + timedelta(minutes=10))
        _place(done, aide, "completed", now - timedelta(hours=3))
        _place(reviewed, aide, "completed", now - timedelta(days=5))
        db.session.add_all(
            [
                VisitReport(
                    visit_id=done.id,
                    checked_in_at=done.starts_at,
                    checked_out_at=done.ends_at,
                    pain_before=4,
                    pain_after=2,
                    notes=MARKERS["visit notes"],
                ),
                VisitReport(
                    visit_id=reviewed.id,
                    checked_in_at=reviewed.starts_at,
                    checked_out_at=reviewed.ends_at,
                ),
                Review(
                    visit_id=reviewed.id,
                    patient_id=patient.id,
                    aide_id=aide.id,
                    rating=5,
                    comment="Patient and kind.",
                ),
                AuditEvent(
                    patient_id=patient.id,
                    viewer_id=aide.id,
                    what="care plan for a visit",
                    visit_id=done.id,
                    at=now - timedelta(hours=3),
                ),
            ]
        )
        db.session.flush()
        circle = _circle(patient, users, now)
        family_side = _family_side(patient, now)
        db.session.commit()
        world.ids = (
            {
                "patient": patient.id,
                "other_patient": users["other_patient"].id,
                "routine_item": item.id,
                "other_routine_item": care.routine_items(users["other_patient"])[0].id,
                "medication": medication.id,
                "precaution": precaution.id,
                "request": request.id,
                "open_visit": opened.id,
                "booked_visit": booked.id,
                "completed_visit": done.id,
                "reviewed_visit": reviewed.id,
                "holding_aide": aide.id,
                "other_aide": users["other_aide"].id,
                "unverified_aide": users["unverified_aide"].id,
                "admin": users["admin"].id,
            }
            | circle
            | family_side
        )
        for user in users.values():
            db.session.refresh(user)
            db.session.expunge(user)
        world.users = users
    for name, user in users.items():
        world.clients[name] = log_in(app.test_client(), user)
    with app.app_context():
        from webapp.auth.models import UserSession

        world.ids["patient_session"] = db.session.scalar(
            select(UserSession.id).where(UserSession.user_id == world.ids["patient"])
        )
        from webapp.notifications.messages import Message
        from webapp.notifications.services import notify

        patient = db.session.get(type(users["patient"]), world.ids["patient"])
        alert = Message("visit_booked", "A visit was booked", "An aide booked a visit.", "/")
        world.ids["patient_notification"] = notify(patient, alert, utcnow()).id
        db.session.commit()
    world.pristine = world.snapshot()
    world.pristine_state = comparable(world.pristine)
    world.clean = True
    return world


#: The invitation link the patient sent a cousin (only its hash is stored).
INVITATION_TOKEN = "QX-invitation-link-token-for-the-cousin"


def _circle(patient, users, now) -> dict:
    """The family viewer is in the patient's circle; the other coordinator in another's."""
    from webapp.circle.models import CircleInvitation, CircleMember
    from webapp.circle.services import hash_token

    viewer = CircleMember(patient_id=patient.id, member_id=users["family_viewer"].id, role="viewer")
    coordinator = CircleMember(
        patient_id=users["other_patient"].id,
        member_id=users["other_coordinator"].id,
        role="coordinator",
    )
    invitation = CircleInvitation(
        patient_id=patient.id,
        email="cousin@example.com",
        role="viewer",
        token_hash=hash_token(INVITATION_TOKEN),
        expires_at=now + timedelta(days=7),
    )
    db.session.add_all([viewer, coordinator, invitation])
    db.session.flush()
    return {"circle_member": viewer.id, "invitation": invitation.id, "token": INVITATION_TOKEN}


#: The secret link of the patient's calendar feed (only its hash is stored).
FEED_TOKEN = "QXfeed-token-of-the-patients-own-calendar00"


def _family_side(patient, now) -> dict:
    """A calendar feed, a covered care window tomorrow and a session done at home."""
    from webapp.calendar.feeds import hash_token
    from webapp.calendar.models import CalendarFeed
    from webapp.coverage.models import FamilyCover
    from webapp.homelog.models import HomeSession

    feed = CalendarFeed(
        owner_id=patient.id, patient_id=patient.id, token_hash=hash_token(FEED_TOKEN)
    )
    window = now.replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    cover = FamilyCover(
        patient_id=patient.id,
        member_id=patient.id,
        part_of_day="morning",
        window_starts_at=window,
        window_ends_at=window + timedelta(hours=2),
    )
    session = HomeSession(
        patient_id=patient.id,
        recorded_by_id=patient.id,
        done_at=now - timedelta(days=1),
        part_of_day="morning",
        pain_before=3,
        pain_after=2,
        notes=MARKERS["home log notes"],
    )
    db.session.add_all([feed, cover, session])
    db.session.flush()
    return {
        "calendar_feed": feed.id,
        "feed_token": FEED_TOKEN,
        "family_cover": cover.id,
        "home_session": session.id,
    }


def _profile(user_id: int, verified_at):
    from webapp.marketplace.models import AideProfile

    return AideProfile(
        user_id=user_id,
        bio="Ten years of home care.",
        skills=0b111,
        hourly_rate_cents=3000,
        currency="USD",
        service_area="Springfield 12345",
        languages="English",
        verified_at=verified_at,
        verification_note="Background check done." if verified_at else None,
    )


def _place(visit, aide, status: str, starts_at) -> None:
    visit.status, visit.aide_id, visit.booked_at = status, aide.id, starts_at - timedelta(days=7)
    visit.starts_at, visit.ends_at = starts_at, starts_at + timedelta(hours=1)
