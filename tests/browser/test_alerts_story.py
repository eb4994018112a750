"""Alerts reach people: Daniel, who coordinates Rosa's care from another city, hears by email
(a real SMTP server) when Sam cancels Friday, when pain is flagged at a visit and when Monday's
visit is a no-show; Rosa and Sam get the day-before reminder; the header counts what Daniel has
not read; and Rosa, who forgot her password, resets it from the emailed link, which logs out
the phone she was still logged in on."""

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import time_machine
from playwright.sync_api import expect

from tests.browser.test_marketplace_story import log_in
from tests.conftest import PASSWORD
from tests.mail import links_in, text_of
from tests.visits.conftest import move_visit

ZONE = ZoneInfo("America/New_York")
NEW_PASSWORD = "slow stretches every morning"


def _next(weekday: int, at_least: int = 3):
    """The date (at Rosa's home) of the next such weekday at least `at_least` days on."""
    day = datetime.now(ZONE).date() + timedelta(days=at_least)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def _run_worker(app, at):
    """`flask worker` once, with the clock at `at`: the scheduled pass, then delivery."""
    with time_machine.travel(at, tick=False):
        result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code == 0, result.output
    return result.output


def _path(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_alerts_reach_the_family_by_email_and_a_forgotten_password_is_reset(
    browser, browser_context_args, live_server, axe_check, app, patient, make_user, make_aide,
    login, post_request, store, smtp, deliver,
):  # fmt: skip
    from webapp.circle.models import CircleMember
    from webapp.extensions import db
    from webapp.notifications.models import Notification
    from webapp.scheduling.models import Visit

    daniel = make_user("family", email="daniel@example.com", name="Daniel")
    with app.app_context():
        db.session.add(CircleMember(patient_id=patient.id, member_id=daniel.id, role="coordinator"))
        db.session.commit()
    sam = make_aide("Sam Aide")
    sam_client = login(app.test_client(), sam)
    visits = {}
    tomorrow = datetime.now(ZONE).date() + timedelta(days=1)
    for name, day in (("friday", _next(4)), ("monday", _next(0)), ("today", tomorrow)):
        request = post_request(patient, first_date=day, start="09:00", end="10:00")
        visit = store.one(Visit, request_id=request.id)
        assert sam_client.post(f"/visits/{visit.id}/book", data={}).status_code == 302
        visits[name] = visit
    move_visit(app, visits["today"].id, minutes_from_now=5)  # Sam's visit this morning
    deliver()  # the booking emails, so what follows is only the new ones

    def new_subjects(to: str, seen: dict = {}) -> list[str]:  # noqa: B006 - a running cursor
        subjects = smtp.subjects(to=to)
        fresh, seen[to] = subjects[seen.get(to, 0) :], len(subjects)
        return fresh

    new_subjects(daniel.email), new_subjects(patient.email), new_subjects(sam.email)

    # Sam calls off Friday from his phone; Daniel hears of it, and the link works for him.
    aide = browser.new_context(**browser_context_args).new_page()
    aide.on("dialog", lambda dialog: dialog.accept())
    log_in(aide, live_server, sam.email)
    aide.goto(f"{live_server}/visits/{visits['friday'].id}")
    aide.get_by_role("button", name="Cancel this visit").click()
    expect(aide.get_by_text(re.compile("cancel", re.I)).first).to_be_visible()
    assert store.one(Visit, id=visits["friday"].id).status == "open"
    deliver()
    assert new_subjects(daniel.email) == ["HomeStretch: A visit was cancelled"]
    assert new_subjects(patient.email) == ["HomeStretch: A visit was cancelled"]
    (cancelled,) = [m for m in smtp.messages(to=daniel.email) if "cancelled" in m["Subject"]]
    assert "Sam Aide cancelled the visit on Fri" in text_of(cancelled)

    # At this morning's visit Rosa's pain is 8 before the exercises: the flag reaches Daniel.
    aide.goto(f"{live_server}/visits/{visits['today'].id}")
    aide.get_by_role("button", name="Check in").click()
    log = aide.locator("#log")
    log.locator("fieldset.pain-scale").first.get_by_text("8", exact=True).click()
    log.locator("fieldset.task-log", has_text="Thomas stretch").get_by_label(
        "Done", exact=True
    ).check()
    log.get_by_role("button", name="Save", exact=True).click()
    expect(aide.get_by_text(re.compile("stop", re.I)).first).to_be_visible()
    deliver()
    assert new_subjects(daniel.email) == ["HomeStretch: Pain flag at a visit"]
    assert new_subjects(patient.email) == ["HomeStretch: Pain flag at a visit"]

    # The day before Monday, the worker reminds Rosa and Sam (not Daniel).
    monday = visits["monday"]
    output = _run_worker(app, monday.starts_at - timedelta(hours=23))
    assert "Scheduled pass: 2 reminders" in output
    assert new_subjects(patient.email) == ["HomeStretch: A visit tomorrow"]
    assert new_subjects(sam.email) == ["HomeStretch: A visit tomorrow"]
    assert new_subjects(daniel.email) == []

    # Monday: no check-in 30 minutes in, then the visit's hour ends with nobody there.
    _run_worker(app, monday.starts_at + timedelta(minutes=31))
    assert new_subjects(daniel.email) == ["HomeStretch: The aide has not checked in"]
    _run_worker(app, monday.ends_at + timedelta(minutes=1))
    assert new_subjects(daniel.email) == ["HomeStretch: A visit was missed"]
    assert store.one(Visit, id=monday.id).status == "no_show"
    (missed,) = [m for m in smtp.messages(to=daniel.email) if "missed" in m["Subject"]]
    missed_link = _path(links_in(missed)[0])

    # Daniel opens HomeStretch: the header counts his unread alerts; the email's link works.
    unread = sum(1 for n in store.all(Notification, recipient_id=daniel.id) if n.read_at is None)
    assert unread >= 5
    family = browser.new_context(**browser_context_args).new_page()
    log_in(family, live_server, daniel.email)
    alerts = family.get_by_role("link", name=re.compile(r"^Alerts \("))
    expect(alerts).to_have_text(re.compile(rf"Alerts \({unread}\s*unread\)"))
    family.goto(live_server + missed_link)
    expect(family.get_by_role("heading").first).to_be_visible()
    alerts.click()
    expect(family.get_by_text("A visit was missed").first).to_be_visible()
    axe_check(family, "alerts list")
    family.get_by_role("button", name=re.compile("Mark all", re.I)).click()
    expect(family.get_by_role("link", name=re.compile(r"^Alerts \("))).to_have_text(
        re.compile(r"Alerts \(0\s*unread\)")
    )

    # Rosa forgot her password. Her old phone is still logged in.
    old_phone = browser.new_context(**browser_context_args).new_page()
    log_in(old_phone, live_server, patient.email)
    rosa = browser.new_context(**browser_context_args).new_page()
    rosa.goto(f"{live_server}/auth/login")
    rosa.get_by_role("link", name="Forgot your password?").click()
    rosa.get_by_label("Your email address").fill(patient.email)
    rosa.get_by_role("button", name="Email me a link").click()
    expect(rosa.get_by_text(re.compile("If an account uses that address"))).to_be_visible()
    axe_check(rosa, "forgot password, sent")
    deliver()
    (reset_mail,) = [m for m in smtp.messages(to=patient.email) if "password" in m["Subject"]]
    reset_link = next(link for link in links_in(reset_mail) if "/auth/password/reset/" in link)
    rosa.goto(live_server + _path(reset_link))
    rosa.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    rosa.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    axe_check(rosa, "choose a new password")
    rosa.get_by_role("button", name="Save the new password").click()
    expect(rosa.get_by_role("heading", name=re.compile("^Hello"))).to_be_visible()

    old_phone.goto(f"{live_server}/dashboard")
    expect(old_phone.get_by_role("heading", name="Log in")).to_be_visible()
    old_phone.get_by_label("Email").fill(patient.email)
    old_phone.get_by_label("Password").fill(PASSWORD)
    old_phone.get_by_role("button", name="Log in").click()
    expect(old_phone.get_by_role("heading", name="Log in")).to_be_visible()  # old one refused
    rosa.goto(live_server + _path(reset_link))  # the link was single-use
    expect(rosa.get_by_text(re.compile("expired or was already used"))).to_be_visible()
