"""Browser harness: the app served on 127.0.0.1 in a thread, driven by Debian's Chromium."""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import IN_CI

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium; Playwright cannot download its own browser here."""
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}; install the 'chromium' package."
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


DESKTOP = {"width": 1280, "height": 800}
SCREENS = {
    "phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": DESKTOP},
}


@pytest.fixture
def screen(request) -> str:
    """Which screen the test's browser has: "phone" unless a story asks for both with
    `pytest.mark.parametrize("screen", ["phone", "desktop"], indirect=True)`."""
    return getattr(request, "param", "phone")


@pytest.fixture
def browser_context_args(browser_context_args, screen):
    """A phone-sized screen, as most patients will use (or a desktop one, when asked)."""
    return {**browser_context_args, **SCREENS[screen]}


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free loopback port for the length of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture
def axe_check():
    """Scan the page with axe-core (target-size on) and fail with a readable report."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, label: str):
        results = axe.run(
            page,
            options={
                "resultTypes": ["violations"],
                "rules": {"target-size": {"enabled": True}},
            },
        )
        assert results.violations_count == 0, f"{label}:\n{results.generate_report()}"
        return results

    return check
