"""`flask seed-demo`: a small, realistic data set to click through. Running it twice is safe."""

import click
from flask.cli import with_appcontext

from webapp.auth.services import find_user_by_email, register_user
from webapp.care import services as care
from webapp.care.catalogue import SLUGS
from webapp.extensions import db

DEMO_PASSWORD = "stretch-and-rest-2026"

DEMO_PEOPLE = (
    ("rosa@example.com", "Rosa Martins", "patient", "America/New_York"),
    ("sam@example.com", "Sam Okafor", "aide", "America/New_York"),
    ("priya@example.com", "Priya Nair", "aide", "America/New_York"),
    ("daniel@example.com", "Daniel Martins", "family", "America/Chicago"),
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
            _build_routine(user)
    db.session.commit()
    return [(email, role) for email, _, role, _ in DEMO_PEOPLE]


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


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo patient, aides and family member (idempotent)."""
    logins = seed_demo()
    click.echo("Demo data ready. Log in at http://127.0.0.1:5000/auth/login with:")
    for email, role in logins:
        click.echo(f"  {role:8} {email:22} password: {DEMO_PASSWORD}")
