"""A score's lines in words: indicator, value, the rule applied, points."""

from decimal import Decimal

from django.utils.translation import gettext as _

from diaodu.assessment.choices import RATES, Indicator, Method, WhenMissing


def number(value) -> str:
    """A Decimal without trailing zeros: 30.00 → 30, 12.50 → 12.5."""
    if value is None:
        return "—"
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def value_text(code, value) -> str:
    if value is None:
        return "—"
    return f"{number(value)}%" if code in RATES else number(value)


def rule_text(line: dict) -> str:
    if line.get("method") == Method.RATIO:
        if line.get("missing"):
            return (
                _("Nothing to measure: full points")
                if Decimal(line.get("points", "0"))
                else _("Nothing to measure: no points")
            )
        return _("%(weight)s points at %(target)s%% or more, none at %(floor)s%% or less") % {
            "weight": number(line["weight"]),
            "target": number(line["target"]),
            "floor": number(line["floor"]),
        }
    if "cap" in line:
        text = _("%(per_item)s points each, at most %(cap)s") % {
            "per_item": number(line["per_item"]),
            "cap": number(line["cap"]),
        }
        return text + (_(" (limit reached)") if line.get("capped") else "")
    return _("%(per_item)s points each") % {"per_item": number(line["per_item"])}


def indicator_label(code) -> str:
    try:
        return str(Indicator(code).label)
    except ValueError:
        return code


def explain(lines: list[dict]) -> list[dict]:
    return [
        {
            "indicator": line["indicator"],
            "label": indicator_label(line["indicator"]),
            "value": value_text(line["indicator"], line["value"]),
            "rule": rule_text(line),
            "points": number(line["points"]),
            "negative": Decimal(line["points"]) < 0,
        }
        for line in lines
    ]


def rule_summary(rule) -> str:
    """A scheme rule in words, for the scheme page."""
    if rule.method == Method.RATIO:
        text = _("%(weight)s points at %(target)s%% or more, none at %(floor)s%% or less") % {
            "weight": number(rule.weight),
            "target": number(rule.target),
            "floor": number(rule.floor),
        }
        missing = (
            _("full points when nothing to measure")
            if rule.when_missing == WhenMissing.FULL
            else _("no points when nothing to measure")
        )
        return f"{text}；{missing}"
    if rule.cap is not None:
        return _("%(per_item)s points each, at most %(cap)s") % {
            "per_item": number(rule.per_item),
            "cap": number(rule.cap),
        }
    return _("%(per_item)s points each") % {"per_item": number(rule.per_item)}
