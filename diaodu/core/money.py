"""Amounts as leaders read them: 亿元 from one 亿 (10,000 万元) up, 万元 below.

Diaodu stores every amount in 万元, and the ledger and its exports stay in 万元 as their users
expect. Where leaders read a large total (the dashboard's cards, the home page, a bulletin's
figures), `in_yi` writes it in 亿元: 9,011,290 万元 is "901.13 亿元", 9,999.99 万元 stays
"9,999.99 万元". Both are rounded half up to two decimals.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

WAN_PER_YI = Decimal(10_000)
CENT = Decimal("0.01")
MISSING = "—"


def amount(value: Any) -> Decimal | None:
    """`value` (万元) as a Decimal; None for nothing or what is not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def is_yi(value: Any) -> bool:
    """Whether an amount in 万元 is read in 亿元: one 亿 or more once rounded to the cent,
    either sign (9,999.995 万元 is 1.00 亿元, not 10,000.00 万元)."""
    number = amount(value)
    return number is not None and abs(number.quantize(CENT, ROUND_HALF_UP)) >= WAN_PER_YI


def wan_text(value: Any, sep: str = " ") -> str:
    """An amount in 万元 with its unit: "9,999.99 万元"; "—" for nothing."""
    number = amount(value)
    if number is None:
        return MISSING
    return f"{number.quantize(CENT, ROUND_HALF_UP):,.2f}{sep}{_('10k yuan')}"


def in_yi(value: Any, sep: str = " ") -> str:
    """An amount given in 万元, written for a leader: "901.13 亿元" from 10,000 万元 up (either
    sign), else "9,999.99 万元"; "—" for nothing (None, empty, not a number). A document's
    running text joins number and unit with no space (`sep=""`): 总投资901.13亿元."""
    number = amount(value)
    if number is None:
        return MISSING
    if not is_yi(number):
        return wan_text(number, sep)
    return f"{(number / WAN_PER_YI).quantize(CENT, ROUND_HALF_UP):,.2f}{sep}{_('100m yuan')}"
