"""The words of each notification, built from the event it reports: one place for every kind
but card payments, which payment_messages.py words the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from webapp.timezones import to_local

if TYPE_CHECKING:
    from datetime import datetime

    from webapp.auth.models import User
    from webapp.circle.models import CircleInvitation, CircleMember
    from webapp.homelog.models import HomeSession
    from webapp.scheduling.models import Visit
    from webapp.visits.models import VisitReport


@dataclass(frozen=True)
class Message:
    """What to tell one person: a short title with no health details, the text, and a link."""

    kind: str
    title: str
    body: str
    link: str


def when(visit: Visit) -> str:
    """ "Mon 30 Nov, 09:00 EST": when a visit starts, at the patient's home."""
    # The visit happens at the patient's home, so its time reads in the patient's zone.
    local = to_local(visit.starts_at, visit.request.timezone)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} {local:%Z}"


def visit_cancelled_by_aide(aide: User, visit: Visit) -> Message:
    """An aide gave a booked visit back; it is open for other aides again."""
    return Message(
        kind="visit_cancelled",
        title="A visit was cancelled",
        body=f"{aide.display_name} cancelled the visit on {when(visit)}; "
        "the slot is open again for other aides.",
        link=f"/requests/{visit.request_id}",
    )


def visits_booked(aide: User, visits: list[Visit]) -> Message:
    """An aide booked one visit, or a whole series (one message for the series)."""
    first = min(visits, key=lambda visit: visit.starts_at)
    if len(visits) == 1:
        body = f"{aide.display_name} booked the visit on {when(first)}."
        title = "A visit was booked"
    else:
        body = (
            f"{aide.display_name} booked {len(visits)} visits of the series, "
            f"the first on {when(first)}."
        )
        title = "A series of visits was booked"
    return Message(
        kind="visit_booked", title=title, body=body, link=f"/requests/{first.request_id}"
    )


def _local(moment: datetime, zone: str) -> str:
    local = to_local(moment, zone)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} {local:%Z}"


def _times(visits: list[Visit], shown: int = 5) -> str:
    """The visits' times, earliest first; a long list ends with how many more there are."""
    ordered = sorted(visits, key=lambda visit: visit.starts_at)
    text = "; ".join(when(visit) for visit in ordered[:shown])
    rest = len(ordered) - shown
    return text + (f"; and {rest} more" if rest > 0 else "")


def _pain(before: int | None, after: int | None) -> str:
    """'pain 4 before and 8 after (on a scale of 0 to 10)', leaving out a level not recorded."""
    levels = ((before, "before"), (after, "after"))
    recorded = [f"{level} {moment}" for level, moment in levels if level is not None]
    return f"pain {' and '.join(recorded)} (on a scale of 0 to 10)"


def _doses(outcomes: list[str]) -> str:
    """'a dose as refused', '2 doses as refused and a dose as missed'."""
    parts = []
    for outcome in ("refused", "missed"):
        count = outcomes.count(outcome)
        if count:
            parts.append(f"{'a dose' if count == 1 else f'{count} doses'} as {outcome}")
    return " and ".join(parts)


def visits_cancelled_for_aide(actor: User, visits: list[Visit]) -> Message:
    """The patient, or a coordinator for them, called off visits this aide had booked: one
    message naming each visit, and saying which were late cancellations."""
    patient = visits[0].patient
    who = (
        actor.display_name
        if actor.id == patient.id
        else f"{actor.display_name}, for {patient.display_name},"
    )
    late = [visit for visit in visits if visit.cancelled_late]
    if len(visits) == 1:
        title = "A visit was cancelled"
        body = f"{who} cancelled your visit on {when(visits[0])}."
        if late:
            body += " It was less than 24 hours away, so it counts as a late cancellation."
    else:
        title = "Visits were cancelled"
        body = f"{who} cancelled {len(visits)} of your visits: {_times(visits)}."
        if late:
            body += f" Less than 24 hours away, so late cancellations: {_times(late)}."
    return Message(kind="visit_cancelled", title=title, body=body, link="/my-visits")


