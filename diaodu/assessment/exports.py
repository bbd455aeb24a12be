"""A ranking as an Excel sheet: rank, unit, score, change, standing, then each rule's value
(a rate as a percentage, a count as a number) and points."""

from decimal import Decimal

from django.utils.translation import gettext as _

from diaodu.assessment.choices import RATES
from diaodu.assessment.explain import indicator_label
from diaodu.core.exports import PERCENT, Column, table_workbook


def _number(value):
    return None if value is None else Decimal(value)


def ranking_workbook(result, title: str) -> bytes:
    columns = [
        Column(_("Rank"), 6, lambda e: e.rank),
        Column(_("Unit"), 28, lambda e: e.unit.name),
        Column(_("Score"), 10, lambda e: e.score, "0.00"),
        Column(_("Change"), 8, lambda e: e.change),
        Column(_("Standing"), 10, lambda e: e.get_standing_display()),
    ]
    for index, rule in enumerate(result.rules):
        label = indicator_label(rule.indicator)
        columns.append(
            Column(
                label,
                14,
                lambda e, i=index: _number(e.lines[i]["value"]) if i < len(e.lines) else None,
                PERCENT if rule.indicator in RATES else "0",
            )
        )
        columns.append(
            Column(
                _("%(indicator)s points") % {"indicator": label},
                10,
                lambda e, i=index: _number(e.lines[i]["points"]) if i < len(e.lines) else None,
                "0.00",
            )
        )
    return table_workbook(
        title,
        columns,
        result.entries,
        lambda count: _("%(count)d units") % {"count": count},
    )
