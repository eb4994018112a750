"""Steps the browser stories share, so each works on a phone and on a desktop screen."""

from playwright.sync_api import expect

#: Run a story on both screens: `pytestmark = BOTH_SCREENS`.
BOTH_SCREENS = None  # set below, to keep pytest imports out of the step functions


#: Below this width (60em) the main menu folds into one "Menu" button.
MENU_FOLDS_BELOW = 960


def open_menu(page) -> None:
    """On a phone (or at 200% zoom) the main menu is one button; on a desktop it is open."""
    if page.viewport_size["width"] >= MENU_FOLDS_BELOW:
        return
    if page.locator("details.site-menu[open]").count() == 0:
        page.locator("summary.site-menu__button").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def go_to(page, link_name: str) -> None:
    """Follow a link of the main menu, as a person would on this screen."""
    open_menu(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link_name).click()


def fits_the_screen(page) -> bool:
    """Nothing scrolls sideways."""
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def expect_heading(page, name) -> None:
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def _both():
    import pytest

    return pytest.mark.parametrize("screen", ["phone", "desktop"], indirect=True)


BOTH_SCREENS = _both()
