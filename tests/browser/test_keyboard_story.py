"""Keyboard only, on a phone: a new patient signs up, confirms the address, adds an exercise
and posts a request without touching the screen, and the focused control always shows a ring."""

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.mail import links_in

_FOCUSED = """() => {
  const el = document.activeElement;
  const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
  const style = getComputedStyle(el);
  return {
    name: (label || el.getAttribute('aria-label') || el.innerText || el.value || '').trim(),
    kind: el.tagName.toLowerCase() + (el.type ? ':' + el.type : ''),
    ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
          || style.boxShadow !== 'none',
  };
}"""


def tab_to(page, name: str | re.Pattern, kind: str | None = None, limit: int = 200) -> None:
    """Press Tab until the control named `name` (of `kind`, e.g. "input:checkbox") has focus;
    it must show a focus ring."""
    seen = []
    page.wait_for_load_state()
    for _ in range(limit):
        page.keyboard.press("Tab")
        try:
            focused = page.evaluate(_FOCUSED)
        except PlaywrightError:  # the previous key press is still loading a page
            page.wait_for_load_state()
            continue
        label = " ".join(focused["name"].split())
        matched = name.search(label) if isinstance(name, re.Pattern) else label == name
        matched = matched and (kind is None or focused["kind"] == kind)
        if matched:
            assert focused["ring"], f"{label!r} has focus but shows no focus ring"
            return
        seen.append(label)
    raise AssertionError(f"Tab never reached {name!r}; passed {seen[-15:]}")


def type_into(page, name, text: str) -> None:
    tab_to(page, name)
    page.keyboard.type(text)


def test_a_patient_signs_up_and_asks_for_help_by_keyboard_alone(
    page, live_server, axe_check, smtp, deliver
):
    page.goto(live_server + "/")
    tab_to(page, "Create an account")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    tab_to(page, "I am recovering and want help with my routine")
    page.keyboard.press("Space")
    type_into(page, "Your name", "Kira Keys")
    type_into(page, "Email", "kira@example.com")
    type_into(page, "Password", PASSWORD)
    type_into(page, "Repeat the password", PASSWORD)
    tab_to(page, re.compile("^I agree that HomeStretch stores my health data"))
    page.keyboard.press("Space")
    tab_to(page, "Create account")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    deliver()
    (mail,) = smtp.messages(to="kira@example.com")
    page.goto(live_server + urlsplit(links_in(mail)[0]).path)  # opened from the mail app
    type_into(page, "The password you chose when signing up", PASSWORD)
    tab_to(page, "Create my account")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your home routine")).to_be_visible()

    tab_to(page, "Add Thomas stretch")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Thomas stretch")).to_be_visible()
    tab_to(page, "Morning")
    page.keyboard.press("Space")
    tab_to(page, "I need a helper for this one")
    page.keyboard.press("Space")
    tab_to(page, "Save")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Thomas stretch saved.")).to_be_visible()

    tab_to(page, "Menu")  # the menu is one button on a phone
    page.keyboard.press("Enter")
    tab_to(page, "Requests")
    page.keyboard.press("Enter")
    tab_to(page, "Ask for help")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Ask for help with your routine")).to_be_visible()
    tab_to(page, "Thomas stretch", kind="input:checkbox")
    expect(page.get_by_label("Thomas stretch")).to_be_checked()  # a helper exercise, preselected
    first = date.today() + timedelta(days=9)
    type_into(page, "Date (first visit)", first.strftime("%m%d%Y"))
    type_into(page, "From", "0900AM")
    type_into(page, "Until", "1000AM")
    type_into(page, "Hourly rate offered", "30")
    type_into(page, "Street address", "4 Birch Lane")
    type_into(page, "Town or city", "Springfield")
    type_into(page, "Postal code", "12345")
    tab_to(page, "Post the request")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your request is posted.")).to_be_visible()
    expect(page.locator(".slot")).to_contain_text(f"{first:%a} {first.day} {first:%b %Y}, 09:00")
    axe_check(page, "request posted by keyboard")
