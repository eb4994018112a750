"""`flask seed-demo`: a small, realistic data set to click through. Running it twice is safe."""

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

from webapp.auth.services import find_user_by_email, register_user
from webapp.care import services as care
from webapp.care.catalogue import SLUGS
from webapp.circle import services as circle
from webapp.circle.models import CircleMember
from webapp.coverage import covers
from webapp.database import utcnow
from webapp.extensions import db
from webapp.marketplace import request_services as requests
from webapp.marketplace.models import AideProfile, skill_bit
from webapp.scheduling import services as scheduling

DEMO_PASSWORD = "stretch-and-rest-2026"

DEMO_PEOPLE = (
    ("rosa@example.com", "Rosa Martins", "patient", "America/New_York"),
    ("sam@example.com", "Sam Okafor", "aide", "America/New_York"),
    ("priya@example.com", "Priya Nair", "aide", "America/New_York"),
    ("daniel@example.com", "Daniel Martins", "family", "America/Chicago"),
    ("admin@example.com", "Alex Admin", "admin", "America/New_York"),
)

#: The two demo aides, both vetted: (email, bio, skills, rate in cents, area).
DEMO_AIDES = (
    (
        "sam@example.com",
        "Certified nursing assistant; eight years helping people through hip and knee rehab.",
        ("stretching", "strengthening", "medication", "cold_therapy", "mobility"),
        3200,
        "Springfield, 62701, 62702, 62704",
    ),
    (
        "priya@example.com",
        "Home health aide and former physiotherapy clinic assistant. Calm, patient, punctual.",
        ("stretching", "strengthening", "self_massage", "cold_therapy", "medication"),
        2900,
        "Springfield, Chatham, 62701, 62629",
    ),
)

#: Rosa's exercises that need a second pair of hands.
NEEDS_HELPER = {"thomas-stretch", "runners-lunge", "standing-resisted-march"}
MORNING, EVENING = "morning", "evening"


def seed_demo() -> list[tuple[str, str]]:
    """Create the demo people and Rosa's hip routine unless they exist; return the logins."""
    for email, name, role, zone in DEMO_PEOPLE:
        if find_user_by_email(email) is not None:
            continue
        user = register_user(
            email=email, password=DEMO_PASSWORD, role=role, display_name=name, timezone=zone
        )
        user.phone = "+1 555 010 0100"
        if user.is_patient:
            user.health_data_consent_at = utcnow()  # Rosa agreed when she signed up
            _build_routine(user)
    _vet_aides()
    _post_rosas_request()
    _join_rosas_circle()
    db.session.commit()
    return [(email, role) for email, _, role, _ in DEMO_PEOPLE]


def _vet_aides() -> None:
    admin = find_user_by_email("admin@example.com")
    for email, bio, skills, rate, area in DEMO_AIDES:
        aide = find_user_by_email(email)
        if db.session.get(AideProfile, aide.id) is not None:
            continue
        db.session.add(
            AideProfile(
                user_id=aide.id,
                bio=bio,
                skills=sum(skill_bit(skill) for skill in skills),
                hourly_rate_cents=rate,
                currency="USD",
                service_area=area,
                languages="English, Spanish" if email.startswith("sam") else "English, Hindi",
                verified_at=utcnow(),
                verified_by_id=admin.id,
                verification_note="Demo: background check and references done.",
            )
        )
    db.session.flush()


def _post_rosas_request() -> None:
    """Mon/Wed/Fri 9:00-10:00 for eight weeks, stretches and morning medications; Sam has
    booked the first week."""
    rosa = find_user_by_email("rosa@example.com")
    if requests.patient_requests(rosa):
        return
    helper_items = [item.id for item in care.routine_items(rosa) if item.needs_helper]
    today = utcnow().astimezone(ZoneInfo(rosa.timezone)).date()
    next_monday = today + timedelta(days=7 - today.weekday())
    posted = requests.post_request(
        rosa,
        rosa,
        home=requests.Home("27 Maple Avenue, Apt 3", "Springfield", "62704", "Buzzer 3B."),
        schedule=requests.Schedule(
            first_date=next_monday,
            start_time=time(9),
            end_time=time(10),
            weekdays=[0, 2, 4],
            count=24,
        ),
        task_ids=helper_items,
        includes_medications=True,
        rate_cents=3000,
        currency="USD",
        notes="The morning pills are in the blue box by the kettle.",
        offered_to_id=None,
        now=utcnow(),
    )
    sam = find_user_by_email("sam@example.com")
    first_week = [visit.id for visit in requests.request_visits(posted)[:3]]
    scheduling.book_series(sam, posted.id, first_week, utcnow())


def _join_rosas_circle() -> None:
    """Daniel, Rosa's son in another city, coordinates her care."""
    rosa = find_user_by_email("rosa@example.com")
    daniel = find_user_by_email("daniel@example.com")
    if circle.members(rosa):
        return
    db.session.add(CircleMember(patient_id=rosa.id, member_id=daniel.id, role="coordinator"))
    db.session.flush()
    # He has promised to do the evening routine with her over the phone for the next two days.
    now = utcnow()
    tomorrow = now.astimezone(ZoneInfo(rosa.timezone)).date() + timedelta(days=1)
    for day in (tomorrow, tomorrow + timedelta(days=1)):
        covers.cover_window(daniel, rosa, day, EVENING, now)


def _build_routine(patient) -> None:
    for slug in SLUGS:
        item = care.add_exercise(patient, slug)
        exercise = item.exercise
        care.update_routine_item(
            item,
            sets=item.sets,
            reps=item.reps,
            hold_seconds=item.hold_seconds,
            minutes=item.minutes,
            times_per_day=item.times_per_day,
            weekdays=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
            times_of_day=[MORNING, EVENING] if exercise.default.times_per_day > 1 else [MORNING],
            needs_helper=slug in NEEDS_HELPER,
            notes=None,
        )
    care.save_medication(
        patient,
        name="Ibuprofen",
        dose="400 mg",
        instructions="With food. Not on an empty stomach.",
        times_of_day=[MORNING, EVENING],
    )
    care.save_medication(
        patient,
        name="Acetaminophen",
        dose="500 mg (1 tablet)",
        instructions="Only if the pain is bad; at most 4 tablets in a day.",
        times_of_day=["midday", "bedtime"],
    )


def login_url(host: str, port: int) -> str:
    """The login page on the address the server listens on. A server listening on every
    address (0.0.0.0 or ::) is reached on this machine through the loopback address."""
    host = host.strip().strip("[]")
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address in a URL
    with current_app.test_request_context():
        path = url_for("auth.login")
    return f"http://{host}:{port}{path}"


@click.command("seed-demo")
@click.option(
    "--host",
    envvar="FLASK_RUN_HOST",
    default="127.0.0.1",
    show_default=True,
    help="Where the server listens (as given to flask run), for the login address printed.",
)
@click.option(
    "--port",
    envvar="FLASK_RUN_PORT",
    type=click.IntRange(1, 65535),
    default=5000,
    show_default=True,
    help="The port the server listens on, for the login address printed.",
)
@with_appcontext
def seed_demo_command(host: str, port: int) -> None:
    """Load the demo patient, aides and family member (idempotent)."""
    logins = seed_demo()
    click.echo(f"Demo data ready. Log in at {login_url(host, port)} with:")
    for email, role in logins:
        click.echo(f"  {role:8} {email:22} password: {DEMO_PASSWORD}")
