"""On a 390 x 844 phone: the trend charts show every label whole with one date format, the
printed routine carries every card whole, primary controls are a finger wide, and the menu is
one button on a phone and at 200% zoom (and still opens without script)."""

import re
from datetime import timedelta
from itertools import combinations
from math import ceil

from playwright.sync_api import expect

from tests.browser.test_marketplace_story import log_in
from webapp.care.catalogue import SLUGS

PHONE = {"width": 390, "height": 844}
#: A 1280 x 800 laptop at 200% zoom lays the page out 640 CSS pixels wide.
ZOOMED = {"width": 640, "height": 400}
DESKTOP = {"width": 1280, "height": 800}
ONE_DATE = re.compile(r"^\d{1,2} [A-Z][a-z]{2}$")  # "5 Oct"

LABEL_BOXES = """svg => {
  const box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent.trim(), left: r.left - box.left, right: box.right - r.right,
            top: r.top - box.top, bottom: box.bottom - r.bottom,
            x0: r.left, x1: r.right, y0: r.top, y1: r.bottom, fill: getComputedStyle(t).fill};
  });
}"""

CONTRAST = """([fg, bg]) => {
  const rgb = s => s.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""

WIDER_THAN_PAGE = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 0.5
               && getComputedStyle(el).position !== 'absolute')
    .map(el => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`);
}"""


def overlap(a: dict, b: dict) -> bool:
    """Whether two label boxes cover each other."""
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


