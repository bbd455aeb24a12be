"""From indicators to points, and from points to a ranking, under one scheme version.

Every line of a score is kept (indicator, value, points), rounded to the cent before it is
added, so the lines always add up to the score shown.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from diaodu.assessment.choices import (
    LOWER_IS_BETTER,
    STANDING_COLOURS,
    Indicator,
    Method,
    Standing,
    WhenMissing,
)
from diaodu.org.models import Unit

CENT = Decimal("0.01")
ZERO = Decimal("0")


def _points(value) -> Decimal:
    points = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return abs(points) if points == 0 else points  # never "-0"


def rule_points(rule, value) -> tuple[Decimal, dict]:
    """The points one rule gives a value, and how (for the explanation)."""
    how = {"method": rule.method}
    if rule.method == Method.RATIO:
        weight, target, floor = Decimal(rule.weight), Decimal(rule.target), Decimal(rule.floor)
        how.update(weight=str(weight), target=str(target), floor=str(floor))
        if value is None:
            how["missing"] = True
            return (_points(weight) if rule.when_missing == WhenMissing.FULL else ZERO), how
        share = (Decimal(value) - floor) / (target - floor)
        share = min(max(share, ZERO), Decimal(1))
        return _points(weight * share), how
    per_item = Decimal(rule.per_item)
    how["per_item"] = str(per_item)
    raw = per_item * Decimal(value or 0)
    if rule.cap is not None:
        cap = Decimal(rule.cap)
        how["cap"] = str(cap)
        if abs(raw) > cap:
            how["capped"] = True
            raw = cap if raw > 0 else -cap
    return _points(raw), how


def score(values: dict, rules) -> tuple[Decimal, list[dict]]:
    """A unit's score under the rules: the total and one line per rule."""
    lines, total = [], ZERO
    for rule in rules:
        value = values.get(rule.indicator)
        points, how = rule_points(rule, value)
        total += points
        lines.append(
            {
                "indicator": rule.indicator,
                "value": None if value is None else str(value),
                "points": str(points),
                **how,
            }
        )
    return total, lines


@dataclass
class Entry:
    """One unit's place in a ranking."""

    unit: Unit
    score: Decimal
    values: dict
    lines: list
    rank: int = 0
    previous_rank: int | None = None
    standing: str = Standing.MIDDLE
    tie_key: tuple = field(default=(), repr=False)

    @property
    def change(self):
        return None if self.previous_rank is None else self.previous_rank - self.rank

    @property
    def unit_id(self):
        return self.unit.pk

    def get_standing_display(self) -> str:
        return str(Standing(self.standing).label)

    @property
    def standing_colour(self) -> str:
        return STANDING_COLOURS.get(self.standing, "secondary")


def _tie_value(code, value):
    """Sorts best first: None last, higher first unless less is better."""
    if value is None:
        return (1, ZERO)
    number = Decimal(value)
    return (0, number if code in LOWER_IS_BETTER else -number)


def rank(entries: list[Entry], scheme) -> list[Entry]:
    """Order by score, then by the scheme's tie-breaks; units still equal share a rank."""
    tie_breaks = [code for code in scheme.tie_breaks or [] if code in Indicator.values]
    for entry in entries:
        entry.tie_key = (-entry.score, *(_tie_value(c, entry.values.get(c)) for c in tie_breaks))
    entries.sort(key=lambda e: (e.tie_key, e.unit.sort_order, e.unit.name))
    for position, entry in enumerate(entries, start=1):
        previous = entries[position - 2] if position > 1 else None
        entry.rank = previous.rank if previous and previous.tie_key == entry.tie_key else position
    for entry in entries:
        # Counted from either end, units tied at the boundary are all in: rank from the top
        # is one more than the units strictly better, from the bottom one more than those
        # strictly worse.
        from_bottom = 1 + sum(1 for other in entries if other.rank > entry.rank)
        if entry.rank <= scheme.top_count:
            entry.standing = Standing.TOP
        elif from_bottom <= scheme.bottom_count:
            entry.standing = Standing.BOTTOM
        else:
            entry.standing = Standing.MIDDLE
    return entries
