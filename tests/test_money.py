"""Money is typed by people and stored as integer cents."""

import pytest

from webapp.money import format_money, parse_cents


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("25", 2500),
        ("25.5", 2550),
        ("$25.50", 2550),
        ("1,025.00", 102500),
        ("€9.99", 999),
        (" 30 ", 3000),
        ("0", 0),
        ("-3", -300),
    ],
)
def test_amounts_people_type(text, cents):
    assert parse_cents(text) == cents


@pytest.mark.parametrize(
    "text", ["", "abc", "1e3", "NaN", "Infinity", "25.555", "1_000", "1,0,0", "٣٠", "12.", None]
)
def test_things_that_are_not_plain_amounts(text):
    assert parse_cents(text) is None


def test_format():
    assert format_money(102550, "USD") == "$1,025.50"
    assert format_money(999, "EUR") == "€9.99"
