"""Amounts for leaders: 亿元 from one 亿 (10,000 万元) up, with the 万元 figure on hover."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from diaodu.core.money import in_yi


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("9011290"), "901.13 亿元"),
        (Decimal("10000"), "1.00 亿元"),
        (10000, "1.00 亿元"),
        (Decimal("9999.99"), "9,999.99 万元"),
        (Decimal("9999.994"), "9,999.99 万元"),
        (Decimal("9999.995"), "1.00 亿元"),  # 10,000.00 万元 once rounded: one 亿
        (Decimal("12345678.9"), "1,234.57 亿元"),
        (Decimal("15000.5"), "1.50 亿元"),
        (Decimal("15050"), "1.51 亿元"),  # half up
        (Decimal("-25000"), "-2.50 亿元"),
        (Decimal("-9999.99"), "-9,999.99 万元"),
        (Decimal("0"), "0.00 万元"),
        (1234.5, "1,234.50 万元"),
        ("20000", "2.00 亿元"),
        (None, "—"),
        ("", "—"),
        ("abc", "—"),
    ],
)
def test_in_yi(value, text):
    assert in_yi(value) == text


def render(value) -> str:
    return Template("{% load diaodu %}{{ value|money_yi }}").render(Context({"value": value}))


def test_the_filter_shows_yi_with_the_wan_figure_on_hover():
    assert render(Decimal("9011290")) == '<span title="9,011,290.00 万元">901.13 亿元</span>'
    assert render(Decimal("10000")) == '<span title="10,000.00 万元">1.00 亿元</span>'
    assert render(Decimal("-10000")) == '<span title="-10,000.00 万元">-1.00 亿元</span>'


def test_the_filter_keeps_wan_below_one_yi_and_a_dash_for_nothing():
    assert render(Decimal("9999.99")) == "9,999.99 万元"
    assert render(None) == "—"
    assert render("<b>") == "—"  # not a number: nothing of it is shown
