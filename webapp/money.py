"""Money as integer cents plus a currency code; parsing what people type, showing it back."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

SYMBOLS = {"USD": "$", "CAD": "CA$", "AUD": "A$", "EUR": "€", "GBP": "£"}


def parse_cents(text: str | None) -> int | None:
    """ "25", "25.5", "$25.50" or "1,025.00" as cents; None if it is not an amount."""
    if text is None:
        return None
    cleaned = text.strip().replace(",", "")
    for symbol in ("CA$", "A$", "$", "€", "£"):
        cleaned = cleaned.removeprefix(symbol)
    cleaned = cleaned.strip()
    if not cleaned or len(cleaned) > 12:
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        return None
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_money(cents: int, currency: str = "USD") -> str:
    """1050, "USD" -> "$10.50"."""
    symbol = SYMBOLS.get(currency, currency + " ")
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{symbol}{whole:,}.{part:02d}"
