"""A city-sized HomeStretch in seconds: patients, aides, circles, a year of visits and the rest.

`seed(connection, shape, now)` fills an empty database with Core bulk inserts (lists of dicts,
explicit ids, one transaction), respecting every check constraint, so the app's own pages read
it as if people had used HomeStretch for a year. The shape scales every list together:
`SIZES["100k"]` is 1,000 patients, 300 aides and 100,000 visits; `SIZES["1k"]` is 1% of it.

Each patient has one regular aide (patient number modulo the aide count) and a time of day of
their own among that aide's patients, so no aide ever holds two visits at once. Visits run from
`history_days` ago to a few months ahead: completed ones carry a report, task and medication
logs, an audit row, a payment and often a review; some were cancelled or missed; the ones
ahead are open or booked. Everyone has notifications; patients have home-log sessions, a care
circle (a coordinator, and a viewer shared with a neighbour), covers by family and payments.
The first family member coordinates the first patient's care and follows three more circles.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text

from webapp.auth.models import User
from webapp.calendar.models import CalendarFeed
from webapp.care.catalogue import DEFAULT_PRECAUTIONS
from webapp.care.models import Medication, Precaution, RoutineItem
from webapp.circle.models import CircleMember
from webapp.coverage.models import FamilyCover
from webapp.coverage.windows import DEFAULT_PART_TIMES, PartTimes, window_bounds
from webapp.extensions import db
from webapp.homelog.models import HomeMedicationLog, HomeSession, HomeTaskLog
from webapp.marketplace.models import (
    AideProfile,
    AssistanceRequest,
    PatientHome,
    Review,
    request_task,
)
from webapp.notifications.models import KINDS, Notification
from webapp.payments.models import PaymentProfile, PaymentRefund, PayoutAccount, VisitPayment
from webapp.scheduling.models import Visit, VisitCancellation
from webapp.visits.models import AuditEvent, MedicationLog, TaskLog, VisitReport

PASSWORD = "benchmark password 2026"
ZONE = "America/New_York"
TOWNS = (
    "Springfield",
    "Riverton",
    "Fairview",
    "Greenville",
    "Madison",
    "Franklin",
    "Clinton",
    "Georgetown",
    "Salem",
    "Arlington",
)
#: Local start hours; the patients one aide serves each get a different one.
HOURS = (9, 11, 14, 16, 18)
#: (slug, sets, reps, hold seconds, minutes, times of day mask, needs a helper)
ROUTINE = (
    ("thomas-stretch", 3, 5, 30, None, 0b00001, True),
    ("runners-lunge", 3, 5, 30, None, 0b00001, True),
    ("straight-leg-raise", 2, 10, None, None, 0b00100, False),
    ("standing-resisted-march", 2, 10, None, None, 0b00100, True),
    ("psoas-march-band", 2, 8, None, None, 0b01000, False),
    ("cold-pack", None, None, None, 15, 0b01001, False),
    ("tennis-ball-massage", None, None, None, 5, 0b10000, False),
)
MEDICATIONS = (
    ("Ibuprofen", "400 mg", "With food.", 0b01001),
    ("Acetaminophen", "500 mg", None, 0b00010),
)
BATCH = 20_000


@dataclass(frozen=True)
class Shape:
    """How big a world to build; every list grows with these numbers."""

    patients: int
    aides: int
    visits_per_patient: int = 100
    #: How far back the visit history and the home log reach.
    history_days: int = 365
    #: Share of each patient's visits that lie ahead (open or booked).
    ahead_share: float = 0.28
    visits_per_request: int = 12
    notifications_per_user: int = 30
    home_sessions_per_patient: int = 40

    @property
    def visits(self) -> int:
        return self.patients * self.visits_per_patient


SIZES = {
    "1k": Shape(patients=10, aides=3),
    "100k": Shape(patients=1000, aides=300),
}


@dataclass
class World:
    """Who is who in a seeded database: the people a benchmark logs in as, and links."""

    now: datetime
    admin: dict
    patients: list[dict] = field(default_factory=list)
    aides: list[dict] = field(default_factory=list)
    family: list[dict] = field(default_factory=list)
    #: Secret calendar feed tokens: {"patient": ..., "aide": ...} for the first patient/aide.
    feeds: dict = field(default_factory=dict)
    #: Rows written per table.
    counts: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "now": self.now.isoformat(),
            "admin": self.admin,
            "patients": self.patients[:3],
            "aides": self.aides[:25],
            "family": self.family[:3],
            "feeds": self.feeds,
        }


class _Ids:
    """Hands out explicit primary keys per table, so related rows can be written in bulk."""

    def __init__(self):
        self.last: dict[str, int] = {}

    def next(self, table: str) -> int:
        self.last[table] = self.last.get(table, 0) + 1
        return self.last[table]


class _Writer:
    """Collects rows per table and writes them in big executemany batches, parents first."""

    ORDER = (
        User,
        AideProfile,
        PatientHome,
        RoutineItem,
        Medication,
        Precaution,
        CircleMember,
        AssistanceRequest,
        request_task,
        Visit,
        VisitCancellation,
        VisitReport,
        TaskLog,
        MedicationLog,
        Review,
        AuditEvent,
        Notification,
        HomeSession,
        HomeTaskLog,
        HomeMedicationLog,
        FamilyCover,
        CalendarFeed,
        PaymentProfile,
        PayoutAccount,
        VisitPayment,
        PaymentRefund,
    )

    def __init__(self, connection):
        self.connection = connection
        self.rows: dict[object, list[dict]] = {}
        self.counts: dict[str, int] = {}

    def add(self, target, **row) -> None:
        self.rows.setdefault(target, []).append(row)

    def flush_all(self) -> None:
        for target in self.ORDER:
            rows = self.rows.pop(target, [])
            table = getattr(target, "__table__", target)
            for start in range(0, len(rows), BATCH):
                self.connection.execute(insert(table), rows[start : start + BATCH])
            self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        assert not self.rows, f"rows for tables outside the write order: {list(self.rows)}"


def password_hash(password: str = PASSWORD) -> str:
    """One scrypt hash shared by every seeded account (hashing 3,000 would take minutes)."""
    user = User()
    user.set_password(password)
    return user.password_hash


def seed_database(engine, shape: Shape, now: datetime, hashed_password: str) -> World:
    """Seed through one connection in one transaction; on SQLite without waiting for the disk
    (PRAGMA synchronous=OFF, which SQLite only accepts outside a transaction)."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA synchronous=OFF")
        with connection.begin():
            world = seed(connection, shape, now, hashed_password)
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA synchronous=NORMAL")
    return world