def visits_cancelled_by_patient_side(actor: User, visits: list[Visit]) -> Message:
    """The patient or a coordinator called off one visit or several (withdrawing a request,
    or a visit and the rest of its series): one message for the rest of the patient's side."""
    patient = visits[0].patient
    whose = "their" if actor.id == patient.id else f"{patient.display_name}'s"
    first = min(visits, key=lambda visit: visit.starts_at)
    if len(visits) == 1:
        title = "A visit was cancelled"
        body = f"{actor.display_name} cancelled {whose} visit on {when(first)}."
    else:
        title = "Visits were cancelled"
        body = (
            f"{actor.display_name} cancelled {len(visits)} of {whose} visits, "
            f"from {when(first)} on."
        )
    aides = {visit.aide_id for visit in visits if visit.aide_id is not None}
    if aides:
        body += " The aide who had booked is told." if len(aides) == 1 else " Their aides are told."
    return Message(
        kind="visit_cancelled", title=title, body=body, link=f"/requests/{first.request_id}"
    )


def pain_flag_at_visit(aide: User, visit: Visit, report: VisitReport) -> Message:
    """The safety rule stopped the exercises at a visit (pain 7 or more, or a rise of 3)."""
    return Message(
        kind="pain_flag",
        title="Pain flag at a visit",
        body=f"At {visit.patient.display_name}'s visit on {when(visit)}, {aide.display_name} "
        f"recorded {_pain(report.pain_before, report.pain_after)}. The exercises stopped: "
        "ask the physical therapist before doing them again.",
        link=f"/visits/{visit.id}/summary",
    )


def doses_not_given_at_visit(aide: User, visit: Visit, outcomes: list[str]) -> Message:
    """Doses due at a visit were recorded as refused or missed (the summary names them)."""
    return Message(
        kind="dose_missed",
        title="A dose was not given",
        body=f"At {visit.patient.display_name}'s visit on {when(visit)}, {aide.display_name} "
        f"recorded {_doses(outcomes)}. The visit summary says which.",
        link=f"/visits/{visit.id}/summary",
    )


def _home_session(actor: User, patient: User, session: HomeSession) -> str:
    whose = "their" if actor.id == patient.id else f"{patient.display_name}'s"
    return (
        f"{actor.display_name} logged {whose} home session of "
        f"{_local(session.done_at, patient.timezone)}"
    )


def pain_flag_at_home(actor: User, patient: User, session: HomeSession) -> Message:
    """The safety rule stopped the exercises in a session logged at home."""
    return Message(
        kind="pain_flag",
        title="Pain flag at home",
        body=f"{_home_session(actor, patient, session)} with "
        f"{_pain(session.pain_before, session.pain_after)}. The exercises stopped: "
        "ask the physical therapist before doing them again.",
        link=f"/patients/{patient.id}/home-log/{session.id}",
    )


def doses_not_given_at_home(
    actor: User, patient: User, session: HomeSession, outcomes: list[str]
) -> Message:
    """A home session records doses refused or missed (the session page names them)."""
    return Message(
        kind="dose_missed",
        title="A dose was not given",
        body=f"{_home_session(actor, patient, session)}, recording {_doses(outcomes)}. "
        "The session page says which.",
        link=f"/patients/{patient.id}/home-log/{session.id}",
    )


def circle_invitation(patient: User, invitation: CircleInvitation, link: str) -> Message:
    """The email that carries an invitation link to someone who may not have an account."""
    return Message(
        kind="circle_changed",
        title=f"{patient.display_name} invites you to their care circle",
        body=f"{patient.display_name} invites you to join their care circle on HomeStretch as a "
        f"{invitation.role_label.lower()}. Open the link below, then sign up or log in with a "
        "family account to accept. The link works once, for 7 days.",
        link=link,
    )


def circle_invitation_why(patient: User) -> str:
    """Why an invitation email came, for someone who never chose any HomeStretch email."""
    return (
        f"You get this email because {patient.display_name} entered this address to invite you. "
        "If you do not know them, ignore it: nothing happens unless the link is opened."
    )


def _circle_link(patient: User, for_patient: bool) -> str:
    # Only the patient opens the circle page; members find each circle on their dashboard.
    return f"/patients/{patient.id}/circle" if for_patient else "/dashboard"


