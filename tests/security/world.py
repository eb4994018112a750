"""One world of records around one patient, the people who may or may not see it, and a way
to put the world back exactly as it was after a request changed it.

The world is built once per test module (sign-ups hash passwords, which is slow). Tests stay
independent of order because every case starts from the same rows: `world.ensure_pristine()`
puts back the snapshot taken right after building whenever anything differs from it. The records
themselves are built in world_building.py.
"""

import re
from dataclasses import dataclass, field

from sqlalchemy import select

from tests.conftest import PASSWORD, Client, _config_dict
from webapp import create_app
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
