"""The README's tour: screenshots of the main pages on a phone, taken from a real browser.

`HOMESTRETCH_TOUR=1 .venv/bin/pytest tests/browser/test_tour.py` writes them to docs/tour/;
otherwise they go to a temporary folder, so the pages are still visited and checked."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_family_story import next_monday, set_up_rosa
from tests.browser.test_marketplace_story import log_in
from tests.visits.conftest import move_visit

ROOT = Path(__file__).resolve().parents[2]
SHOTS = [
    ("patient-dashboard", "Rosa's dashboard: who is coming, pain and adherence"),
    ("routine", "The routine her physical therapist set, card by card"),
    ("board", "The request board an aide books from"),
    ("visit", "The visit page at the bedside, with the log"),
    ("coverage", "The family's coverage calendar: every care window and its gaps"),
    ("family-dashboard", "Daniel's view from another city"),
]

pytestmark = pytest.mark.usefixtures("daytime")


def _completed_visit(app, patient, aide_client, post_request, store, pain=(5, 3)):
    from webapp.scheduling.models import Visit

    request = post_request(patient, tasks=("thomas-stretch",), days_ahead=1)
    visit = store.one(Visit, request_id=request.id)
    aide_client.post(f"/visits/{visit.id}/book", data={})
    move_visit(app, visit.id, minutes_from_now=5)
    aide_client.post(f"/visits/{visit.id}/check-in", data={})
    move_visit(app, visit.id, minutes_from_now=-60)
    item = next(i for i in store.all_items(patient) if i.exercise_slug == "thomas-stretch")
    aide_client.post(
        f"/visits/{visit.id}/log",
        data={
            "pain_before": str(pain[0]),
            "pain_after": str(pain[1]),
            f"task_{item.id}_status": "done",
            "notes": "Good stretch; Rosa walked to the kitchen with the frame.",
            "save_and_check_out": "Save and check out",
        },
    )
    return visit


def test_tour_screenshots(
    browser, browser_context_args, live_server, axe_check, app, patient, make_aide, make_user,
    login, post_request, store, tmp_path,
):  # fmt: skip
    from webapp.care.models import RoutineItem
    from webapp.circle.models import CircleMember
    from webapp.extensions import db
    from webapp.scheduling.models import Visit

    store.all_items = lambda person: store.all(RoutineItem, patient_id=person.id)
    folder = ROOT / "docs" / "tour" if os.environ.get("HOMESTRETCH_TOUR") == "1" else tmp_path
    set_up_rosa(app, patient, make_aide, post_request)
    sam = make_aide("Sam Aide")
    sam_client = login(app.test_client(), sam)
    _completed_visit(app, patient, sam_client, post_request, store)
    daniel = make_user("family", email="daniel@example.com", name="Daniel")
    with app.app_context():
        db.session.add(CircleMember(patient_id=patient.id, member_id=daniel.id, role="coordinator"))
        db.session.commit()
    post_request(patient, weekdays=[0, 2, 4], count=6, tasks=("runners-lunge",), days_ahead=3)
    today_visit = store.one(
        Visit,
        request_id=post_request(patient, tasks=("thomas-stretch",), medications=True).id,
    )
    sam_client.post(f"/visits/{today_visit.id}/book", data={})
    move_visit(app, today_visit.id, minutes_from_now=5)
    sam_client.post(f"/visits/{today_visit.id}/check-in", data={})

    def shoot(page, name: str, label: str) -> None:
        axe_check(page, label)
        page.screenshot(path=str(folder / f"{name}.png"), type="png")

    rosa = browser.new_context(**browser_context_args).new_page()
    log_in(rosa, live_server, patient.email)
    expect(rosa.get_by_role("img", name="Pain before and after each visit")).to_be_visible()
    shoot(rosa, "patient-dashboard", "patient dashboard")
    rosa.goto(f"{live_server}/patients/{patient.id}/routine")
    shoot(rosa, "routine", "routine")

    aide = browser.new_context(**browser_context_args).new_page()
    log_in(aide, live_server, sam.email)
    aide.goto(f"{live_server}/board")
    expect(aide.get_by_text(re.compile(r"\d+ open visits?"))).to_be_visible()
    shoot(aide, "board", "board")
    aide.goto(f"{live_server}/visits/{today_visit.id}#log")
    expect(aide.get_by_role("heading", name="Visit log")).to_be_visible()
    shoot(aide, "visit", "visit page with the log")

    family = browser.new_context(**browser_context_args).new_page()
    log_in(family, live_server, daniel.email)
    shoot(family, "family-dashboard", "family dashboard")
    family.goto(f"{live_server}/patients/{patient.id}/coverage?week={next_monday().isoformat()}")
    expect(family.get_by_role("heading", name=re.compile("^Gaps"))).to_be_visible()
    shoot(family, "coverage", "coverage page")

    for name, _ in SHOTS:
        shot = folder / f"{name}.png"
        assert shot.exists() and 5_000 < shot.stat().st_size < 400_000, shot


def test_the_readme_tour_shows_every_screenshot():
    readme = (ROOT / "README.md").read_text()
    for name, caption in SHOTS:
        assert f"](docs/tour/{name}.png)" in readme, name
        assert caption in readme, caption
        assert (ROOT / "docs" / "tour" / f"{name}.png").exists(), name
