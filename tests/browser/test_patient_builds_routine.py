"""On a phone, a new patient signs up and builds the hip routine their therapist gave them."""

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.steps import BOTH_SCREENS, fits_the_screen
from tests.conftest import PASSWORD
from tests.mail import links_in

pytestmark = BOTH_SCREENS


def test_patient_signs_up_and_builds_the_hip_routine_on_a_phone(
    page, live_server, axe_check, smtp, deliver
):
    page.goto(live_server + "/")
    axe_check(page, "landing page")
    page.get_by_role("link", name="Create an account").click()

    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    axe_check(page, "sign-up page")
    page.get_by_label("I am recovering and want help with my routine").check()
    page.get_by_label("Your name").fill("Marta Phone")
    page.get_by_label("Email").fill("marta@example.com")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat the password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".field__error", has_text="Use at least 12 characters.")).to_be_visible()
    summary = page.locator("#form-errors")
    expect(
        summary.get_by_role("link", name=re.compile("^Password: Use at least 12"))
    ).to_be_visible()
    axe_check(page, "sign-up page with errors")

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_label("I agree that HomeStretch stores my health data").check()
    page.get_by_role("button", name="Create account").click()

    # The account waits for the link emailed to Marta's address.
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_text("marta@example.com")).to_be_visible()
    axe_check(page, "check your email")
    deliver()
    [email] = smtp.messages("marta@example.com")
    page.goto(live_server + urlsplit(links_in(email)[0]).path)
    expect(page.get_by_role("heading", name="Finish creating your account")).to_be_visible()
    axe_check(page, "confirm the sign-up")
    page.get_by_label("The password you chose when signing up").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_role("heading", name="Your home routine")).to_be_visible()
    expect(page.get_by_text("Welcome to HomeStretch, Marta Phone.")).to_be_visible()
    axe_check(page, "empty routine")

    # The two stretches and one strengthening exercise the therapist assigned.
    for name, reps in (("Thomas stretch", "3"), ("Runner's lunge stretch", "2")):
        page.get_by_role("button", name=f"Add {name}").click()
        expect(page.get_by_role("heading", name=name)).to_be_visible()
        page.get_by_label("Repetitions (per set, per side)").fill(reps)
        page.get_by_label("Morning").check()
        page.get_by_label("I need a helper for this one").check()
        if name == "Thomas stretch":
            axe_check(page, "exercise dose form")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text(f"{name} saved.")).to_be_visible()

    page.get_by_role("button", name="Add Straight-leg raise").click()
    page.get_by_label("Repetitions (per set, per side)").fill("10000")
    page.get_by_role("button", name="Save").click()
    expect(
        page.locator(".field__error", has_text="Enter a whole number of repetitions from 1 to 50.")
    ).to_be_visible()
    page.get_by_label("Repetitions (per set, per side)").fill("12")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Straight-leg raise saved.")).to_be_visible()

    # A medication.
    page.get_by_text("Add a medication").click()
    page.get_by_label("Medication name").fill("Ibuprofen")
    page.get_by_label("Dose").fill("400 mg")
    page.locator("#medications").get_by_label("Morning").check()
    page.get_by_role("button", name="Add medication").click()
    expect(page.get_by_text("Ibuprofen added.")).to_be_visible()

    # One more activity to avoid, on top of the five standard ones.
    page.get_by_text("Add another activity to avoid").click()
    page.get_by_label("Activity to avoid").fill("Long car rides")
    page.get_by_role("button", name="Add to the list").click()
    avoid = page.locator("#precautions .avoid__activity")
    expect(avoid).to_have_count(6)
    expect(avoid.last).to_have_text("Long car rides")
    expect(avoid.nth(3)).to_have_text("Going up and down stairs")
    axe_check(page, "filled routine")

    routine = page.locator("#exercises")
    expect(routine.get_by_role("heading", level=3)).to_have_text(
        ["Thomas stretch", "Runner's lunge stretch", "Straight-leg raise"]
    )
    expect(routine).to_contain_text("3 times each side · hold 30 s · twice a day")
    expect(routine).to_contain_text("3 sets × 12 reps each side · once a day")

    # Nothing is wider than the phone.
    assert fits_the_screen(page)

    page.get_by_role("link", name="Printable sheet").click()
    expect(page).to_have_url(re.compile(r"/routine/print$"))
    expect(page.get_by_role("row", name=re.compile("Thomas stretch"))).to_be_visible()
    axe_check(page, "print sheet")