def seed(connection, shape: Shape, now: datetime, hashed_password: str, seed: int = 11) -> World:
    """Fill an empty database (the tables exist) with a world of this shape; returns who's who."""
    ids = _Ids()
    out = _Writer(connection)
    zone = ZoneInfo(ZONE)
    year_ago = now - timedelta(days=shape.history_days + 30)

    def user(role: str, email: str, name: str, **extra) -> dict:
        user_id = ids.next("user")
        out.add(
            User,
            id=user_id,
            email=email,
            password_hash=hashed_password,
            role=role,
            display_name=name,
            phone=None,
            timezone=ZONE,
            created_at=year_ago,
            health_data_consent_at=year_ago if role == "patient" else None,
            deleted_at=None,
        )
        return {"id": user_id, "email": email, "name": name, **extra}

    admin = user("admin", "admin@bench.homestretch.test", "Ada Admin")
    world = World(now=now, admin=admin)
    for n in range(shape.aides):
        aide = user("aide", f"aide{n}@bench.homestretch.test", f"Aide {n}")
        world.aides.append(aide)
        out.add(
            AideProfile,
            user_id=aide["id"],
            bio="Home care aide; stretching help and medication reminders.",
            skills=0b111111 if n % 3 else 0b000111,
            hourly_rate_cents=2000 + 100 * (n % 25),
            currency="USD",
            service_area=f"{TOWNS[n % len(TOWNS)]}, {TOWNS[(n + 1) % len(TOWNS)]}",
            languages="English" if n % 4 else "English, Spanish",
            verified_at=year_ago,
            verified_by_id=admin["id"],
            verification_note="Background check done.",
            updated_at=year_ago,
        )
        out.add(
            PayoutAccount,
            id=ids.next("payout_account"),
            aide_id=aide["id"],
            stripe_account_id=f"acct_bench{n:06d}",
            details_submitted=True,
            charges_enabled=True,
            payouts_enabled=True,
            stripe_updated_at=year_ago,
            created_at=year_ago,
            updated_at=year_ago,
        )

    for p in range(shape.patients):
        world.patients.append(user("patient", f"patient{p}@bench.homestretch.test", f"Pat {p}"))
    for p in range(shape.patients):
        world.family.append(user("family", f"family{p}@bench.homestretch.test", f"Kin {p}"))
    viewers = [
        user("family", f"viewer{n}@bench.homestretch.test", f"Friend {n}")
        for n in range((shape.patients + 1) // 2)
    ]

    for p, patient in enumerate(world.patients):
        aide = world.aides[p % shape.aides]
        coordinator = world.family[p]
        viewer = viewers[p // 2]
        _patient(out, ids, shape, now, zone, p, patient, aide, coordinator, viewer, admin)

    # The first family member also follows up to three more relatives, as a viewer.
    for p in range(1, min(4, shape.patients)):
        out.add(
            CircleMember,
            id=ids.next("circle_member"),
            patient_id=world.patients[p]["id"],
            member_id=world.family[0]["id"],
            role="viewer",
            joined_at=now - timedelta(days=shape.history_days),
        )

    # Calendar feeds: the first patient's, held by their coordinator, and the first aide's own.
    for key, owner, patient_id in (
        ("patient", world.family[0], world.patients[0]["id"]),
        ("aide", world.aides[0], None),
    ):
        token = hashlib.sha256(f"bench-feed-{key}-{seed}".encode()).hexdigest()[:43]
        out.add(
            CalendarFeed,
            id=ids.next("calendar_feed"),
            owner_id=owner["id"],
            patient_id=patient_id,
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            created_at=now - timedelta(days=30),
            revoked_at=None,
        )
        world.feeds[key] = token

    everyone = [admin, *world.aides, *world.patients, *world.family, *viewers]
    for person in everyone:
        _notifications(out, ids, shape, now, person)
    out.flush_all()
    # The aides' counters (rating, completed and missed visits) from the rows just written.
    from webapp.marketplace.aide_stats import recount

    recount(connection)
    _advance_sequences(connection, ids)
    world.counts = out.counts
    return world


def _patient(out, ids, shape, now, zone, p, patient, aide, coordinator, viewer, admin):
    """One patient's whole year: care plan, circle, requests, visits and what they left."""
    pid, aid = patient["id"], aide["id"]
    town = p % len(TOWNS)
    created = now - timedelta(days=shape.history_days + 20)
    out.add(
        PatientHome,
        patient_id=pid,
        street=f"{10 + p} Elm Street",
        city=TOWNS[town],
        postal_code=f"{10001 + 37 * town + p % 5:05d}",
        access_notes="Ring twice; the dog is friendly." if p % 3 == 0 else None,
    )
    items = []
    for index, (slug, sets, reps, hold, minutes, times, helper) in enumerate(ROUTINE):
        if index >= 2 and (p + index) % 3 == 0:
            continue  # not every therapist assigns every card
        item_id = ids.next("routine_item")
        items.append((item_id, slug))
        out.add(
            RoutineItem,
            id=item_id,
            patient_id=pid,
            exercise_slug=slug,
            sets=sets,
            reps=reps,
            hold_seconds=hold,
            minutes=minutes,
            times_per_day=2 if slug == "cold-pack" else 1,
            weekdays=0b1111111 if index < 2 else 0b0010101,
            times_of_day=times,
            needs_helper=helper,
            notes="Go gently on the left side." if index == 0 and p % 2 else None,
            created_at=created,
        )
    medications = []
    for name, dose, instructions, times in MEDICATIONS:
        medication_id = ids.next("medication")
        medications.append((medication_id, name, dose))
        out.add(
            Medication,
            id=medication_id,
            patient_id=pid,
            name=name,
            dose=dose,
            instructions=instructions,
            times_of_day=times,
            created_at=created,
        )
    for key, activity, tip in DEFAULT_PRECAUTIONS:
        out.add(
            Precaution,
            id=ids.next("precaution"),
            patient_id=pid,
            activity=activity,
            tip=tip,
            builtin_key=key,
            created_at=created,
        )
    out.add(
        CircleMember,
        id=ids.next("circle_member"),
        patient_id=pid,
        member_id=coordinator["id"],
        role="coordinator",
        joined_at=created,
    )
    out.add(
        CircleMember,
        id=ids.next("circle_member"),
        patient_id=pid,
        member_id=viewer["id"],
        role="viewer",
        joined_at=created,
    )
    out.add(
        PaymentProfile,
        id=ids.next("payment_profile"),
        patient_id=pid,
        stripe_customer_id=f"cus_bench{p:06d}",
        default_payment_method_id=f"pm_bench{p:06d}",
        card_brand="visa",
        card_last4=f"{4242 + p % 7:04d}",
        card_exp_month=12,
        card_exp_year=now.year + 3,
        card_setup_created_at=created,
        saved_by_id=pid,
        created_at=created,
        updated_at=created,
    )

    # Visit times: past ones spread over the history, ahead ones every three days.
    hour = HOURS[(p // shape.aides) % len(HOURS)]
    ahead = max(1, round(shape.visits_per_patient * shape.ahead_share))
    past = shape.visits_per_patient - ahead
    today = now.astimezone(zone).date()
    days = [
        today - timedelta(days=1 + int(k * shape.history_days / max(past, 1))) for k in range(past)
    ]
    days = sorted(days) + [today + timedelta(days=1 + 3 * k) for k in range(ahead)]
    slots = []
    for k, day in enumerate(days):
        starts_at = datetime.combine(day, time(hour)).replace(tzinfo=zone).astimezone(UTC)
        slots.append((k, day, starts_at, starts_at + timedelta(hours=1), k >= past))

    # The first patient's latest visit raised the safety flag, so their dashboard lists one.
    latest_completed = max(
        (k for k in range(past) if _status(k, False) == "completed"), default=None
    )
    for first in range(0, len(slots), shape.visits_per_request):
        chunk = slots[first : first + shape.visits_per_request]
        request_id = ids.next("assistance_request")
        rate = 2000 + 250 * ((p + first) % 11)
        # Every other series includes medications, and so does every series still running.
        with_medications = (first // shape.visits_per_request) % 2 == 0 or chunk[-1][4]
        tasks = [items[0]] + [items[(first // shape.visits_per_request) % (len(items) - 1) + 1]]
        if (first // shape.visits_per_request) % 3 == 2:
            tasks = tasks[1:]  # some requests leave the Thomas stretch out
        weekdays = 0
        for _, day, _, _, _ in chunk:
            weekdays |= 1 << day.weekday()
        posted = chunk[0][2] - timedelta(days=10)
        out.add(
            AssistanceRequest,
            id=request_id,
            patient_id=pid,
            created_by_id=pid if first % 2 == 0 else coordinator["id"],
            timezone=ZONE,
            first_date=chunk[0][1],
            start_time=time(hour),
            end_time=time(hour + 1),
            repeat="weekly" if len(chunk) > 1 else "once",
            weekdays=weekdays if len(chunk) > 1 else 0,
            until_date=chunk[-1][1] if len(chunk) > 1 else None,
            rate_cents=rate,
            currency="USD",
            includes_medications=with_medications,
            notes="Please bring a resistance band." if first % 3 == 0 else None,
            offered_to_id=None,
            offer_expires_at=None,
            status="active",
            submission_key=None,
            created_at=posted,
        )
        for item_id, _ in tasks:
            out.add(request_task, request_id=request_id, routine_item_id=item_id)
        for k, _, starts_at, ends_at, is_ahead in chunk:
            _visit(
                out, ids, now, k - past if is_ahead else k, starts_at, ends_at, is_ahead,
                request_id, rate, tasks, medications if with_medications else [], pid, aid,
                coordinator, admin, posted, p == 0 and k == latest_completed,
            )  # fmt: skip

    _home_log(out, ids, shape, now, zone, pid, coordinator, items, medications)
    _covers(out, ids, now, zone, pid, coordinator)


def _visit(
    out, ids, now, k, starts_at, ends_at, is_ahead, request_id, rate, tasks, medications,
    pid, aid, coordinator, admin, posted, flag,
):  # fmt: skip
    """One visit and everything a visit of its state leaves behind (k counts the visits
    ahead from 0, and the past ones from the oldest)."""
    visit_id = ids.next("visit")
    status = _status(k, is_ahead)
    holder = None if status == "open" else aid
    booked_at = None if holder is None else posted + timedelta(days=1)
    cancelled_at = starts_at - timedelta(days=2) if status == "cancelled" else None
    out.add(
        Visit,
        id=visit_id,
        request_id=request_id,
        patient_id=pid,
        aide_id=holder,
        starts_at=starts_at,
        ends_at=ends_at,
        status=status,
        booked_at=booked_at,
        cancelled_at=cancelled_at,
        cancelled_late=False,
        created_at=posted,
        updated_at=cancelled_at or (ends_at if status == "completed" else posted),
    )
    amount = rate  # one hour at the hourly rate
    fee = amount // 10
    if status == "cancelled":
        out.add(
            VisitCancellation,
            id=ids.next("visit_cancellation"),
            visit_id=visit_id,
            aide_id=aid,
            cancelled_by_id=pid,
            side="patient",
            late=False,
            reason="Feeling unwell today." if k % 2 else None,
            created_at=cancelled_at,
        )
    if status in ("booked", "no_show", "cancelled"):
        out.add(
            VisitPayment,
            id=ids.next("visit_payment"),
            visit_id=visit_id,
            patient_id=pid,
            aide_id=aid,
            payment_intent_id=None if status == "booked" else f"pi_bench{visit_id:08d}",
            charge_id=None,
            destination_account_id=None,
            amount_cents=amount,
            fee_cents=0,
            currency="USD",
            status="pending" if status == "booked" else "released",
            captured_cents=0,
            refunded_cents=0,
            minutes_billed=None,
            late_cancel_fee=False,
            attempts=0 if status == "booked" else 1,
            failure_reason=None,
            failed_at=None,
            authorized_at=None if status == "booked" else starts_at - timedelta(days=5),
            captured_at=None,
            released_at=None if status == "booked" else cancelled_at or ends_at,
            created_at=booked_at,
            updated_at=cancelled_at or booked_at,
        )
    if status != "completed":
        return

    pain_before = 3 + (k * 7 + pid) % 5
    flagged = flag or (k + pid) % 23 == 5
    pain_after = min(10, pain_before + 3) if flagged else max(0, pain_before - 1 - k % 2)
    out.add(
        VisitReport,
        visit_id=visit_id,
        checked_in_at=starts_at + timedelta(minutes=2),
        checked_out_at=ends_at - timedelta(minutes=3),
        pain_before=pain_before,
        pain_after=pain_after,
        notes="Good session; walked to the kitchen afterwards." if k % 3 == 0 else None,
        safety_flag=flagged,
        updated_at=ends_at,
    )
    for index, (item_id, slug) in enumerate(tasks):
        done = (k + index) % 6 != 0
        out.add(
            TaskLog,
            id=ids.next("task_log"),
            visit_id=visit_id,
            routine_item_id=item_id,
            exercise_slug=slug,
            status="done" if done else "partly",
            reason=None if done else "pain",
            reason_note=None if done else "Stopped after two sets.",
            sets_done=3 if done else 2,
            recorded_by_id=aid,
            recorded_at=ends_at - timedelta(minutes=5),
        )
    for medication_id, name, dose in medications[:1]:
        given = k % 9 != 4
        out.add(
            MedicationLog,
            id=ids.next("medication_log"),
            visit_id=visit_id,
            medication_id=medication_id,
            name=name,
            dose=dose,
            outcome="given" if given else "refused",
            given_at=starts_at + timedelta(minutes=10) if given else None,
            recorded_by_id=aid,
            recorded_at=ends_at - timedelta(minutes=5),
        )
    if k % 5 in (0, 2):
        out.add(
            Review,
            id=ids.next("review"),
            visit_id=visit_id,
            patient_id=pid,
            aide_id=aid,
            rating=5 - (k % 3 == 2) - (k % 7 == 0),
            comment="Patient and kind; knew the stretches well." if k % 2 else None,
            created_at=ends_at + timedelta(hours=3),
        )
    out.add(
        AuditEvent,
        id=ids.next("audit_event"),
        patient_id=pid,
        viewer_id=aid,
        what="care plan for a visit",
        visit_id=visit_id,
        at=starts_at - timedelta(minutes=20),
    )
    if k % 3 == 0:
        out.add(
            AuditEvent,
            id=ids.next("audit_event"),
            patient_id=pid,
            viewer_id=coordinator["id"],
            what="visit summary",
            visit_id=visit_id,
            at=ends_at + timedelta(hours=5),
        )
    refunded = amount // 2 if k % 40 == 13 else 0
    payment_id = ids.next("visit_payment")
    out.add(
        VisitPayment,
        id=payment_id,
        visit_id=visit_id,
        patient_id=pid,
        aide_id=aid,
        payment_intent_id=f"pi_bench{visit_id:08d}",
        charge_id=f"ch_bench{visit_id:08d}",
        destination_account_id=f"acct_bench{aid:06d}",
        amount_cents=amount,
        fee_cents=fee,
        currency="USD",
        status="partially_refunded" if refunded else "captured",
        captured_cents=amount,
        refunded_cents=refunded,
        minutes_billed=None,
        late_cancel_fee=False,
        attempts=1,
        failure_reason=None,
        failed_at=None,
        authorized_at=starts_at - timedelta(days=5),
        captured_at=ends_at,
        released_at=None,
        created_at=booked_at,
        updated_at=ends_at,
    )
    if refunded:
        out.add(
            PaymentRefund,
            id=ids.next("payment_refund"),
            payment_id=payment_id,
            amount_cents=refunded,
            currency="USD",
            reason="The visit ended half an hour early.",
            admin_id=admin["id"],
            stripe_refund_id=f"re_bench{payment_id:08d}",
            submission_key=None,
            created_at=ends_at + timedelta(days=2),
        )


def _status(k: int, is_ahead: bool) -> str:
    """Ahead: every fourth visit booked, the rest open. Past: mostly completed, some
    cancelled by the patient, a few missed by the aide."""
    if is_ahead:
        return "booked" if k % 4 == 0 else "open"
    if k % 10 == 7:
        return "cancelled"
    if k % 15 == 11:
        return "no_show"
    return "completed"


def _home_log(out, ids, shape, now, zone, pid, coordinator, items, medications):
    """Morning sessions of the routine done at home, spread over the history."""
    count = shape.home_sessions_per_patient
    today = now.astimezone(zone).date()
    for n in range(count):
        day = today - timedelta(days=1 + int(n * shape.history_days / max(count, 1)))
        done_at = datetime.combine(day, time(8, 30)).replace(tzinfo=zone).astimezone(UTC)
        session_id = ids.next("home_session")
        before = 2 + (n + pid) % 5
        flagged = (n + pid) % 31 == 7
        out.add(
            HomeSession,
            id=session_id,
            patient_id=pid,
            recorded_by_id=pid if n % 3 else coordinator["id"],
            done_at=done_at,
            part_of_day="morning",
            pain_before=before,
            pain_after=min(10, before + 3) if flagged else max(0, before - 1),
            safety_flag=flagged,
            notes="Did it before breakfast." if n % 4 == 0 else None,
            created_at=done_at + timedelta(minutes=40),
        )
        for item_id, slug in items[:2]:
            out.add(
                HomeTaskLog,
                id=ids.next("home_task_log"),
                session_id=session_id,
                routine_item_id=item_id,
                exercise_slug=slug,
                status="done" if n % 5 else "skipped",
                reason=None if n % 5 else "patient_declined",
                reason_note=None,
            )
        medication_id, name, dose = medications[0]
        out.add(
            HomeMedicationLog,
            id=ids.next("home_medication_log"),
            session_id=session_id,
            medication_id=medication_id,
            name=name,
            dose=dose,
            outcome="given",
            given_at=done_at,
        )


def _covers(out, ids, now, zone, pid, coordinator):
    """The coordinator covers the evening dose every fourth day, from two weeks back to a
    month ahead."""
    start, end = DEFAULT_PART_TIMES["evening"]
    times = PartTimes("evening", start, end, True)
    today = now.astimezone(zone).date()
    for offset in range(-14, 30, 4):
        day = today + timedelta(days=offset)
        starts_at, ends_at = window_bounds(day, times, zone)
        out.add(
            FamilyCover,
            id=ids.next("family_cover"),
            patient_id=pid,
            member_id=coordinator["id"],
            part_of_day="evening",
            window_starts_at=starts_at,
            window_ends_at=ends_at,
            created_at=now - timedelta(days=20),
            released_at=None,
            updated_at=now - timedelta(days=20),
        )


def _notifications(out, ids, shape, now, person):
    """A year of notices, newest three unread."""
    count = shape.notifications_per_user
    for n in range(count):
        kind, label = KINDS[n % len(KINDS)]
        created = now - timedelta(hours=6 + n * max(1, shape.history_days * 24 // max(count, 1)))
        out.add(
            Notification,
            id=ids.next("notification"),
            recipient_id=person["id"],
            kind=kind,
            title=label,
            body=f"{label}. Open HomeStretch for the details.",
            link="/dashboard",
            created_at=created,
            read_at=None if n < 3 else created + timedelta(hours=2),
            dedupe_key=None,
        )


def _advance_sequences(connection, ids: _Ids) -> None:
    """On PostgreSQL, move each id sequence past the explicit ids, so the app's inserts fit."""
    if connection.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f'coalesce((SELECT max(id) FROM "{table.name}"), 0) + 1, false)'
            )
        )