def phone(browser, browser_context_args, **extra):
    return browser.new_context(**{**browser_context_args, "viewport": PHONE, **extra}).new_page()


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def seed_eight_weeks(app, patient, slugs=("thomas-stretch", "cold-pack")):
    """The routine for nine weeks and a home session every day, pain easing from 10 to 0."""
    from webapp.care import services as care
    from webapp.database import utcnow
    from webapp.extensions import db
    from webapp.homelog.models import HomeSession, HomeTaskLog

    with app.app_context():
        owner = db.session.get(type(patient), patient.id)
        now = utcnow()
        items = [care.add_exercise(owner, slug) for slug in slugs]
        for item in items:
            item.created_at = now - timedelta(weeks=9)
        for days_ago in range(55, -1, -1):
            session = HomeSession(
                patient_id=patient.id,
                recorded_by_id=patient.id,
                done_at=now - timedelta(days=days_ago, hours=1),
                part_of_day="morning",
                pain_before=min(10, 1 + days_ago // 5),
                pain_after=max(0, days_ago // 6 - 1),
            )
            for item in items:
                session.tasks.append(
                    HomeTaskLog(
                        routine_item_id=item.id, exercise_slug=item.exercise_slug, status="done"
                    )
                )
            db.session.add(session)
        db.session.commit()


def test_charts_show_every_label_whole_in_one_date_format_with_enough_contrast(
    browser, browser_context_args, live_server, axe_check, app, patient
):
    seed_eight_weeks(app, patient)
    page = phone(browser, browser_context_args)
    log_in(page, live_server, patient.email)
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(2)
    dates = []
    for index in range(2):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        background = chart.evaluate("svg => getComputedStyle(svg).backgroundColor")
        labels = chart.evaluate(LABEL_BOXES)
        assert labels, "the chart has labels"
        for label in labels:
            clipped = {side: label[side] for side in ("left", "right", "top", "bottom")}
            assert min(clipped.values()) >= 0, f"{label['text']!r} sticks out: {clipped}"
            ratio = page.evaluate(CONTRAST, [label["fill"], background])
            assert ratio >= 4.5, f"{label['text']!r}: contrast {ratio:.2f}"
        for a, b in combinations(labels, 2):
            assert not overlap(a, b), (a["text"], b["text"])
        dates += [label["text"] for label in labels if not re.fullmatch(r"\d+%?", label["text"])]
    assert len(dates) >= 5 and all(ONE_DATE.match(text) for text in dates), dates
    assert "100%" in [label["text"] for label in labels]  # the adherence chart's top, whole
    # The tables behind the charts name the same days the same way.
    for summary in page.get_by_text("Show as a table").all():
        summary.click()
    pain_day, week_of = (table.locator("tbody td").first for table in page.locator("table").all())
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}", pain_day.text_content())
    assert ONE_DATE.fullmatch(week_of.text_content())
    sections = " ".join(page.locator("section:has(svg.chart)").all_text_contents())
    assert not re.search(r"\d/\d", sections), "no day/month dates anywhere near the charts"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    axe_check(page, "dashboard with the charts")


def test_the_printed_routine_at_phone_width_carries_every_card_whole(
    browser, browser_context_args, live_server, axe_check, app, patient
):
    from webapp.care import services as care
    from webapp.care.catalogue import BY_SLUG
    from webapp.extensions import db

    with app.app_context():
        owner = db.session.get(type(patient), patient.id)
        for slug in SLUGS:
            care.add_exercise(owner, slug)
        db.session.commit()
    page = phone(browser, browser_context_args)
    log_in(page, live_server, patient.email)
    page.goto(f"{live_server}/patients/{patient.id}/routine/print")
    axe_check(page, "printable routine on screen")
    assert page.evaluate(WIDER_THAN_PAGE) == []

    page.emulate_media(media="print")
    cards = page.locator(".sheet__cards article.exercise")
    expect(cards).to_have_count(len(SLUGS))
    for index, slug in enumerate(SLUGS):
        card, exercise = cards.nth(index), BY_SLUG[slug]
        expect(card.get_by_role("heading", name=exercise.name)).to_be_visible()
        drawing = card.locator("img.exercise__img")
        expect(drawing).to_be_visible()
        assert drawing.evaluate("img => img.complete && img.naturalWidth > 0"), slug
        assert box(drawing)["width"] >= 100, slug
        expect(card.locator(".dose")).to_contain_text("Your dose:")
        expect(card.locator(".steps li")).to_have_count(len(exercise.steps))
        expect(card.locator(".cautions li")).to_have_count(len(exercise.cautions))
        for step in exercise.steps + exercise.cautions:
            expect(card.get_by_text(step, exact=True)).to_be_visible()
        styles = card.evaluate(
            "c => [getComputedStyle(c).breakInside, getComputedStyle(c).breakAfter]"
        )
        assert styles[0] == "avoid", slug  # never split across pages
        assert styles[1] == ("page" if index % 2 == 1 and index < len(SLUGS) - 1 else "auto")
    expect(page.get_by_text("Never put the pack directly on the skin")).to_be_visible()
    expect(page.locator(".no-print")).to_be_hidden()  # no links or buttons on paper
    assert page.evaluate(WIDER_THAN_PAGE) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # On A4 paper the cards take a page or two of their own: two cards to a page.
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 + ceil(len(SLUGS) / 2) <= pages <= 2 + ceil(len(SLUGS) / 2), pages
    # And the sheet on the smallest phone screen still fits.
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate(WIDER_THAN_PAGE) == []


def too_small(page, selector: str) -> list[str]:
    """Visible controls matching the selector that are under 44 x 44 px."""
    return page.locator(selector).evaluate_all(
        """els => els.filter(el => el.checkVisibility())
            .map(el => [el.textContent.trim().slice(0, 30), el.getBoundingClientRect()])
            .filter(([, r]) => r.width < 44 || r.height < 44)
            .map(([text, r]) => `${text} ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )


PRIMARY = ".check__label, .button, .site-alerts, .site-menu__button, .page p > a:only-child"


def test_primary_controls_are_at_least_44_px_both_ways(
    browser,
    browser_context_args,
    live_server,
    axe_check,
    app,
    patient,
    verified_aide,
    verified_aide_client,
    post_request,
    store,
):
    from webapp.scheduling.models import Visit

    request = post_request(patient, tasks=("thomas-stretch", "cold-pack"))
    visit = store.all(Visit, request_id=request.id)[0]
    assert verified_aide_client.post(f"/visits/{visit.id}/book", data={}).status_code == 302

    rosa = phone(browser, browser_context_args)
    log_in(rosa, live_server, patient.email)
    for name in ("See the request", "Who has seen my health data"):
        link = rosa.get_by_role("link", name=re.compile(f"^{name}")).first
        found = box(link)
        assert found["width"] >= 44 and found["height"] >= 44, (name, found)
    assert too_small(rosa, PRIMARY) == []
    axe_check(rosa, "dashboard")
    for path in ("/requests/new", f"/patients/{patient.id}/home-log/new", "/audit", "/aides"):
        rosa.goto(live_server + path)
        labels = rosa.locator(".check__label").evaluate_all("ls => ls.length")
        assert path in ("/audit", "/aides") or labels >= 3, path  # the checkboxes and radios
        assert too_small(rosa, PRIMARY) == [], path
        axe_check(rosa, path)
    # A weekday is a finger wide, and tapping its name ticks it.
    rosa.goto(live_server + "/requests/new")
    monday = rosa.locator("label.check__label", has_text=re.compile("^Mon")).first
    if not monday.is_visible():
        rosa.get_by_label(re.compile("^(Weekly|Every week)")).first.check()
    assert box(monday)["width"] >= 44 and box(monday)["height"] >= 44
    monday.click()
    expect(rosa.locator(f"#{monday.get_attribute('for')}")).to_be_checked()

    vera = phone(browser, browser_context_args)
    log_in(vera, live_server, verified_aide.email)
    vera.goto(f"{live_server}/visits/{visit.id}")
    back = vera.get_by_role("link", name=re.compile("My visits$")).last
    assert box(back)["height"] >= 44 and box(back)["width"] >= 44
    assert too_small(vera, PRIMARY) == []
    axe_check(vera, "visit page")


def test_the_menu_is_one_button_on_a_phone_and_at_200_percent_zoom(
    browser, browser_context_args, live_server, axe_check, patient
):
    for viewport in (PHONE, ZOOMED):
        page = browser.new_context(**{**browser_context_args, "viewport": viewport}).new_page()
        log_in(page, live_server, patient.email)
        menu = page.locator("summary.site-menu__button")
        calendar = page.locator(".site-nav a", has_text="Calendar")
        expect(menu).to_be_visible()
        expect(menu).to_have_text("Menu")
        expect(page.locator(".site-nav a")).to_have_count(8)
        for link in page.locator(".site-nav a").all():
            expect(link).to_be_hidden()
        expect(page.get_by_role("link", name=re.compile(r"^Alerts \("))).to_be_visible()
        header = box(page.locator(".site-header"))
        assert header["height"] <= 80, header  # one row: the name, alerts and the button
        axe_check(page, f"menu closed at {viewport['width']} px")

        menu.click()
        expect(calendar).to_be_visible()
        assert too_small(page, ".site-nav a, .site-nav button") == []
        axe_check(page, f"menu open at {viewport['width']} px")
        calendar.click()
        expect(page).to_have_url(re.compile("/calendar$"))
        expect(calendar).to_be_hidden()  # a new page starts with the menu folded

        page.keyboard.press("Tab")  # the skip link
        page.keyboard.press("Tab")  # the name
        page.keyboard.press("Tab")  # alerts
        page.keyboard.press("Tab")
        expect(menu).to_be_focused()
        page.keyboard.press("Enter")
        expect(calendar).to_be_visible()

    # Without JavaScript it opens all the same.
    context = browser.new_context(
        **{**browser_context_args, "viewport": PHONE, "java_script_enabled": False}
    )
    page = context.new_page()
    log_in(page, live_server, patient.email)
    page.locator("summary.site-menu__button").click()
    expect(page.locator(".site-nav a", has_text="My routine")).to_be_visible()

    # A wide screen shows the whole menu and no button.
    page = browser.new_context(viewport=DESKTOP).new_page()
    log_in(page, live_server, patient.email)
    expect(page.locator("summary.site-menu__button")).to_be_hidden()
    for link in page.locator(".site-nav a").all():
        expect(link).to_be_visible()
    axe_check(page, "menu on a wide screen")
