"""Nothing scrolls sideways at 320 px (WCAG 1.4.10 reflow), for each role's main pages."""

import pytest

from tests.browser.test_marketplace_story import log_in

NARROW = {"width": 320, "height": 640}


@pytest.fixture
def narrow_page(browser, browser_context_args):
    context = browser.new_context(**{**browser_context_args, "viewport": NARROW})
    yield context.new_page()
    context.close()


def _overflow(page) -> list[str]:
    """The page's width beyond the screen (with every folded part opened: filters, menus),
    and the elements sticking out."""
    return page.evaluate(
        """() => {
          document.querySelectorAll('details').forEach(d => { d.open = true; });
          const limit = document.documentElement.clientWidth;
          const out = [];
          if (document.documentElement.scrollWidth > limit) {
            out.push(`page ${document.documentElement.scrollWidth}px`);
            for (const el of document.querySelectorAll('body *')) {
              const box = el.getBoundingClientRect();
              if (box.right > limit + 0.5 && box.width > 0) {
                out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}` +
                         `.${[...el.classList].join('.')} right=${Math.round(box.right)}`);
              }
            }
          }
          return out.slice(0, 8);
        }"""
    )


def _check(page, base, paths):
    problems = {}
    for path in paths:
        page.goto(base + path)
        found = _overflow(page)
        if found:
            problems[path] = found
    assert problems == {}


def test_patient_pages_fit_320(narrow_page, live_server, patient, post_request):
    request = post_request(patient, weekdays=[0, 2, 4], count=6)
    log_in(narrow_page, live_server, patient.email)
    paths = [
        "/dashboard",
        f"/patients/{patient.id}/routine",
        "/requests",
        "/requests/new",
        f"/requests/{request.id}",
        f"/patients/{patient.id}/circle",
        f"/patients/{patient.id}/coverage",
        "/calendar",
        "/notifications",
        "/auth/profile",
        "/aides",
    ]
    _check(narrow_page, live_server, paths)


def test_aide_pages_fit_320(narrow_page, live_server, patient, verified_aide, post_request):
    post_request(patient, weekdays=[0, 2, 4], count=6)
    log_in(narrow_page, live_server, verified_aide.email)
    _check(narrow_page, live_server, ["/dashboard", "/board", "/my-visits", "/aide/profile"])


def test_public_pages_fit_320(narrow_page, live_server):
    _check(narrow_page, live_server, ["/", "/auth/login", "/auth/signup", "/about"])