def circle_member_joined(member: CircleMember, *, for_patient: bool) -> Message:
    """Someone accepted an invitation; told to the patient and the other coordinators."""
    patient = member.patient
    whose = "your" if for_patient else f"{patient.display_name}'s"
    return Message(
        kind="circle_changed",
        title="Someone joined the care circle",
        body=f"{member.member.display_name} joined {whose} care circle as a "
        f"{member.role_label.lower()}.",
        link=_circle_link(patient, for_patient),
    )


def circle_member_left(person: User, patient: User, *, for_patient: bool) -> Message:
    """A member left a circle on their own."""
    whose = "your" if for_patient else f"{patient.display_name}'s"
    return Message(
        kind="circle_changed",
        title="Someone left the care circle",
        body=f"{person.display_name} left {whose} care circle.",
        link=_circle_link(patient, for_patient),
    )


def circle_member_removed(person: User, patient: User) -> Message:
    """The patient removed a member; told to the circle's coordinators."""
    return Message(
        kind="circle_changed",
        title="Someone left the care circle",
        body=f"{patient.display_name} removed {person.display_name} from their care circle.",
        link="/dashboard",
    )


def removed_from_circle(patient: User) -> Message:
    """Told to the person the patient removed: they no longer see the patient's care."""
    return Message(
        kind="circle_changed",
        title="You are no longer in a care circle",
        body=f"{patient.display_name} removed you from their care circle. You no longer see "
        "their calendar, visits or care plan.",
        link="/dashboard",
    )


# Clock-driven notices -----------------------------------------------------------------------


def visit_reminder(visit: Visit, *, for_aide: bool) -> Message:
    """The day before: the aide is reminded where to be, the patient who is coming."""
    aide = visit.aide.display_name if visit.aide else "Your aide"
    if for_aide:
        body = (
            f"Reminder: you have a visit with {visit.patient.display_name} on {when(visit)}. "
            "The visit page lists the exercises and doses for that visit."
        )
        link = f"/visits/{visit.id}"
    else:
        body = f"Reminder: {aide} comes for the visit on {when(visit)}."
        link = f"/requests/{visit.request_id}"
    return Message(kind="visit_reminder", title="A visit tomorrow", body=body, link=link)


def visit_uncovered(visit: Visit) -> Message:
    """Two days ahead and still no aide (and no relative said they would be there)."""
    return Message(
        kind="visit_uncovered",
        title="A visit has no aide yet",
        body=f"Nobody has booked {visit.patient.display_name}'s visit on {when(visit)} yet, "
        "and no one in the care circle has said they will be there.",
        link=f"/patients/{visit.patient_id}/coverage",
    )


def aide_not_arrived(visit: Visit) -> Message:
    """Thirty minutes after the start and the aide has not checked in."""
    aide = visit.aide.display_name if visit.aide else "The aide"
    return Message(
        kind="visit_no_show",
        title="The aide has not checked in",
        body=f"{aide} has not checked in for {visit.patient.display_name}'s visit on "
        f"{when(visit)}, 30 minutes after it was due to start.",
        link=f"/requests/{visit.request_id}",
    )


def visit_missed(visit: Visit, *, for_aide: bool) -> Message:
    """The visit's time ended with no check-in: it is recorded as a no-show."""
    if for_aide:
        body = (
            f"You did not check in for the visit with {visit.patient.display_name} on "
            f"{when(visit)}. It is recorded as a missed visit on your profile."
        )
        link = "/my-visits"
    else:
        aide = visit.aide.display_name if visit.aide else "The aide"
        body = (
            f"{aide} did not come to {visit.patient.display_name}'s visit on {when(visit)}. "
            "It is recorded as a missed visit on their profile."
        )
        link = f"/requests/{visit.request_id}"
    return Message(kind="visit_no_show", title="A visit was missed", body=body, link=link)


def home_dose_late(patient: User, part_label: str, ends: str, names: list[str]) -> Message:
    """An hour after a part of the day, none of its doses was logged at home or at a visit."""
    return Message(
        kind="home_dose_late",
        title="A dose has not been logged",
        body=f"Nothing was logged for {patient.display_name}'s {part_label.lower()} doses "
        f"({', '.join(names)}), due by {ends}.",
        link=f"/patients/{patient.id}/home-log",
    )
