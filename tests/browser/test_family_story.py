"""On phones: Rosa invites her daughter, who signs up, joins, covers a Tuesday evening herself,
asks an aide for the Thursday morning, subscribes to the calendar; an aide books that Thursday
and gives it back, and the coverage page follows every step."""

import re
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar
from playwright.sync_api import expect

from tests.browser.steps import BOTH_SCREENS, fits_the_screen, go_to
from tests.browser.test_marketplace_story import log_in
from tests.conftest import PASSWORD
from tests.mail import links_in, text_of

ZONE = "America/New_York"
EXERCISES = ("Thomas stretch", "Runner's lunge stretch", "Straight-leg raise")
#: Helper exercises (parts, days) and Naproxen every evening: 2 mornings + 3 afternoons +
#: 7 evenings = 12 care windows in any seven days.
ROUTINE = {
    "thomas-stretch": (["morning"], ["Tue", "Thu"]),
    "runners-lunge": (["evening"], ["Tue", "Fri"]),
    "straight-leg-raise": (["afternoon"], ["Mon", "Wed", "Sat"]),
}
TOTAL = 12

pytestmark = BOTH_SCREENS


def set_up_rosa(app, patient, make_aide, post_request):
    """Rosa's routine, and an aide (Olga) already booked for next Wednesday afternoon."""
    from webapp.care import services as care
    from webapp.database import utcnow
    from webapp.extensions import db
    from webapp.scheduling import services as scheduling
    from webapp.scheduling.models import Visit

    with app.app_context():
        owner = db.session.get(type(patient), patient.id)
        for slug, (parts, days) in ROUTINE.items():
            item = care.add_exercise(owner, slug)
            care.update_routine_item(
                item,
                sets=2,
                reps=10,
                hold_seconds=None,
                minutes=None,
                times_per_day=1,
                weekdays=days,
                times_of_day=parts,
                needs_helper=True,
                notes=None,
            )
        care.save_medication(
            owner, name="Naproxen", dose="250 mg", instructions=None, times_of_day=["evening"]
        )
        db.session.commit()
    olga = make_aide("Olga Other")
    wednesday = next_monday() + timedelta(days=2)
    request = post_request(
        patient, first_date=wednesday, start="15:00", end="16:00", tasks=("straight-leg-raise",)
    )
    with app.app_context():
        visit = db.session.scalar(db.select(Visit).filter_by(request_id=request.id))
        scheduling.book_visit(db.session.get(type(olga), olga.id), visit.id, utcnow())
        db.session.commit()
    return wednesday


def today() -> date:
    """Today at Rosa's home."""
    return datetime.now(ZoneInfo(ZONE)).date()


def next_monday() -> date:
    """Monday of next week at Rosa's home: every window that week is still to come."""
    return today() + timedelta(days=7 - today().weekday())


def when(day: date, start: str, end: str) -> str:
    """How the coverage page writes a window's time: "Tue 1 Dec, 18:00–20:00 EST"."""
    zone = datetime.combine(day, time.fromisoformat(end), ZoneInfo(ZONE)).strftime("%Z")
    return f"{day:%a} {day.day} {day:%b}, {start}–{end} {zone}"


