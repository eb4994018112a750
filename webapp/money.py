"""Money as integer cents plus a currency code; parsing what people type, showing it back."""

import re
from decimal import Decimal

#: Plain digits with at most two decimals: no exponents, underscores or other scripts' digits.
AMOUNT = re.compile(r"-?[0-9]{1,9}(\.[0-9]{1,2})?", re.ASCII)
#: "1,025.50": commas only between groups of three digits.
THOUSANDS = re.compile(r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]{1,2})?", re.ASCII)
SYMBOLS = {"USD": "$", "CAD": "CA$", "AUD": "A$", "EUR": "€", "GBP": "£"}


def parse_cents(text: str | None) -> int | None:
    """ "25", "25.5", "$25.50" or "1,025.00" as cents; None if it is not a plain amount."""
    if text is None:
        return None
    cleaned = text.strip()
    for symbol in ("CA$", "A$", "$", "€", "£"):
        cleaned = cleaned.removeprefix(symbol)
    cleaned = cleaned.strip()
    if THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    if not AMOUNT.fullmatch(cleaned):
        return None
    return int(Decimal(cleaned) * 100)


def format_money(cents: int, currency: str = "USD") -> str:
    """1050, "USD" -> "$10.50"."""
    symbol = SYMBOLS.get(currency, currency + " ")
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{symbol}{whole:,}.{part:02d}"
