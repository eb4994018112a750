"""Building the world: the people of every role, the patient's care plan, a weekly request
with visits in every state, the care circle and the family side, each person logged in.
"""

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.security.world import MARKERS, ROLES, World, comparable, log_in
from webapp.database import utcnow
from webapp.extensions import db


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