def headlines(covered_days: list[date]) -> list[str]:
    """The two headlines of the default page (seven days from today, then the next seven)."""
    counts = [0, 0]
    for day in covered_days:
        counts[(day - today()).days // 7] += 1
    return [
        f"{counts[0]} of {TOTAL} windows covered this week",
        f"{counts[1]} of {TOTAL} windows covered next week",
    ]


def week_headline(covered: int) -> str:
    monday = next_monday()
    return f"{covered} of {TOTAL} windows covered in the week from Mon {monday.day} {monday:%b %Y}"


def test_family_story(
    browser, browser_context_args, live_server, axe_check, app, patient, make_aide, post_request,
    smtp, deliver,
):  # fmt: skip
    wednesday = set_up_rosa(app, patient, make_aide, post_request)
    tuesday, thursday = next_monday() + timedelta(days=1), next_monday() + timedelta(days=3)
    week_url = f"{live_server}/patients/{patient.id}/coverage?week={next_monday().isoformat()}"
    phone = {**browser_context_args, "timezone_id": ZONE}

    # 1. Rosa invites her daughter as a coordinator and reads the one-time link.
    rosa = browser.new_context(**phone).new_page()
    log_in(rosa, live_server, patient.email)
    rosa.get_by_role("link", name="Care circle").click()
    expect(rosa.get_by_role("heading", name="Your care circle")).to_be_visible()
    rosa.get_by_label("Their email address").fill("maya@example.com")
    rosa.get_by_label(re.compile("^Coordinator")).check()
    rosa.get_by_role("button", name="Create the invitation link").click()
    expect(rosa.get_by_role("heading", name="Send this link to maya@example.com")).to_be_visible()
    link = rosa.get_by_label("Invitation link").input_value()
    assert re.fullmatch(rf"{live_server}/circle/join/\S+", link), link
    axe_check(rosa, "care circle with a new link")

    # 2. Maya opens the link, signs up as family, comes back to the invitation and joins.
    maya = browser.new_context(**phone).new_page()
    maya.on("dialog", lambda dialog: dialog.accept())
    maya.goto(link)
    expect(maya.get_by_role("heading", name="Join Rosa Patient's care circle")).to_be_visible()
    expect(maya.get_by_text("coordinator", exact=True)).to_be_visible()
    axe_check(maya, "join page")
    maya.get_by_role("link", name="Sign up to join").click()
    expect(maya.get_by_label("I help a relative or friend with their care")).to_be_checked()
    maya.get_by_label("Your name").fill("Maya Daughter")
    maya.get_by_label("Email").fill("maya@example.com")
    maya.get_by_label("Password", exact=True).fill(PASSWORD)
    maya.get_by_label("Repeat the password").fill(PASSWORD)
    expect(maya.get_by_label("Time zone")).to_have_value(ZONE)
    maya.get_by_role("button", name="Create account").click()
    expect(maya.get_by_text("Welcome to HomeStretch, Maya Daughter.")).to_be_visible()
    expect(maya.get_by_role("heading", name="Join Rosa Patient's care circle")).to_be_visible()
    maya.get_by_role("button", name="Join as Maya Daughter").click()
    expect(
        maya.get_by_text("You joined Rosa Patient's care circle as a coordinator.")
    ).to_be_visible()
    card = maya.locator("li.card", has=maya.get_by_role("heading", name=re.compile("Rosa")))
    expect(card).to_contain_text("you are a coordinator")
    in_seven_days = 1 if (wednesday - today()).days < 7 else 0
    expect(card).to_contain_text(re.compile(rf"\b{in_seven_days} of {TOTAL} care windows covered"))

    # 3. Her coverage page: the headlines and the gaps.
    maya.get_by_role("link", name="Coverage for Rosa Patient").click()
    for text in headlines([wednesday]):
        expect(maya.get_by_text(text, exact=True)).to_be_visible()
    maya.goto(week_url)
    expect(maya.get_by_text(week_headline(1), exact=True)).to_be_visible()
    expect(maya.get_by_role("heading", name="Gaps (11)")).to_be_visible()
    gap = maya.locator(f"#window-{tuesday.isoformat()}-evening")
    expect(gap).to_contain_text("Gap nobody yet")
    expect(gap).to_contain_text("Runner's lunge stretch, medications")
    expect(maya.locator(f"#window-{thursday.isoformat()}-morning")).to_contain_text("Gap")
    covered = maya.locator("section[aria-labelledby=covered-title] li")
    expect(covered).to_have_count(1)
    expect(covered).to_contain_text("Aide Olga Other (booked)")
    assert fits_the_screen(maya)
    axe_check(maya, "coverage page, week view")

    # 4. She covers Tuesday evening herself: one more window covered, with her name.
    gap.get_by_role("button", name=re.compile("^I'll do it")).click()
    expect(
        maya.get_by_text(f"Thank you: you cover evening on Tuesday {tuesday.day}")
    ).to_be_visible()
    for text in headlines([wednesday, tuesday]):
        expect(maya.get_by_text(text, exact=True)).to_be_visible()
    maya.goto(week_url)
    expect(maya.get_by_text(week_headline(2), exact=True)).to_be_visible()
    mine = covered.filter(has_text=when(tuesday, "18:00", "20:00"))
    expect(mine).to_contain_text("Family Maya Daughter (you)")

    # 5. Thursday morning becomes a request for an aide, through the prefilled form.
    thursday_gap = maya.locator(f"#window-{thursday.isoformat()}-morning")
    thursday_gap.get_by_role("link", name=re.compile("^Ask an aide")).click()
    expect(maya).to_have_url(re.compile(rf"/patients/{patient.id}/requests/new\?"))
    expect(
        maya.get_by_role("heading", name="Ask for help with Rosa Patient's routine")
    ).to_be_visible()
    expect(maya.get_by_label("Thomas stretch")).to_be_checked()
    expect(maya.get_by_label("Runner's lunge stretch")).not_to_be_checked()
    expect(maya.get_by_label("Date (first visit)")).to_have_value(thursday.isoformat())
    expect(maya.get_by_label("From")).to_have_value("08:00")
    expect(maya.get_by_label("Until", exact=True)).to_have_value("10:00")
    expect(maya.get_by_label("Just once")).to_be_checked()
    axe_check(maya, "request form prefilled from a gap")
    maya.get_by_label("Hourly rate offered").fill("30")
    maya.get_by_label("Street address").fill("27 Maple Avenue")
    maya.get_by_label("Town or city").fill("Springfield")
    maya.get_by_label("Postal code").fill("12345")
    maya.get_by_role("button", name="Post the request").click()
    expect(maya.get_by_text("Your request is posted.")).to_be_visible()
    expect(maya.get_by_role("heading", name="Help with Thomas stretch")).to_be_visible()
    slot = maya.locator(".slot")
    expect(slot).to_have_count(1)
    expect(slot).to_contain_text(f"{thursday:%a} {thursday.day} {thursday:%b %Y}, 08:00–10:00")
    expect(slot).to_contain_text("Open")

    # 6. She subscribes to Rosa's calendar: her cover is in the feed, no health detail is.
    maya.goto(live_server + "/")
    maya.get_by_role("link", name="Subscribe to the calendar from your phone").click()
    expect(maya.get_by_role("heading", name="Subscribe from your phone")).to_be_visible()
    axe_check(maya, "subscribe page")
    maya.get_by_role("button", name="Make a link to Rosa Patient").click()
    expect(maya.get_by_role("heading", name="Your link to Rosa Patient")).to_be_visible()
    feed_url = maya.get_by_label("Calendar link").input_value()
    axe_check(maya, "subscribe page with a new link")
    response = maya.request.get(feed_url)
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    ics = response.body().decode()
    events = [event for event in Calendar.from_ical(ics).walk("VEVENT")]
    tuesday_evening = datetime.combine(tuesday, time(18), ZoneInfo(ZONE))
    covers = [e for e in events if str(e["summary"]).endswith("(family)")]
    assert [str(e["summary"]) for e in covers] == [
        "HomeStretch: Maya Daughter with Rosa Patient, 18:00 (family)"
    ]
    assert covers[0].decoded("dtstart") == tuesday_evening
    unfolded = ics.replace("\r\n ", "")
    for name in (*EXERCISES, "Naproxen", "250 mg"):
        assert name not in unfolded, name

    # 7. Vera, a verified aide, books the Thursday morning from the board.
    vera = make_aide("Vera Verified")
    aide = browser.new_context(**phone).new_page()
    aide.on("dialog", lambda dialog: dialog.accept())
    log_in(aide, live_server, vera.email)
    go_to(aide, "Board")
    expect(aide.get_by_text("1 open visit.")).to_be_visible()
    aide.get_by_role("button", name=re.compile(f"^Book {thursday:%a} {thursday.day}")).click()
    expect(aide.get_by_text("Booked. The visit is on your list")).to_be_visible()
    maya.goto(week_url)
    expect(maya.get_by_text(week_headline(3), exact=True)).to_be_visible()
    expect(maya.locator(f"#window-{thursday.isoformat()}-morning")).to_have_count(0)
    by_aide = covered.filter(has_text=f"Morning, {when(thursday, '08:00', '10:00')}")
    expect(by_aide).to_contain_text("Aide Vera Verified (booked)")

    # 8. Vera gives the visit back: Thursday morning is a gap again.
    aide.get_by_role("button", name="Cancel this visit").click()
    expect(aide.get_by_text("Visit cancelled; it is open again for other aides.")).to_be_visible()
    expect(aide.get_by_text("late cancellation")).to_have_count(0)
    maya.goto(week_url)
    expect(maya.get_by_text(week_headline(2), exact=True)).to_be_visible()
    expect(maya.locator(f"#window-{thursday.isoformat()}-morning")).to_contain_text(
        "Gap nobody yet"
    )
    expect(covered.filter(has_text="Vera Verified")).to_have_count(0)
    axe_check(maya, "coverage page after the aide cancelled")

    # 9. Maya, far away, reads the email about the reopened slot and follows its link.
    deliver()
    (mail,) = [m for m in smtp.messages(to="maya@example.com") if "cancelled" in m["Subject"]]
    assert mail["Subject"] == "HomeStretch: A visit was cancelled"
    text = text_of(mail)
    assert "Vera Verified cancelled the visit on" in text and "open again" in text
    maya.goto(live_server + urlsplit(links_in(mail)[0]).path)
    expect(maya.get_by_role("heading", name="Help with Thomas stretch")).to_be_visible()
    expect(maya.locator(".slot")).to_contain_text("Open")
    axe_check(maya, "request page from the email")
