"""Money text (T25): sign before the currency symbol, two decimals, thousands separators."""

from decimal import Decimal

import pytest

from lib.domain.money import yuan
from lib.views.kpi.common import money


@pytest.mark.parametrize(("value", "text"), [
    (Decimal("-1"), "−¥1.00"), (-1, "−¥1.00"), (Decimal("1500"), "¥1,500.00"), (0, "¥0.00"),
    (Decimal("-12345.675"), "−¥12,345.68"), ("2.5", "¥2.50"), (None, ""), ("abc", ""),
])
def test_T25_money_is_sign_then_symbol_with_two_decimals(value, text):
    assert yuan(value) == text


def test_T25_kpi_pages_use_the_one_money_helper():
    assert money(Decimal("-1")) == "−¥1.00"
    assert not money(Decimal("-1")).startswith("¥-")
