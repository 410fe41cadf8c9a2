"""Money as people read it: ``¥1,500.00``, ``−¥1.00`` (T25).

One pure helper for every KPI and ledger page and export: the sign comes before the
currency symbol (a true minus, U+2212, so it never reads as a dash), two decimals and
thousands separators. Money elsewhere stays ``Decimal``; this is only its text.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MINUS = "\u2212"
CENT = Decimal("0.01")


def yuan(value: object, *, blank: str = "") -> str:
    """``¥1,234.50`` / ``−¥1.00``; ``blank`` for None or a value that is not a number (T25: money as −¥1.00)."""
    if value is None or isinstance(value, bool):
        return blank
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return blank
    if not amount.is_finite():
        return blank
    sign = MINUS if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"
