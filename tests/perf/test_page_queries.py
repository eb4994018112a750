"""No main page costs more SQL statements when there is more data on it.

Each page is rendered in a small world and a bigger one (see conftest.py) and its statement
count must be the same in both; it must also stay within today's count, so a change that adds
statements shows here. Pages whose count still grows with the data are marked xfail(strict):
when someone fixes one, its test starts passing and the strict mark fails it, so the mark comes
off in the same change.
"""

import pytest

from bench.pages import PAGES

#: Statements per page today (small world, bigger world); a bound, not a goal (the goal is 8).
TODAY = {
    "patient_dashboard": (4, 4),
    "aide_dashboard": (3, 3),
    "family_dashboard": (3, 3),
    "admin_dashboard": (1, 1),
    "routine": (2, 2),
    "board": (2, 2),
    "board_filtered": (2, 2),
    "board_deep": (2, 2),
    "visit": (3, 3),
    "summary": (3, 3),
    "calendar_month": (3, 3),
    "calendar_week": (3, 3),
    "coverage": (4, 4),
    "ics": (4, 4),
    "my_visits": (2, 2),
    "aide_directory": (3, 3),
    "audit": (2, 2),
    "notifications": (2, 2),
    "patient_payments": (2, 2),
    "payouts": (3, 3),
    "admin_payments": (2, 2),
}
#: Where PostgreSQL runs more (nowhere today).
ON_POSTGRESQL: dict[str, tuple[int, int]] = {}
#: Pages whose count grows with the data today, and why.
GROWS: dict[str, str] = {}
#: Pages that list what grows over time: the bigger world must show more on them, so an equal
#: count means the page really handled more data.
LISTS = (
    "patient_dashboard",
    "aide_dashboard",
    "family_dashboard",
    "board",
    "board_filtered",
    "board_deep",
    "calendar_month",
    "calendar_week",
    "ics",
    "my_visits",
    "audit",
    "notifications",
    "patient_payments",
    "payouts",
    "admin_payments",
)
KEYS = [page.key for page in PAGES]


def _param(key):
    if key in GROWS:
        return pytest.param(key, marks=pytest.mark.xfail(strict=True, reason=GROWS[key]))
    return key


def test_every_main_page_has_a_count_today():
    assert set(TODAY) == set(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_page_costs_no_more_statements_than_today(page_costs, database_url, key):
    costs = page_costs[key]
    assert costs.small[0] == 200 and costs.big[0] == 200, (costs.small, costs.big)
    bounds = TODAY
    if database_url.startswith("postgresql"):
        bounds = TODAY | ON_POSTGRESQL
    small_bound, big_bound = bounds[key]
    assert costs.small[1] <= small_bound, f"{key}: {costs.small[1]} statements, was {small_bound}"
    assert costs.big[1] <= big_bound, f"{key}: {costs.big[1]} statements, was {big_bound}"


@pytest.mark.parametrize("key", [_param(key) for key in KEYS])
def test_page_costs_the_same_statements_with_more_data(page_costs, key):
    costs = page_costs[key]
    assert costs.small[0] == 200 and costs.big[0] == 200, (costs.small, costs.big)
    assert costs.big[1] == costs.small[1], (
        f"{key}: {costs.small[1]} statements with little data, {costs.big[1]} with more"
    )


@pytest.mark.parametrize("key", LISTS)
def test_the_bigger_world_shows_more_on_list_pages(page_costs, key):
    costs = page_costs[key]
    assert costs.big[2] > costs.small[2], (key, costs.small[2], costs.big[2])
