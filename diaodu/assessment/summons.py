"""The 约谈通知: the units a published ranking summons (the last places of each group, as many
as the scoring scheme's `bottom_count`, standing "to be summoned") are told that their heads
will be summoned, why, and what to prepare.

One notice for one published ranking, numbered once (发文字号, kind summons: asked again, the
same number and date), addressed to all the units it summons: who they are, their score and
place and the indicators where they lost the most points, that the time and place follow,
and the written account they send before it (three working days after the notice).
Headquarters issues it (`permissions.require_manager`).
"""

import re
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from diaodu.assessment.choices import Method, PeriodKind, Standing
from diaodu.assessment.explain import indicator_label, number, value_text
from diaodu.assessment.models import Ranking, Score
from diaodu.assessment.permissions import require_manager
from diaodu.core.choices import DocumentKind
from diaodu.core.docx import (
    addressee,
    body,
    date_text,
    imprint,
    issuer_name,
    masthead,
    new_document,
    section,
    signature,
    table,
    title,
    to_bytes,
)
from diaodu.core.models import DocumentNumber
from diaodu.core.numbering import number_for
from diaodu.core.pdf import document_response
from diaodu.core.workdays import add_working_days

__all__ = ["NOBODY_SUMMONED", "summoned", "summons_docx", "summons_response"]

NOBODY_SUMMONED = gettext_lazy("This ranking summons no unit.")
# Working days after the notice that the written account is due.
ACCOUNT_WORKING_DAYS = 3
# The indicators named for each unit: those where it lost the most points.
NAMED = 2


def summoned(ranking: Ranking) -> list[Score]:
    """The scores of the units the ranking summons, last place last."""
    return list(
        ranking.scores.filter(standing=Standing.BOTTOM)
        .select_related("unit")
        .order_by("rank", "unit__sort_order", "unit__name")
    )


def _period(ranking: Ranking) -> str:
    """The period as documents write it: 2026年3月 (no leading zero), else the ranking's."""
    if ranking.kind == PeriodKind.MONTH:
        return _("%(year)d, month %(month)d") % {"year": ranking.year, "month": ranking.number}
    return ranking.period_label


def _indicator(code: str) -> str:
    """An indicator's name without the unit its label carries: 年度计划投资完成率."""
    return re.sub(r"[（(][%％][）)]$", "", indicator_label(code))


def _lost(lines: list[dict]) -> str:
    """The indicators where a score lost the most points: 年度投资完成率（62%）."""
    lost = []
    for line in lines:
        points = Decimal(line.get("points") or 0)
        if line.get("method") == Method.RATIO:
            if line.get("missing"):
                continue
            loss = Decimal(line.get("weight") or 0) - points
        else:
            loss = -points
        if loss > 0:
            lost.append((loss, line))
    lost.sort(key=lambda item: -item[0])
    return "、".join(
        f"{_indicator(line['indicator'])}（{value_text(line['indicator'], line['value'])}）"
        for _loss, line in lost[:NAMED]
    )


def summons_docx(ranking: Ranking, scores: list[Score], numbered: DocumentNumber) -> bytes:
    """The 约谈通知 of `ranking` to the units of `scores`, numbered `numbered` and dated the
    day the number was given."""
    today = timezone.localtime(numbered.issued_at).date()
    issuer = issuer_name()
    units = "、".join(str(score.unit) for score in scores)
    total = ranking.scores.count()
    document = new_document()
    masthead(document, numbered.text)
    title(document, _("Notice of the summons of the heads of %(units)s") % {"units": units})
    addressee(document, f"{units}：")
    body(
        document,
        _(
            "Under the %(scheme)s, your units are ranked last among the %(total)d units of "
            "%(group)s for %(period)s. It has been decided to summon the heads of your units. "
            "The arrangements are as follows:"
        )
        % {
            "scheme": f"《{ranking.scheme.name}》",
            "total": total,
            "group": ranking.get_group_display(),
            "period": _period(ranking),
        },
    )
    section(document, 1, _("The units summoned"))
    table(
        document,
        [_("No."), _("Unit"), _("Score"), _("Rank"), _("Points lost most in")],
        [
            (i, str(s.unit), number(s.score), f"{s.rank}/{total}", _lost(s.lines) or "—")
            for i, s in enumerate(scores, start=1)
        ],
        widths=[1.2, 3.6, 1.8, 1.8, 7.2],
    )
    section(document, 2, _("Time and place"))
    body(document, _("The time and place of the summons will be notified separately."))
    section(document, 3, _("What is asked"))
    body(
        document,
        _(
            "The heads of the units summoned attend in person. Each unit sends %(issuer)s by "
            "%(date)s a written account of why it is ranked last, the problems it has and "
            "what it will do about them, and by when."
        )
        % {"issuer": issuer, "date": date_text(add_working_days(today, ACCOUNT_WORKING_DAYS))},
    )
    signature(document, issuer, on=today)
    imprint(document, printed_on=today)
    return to_bytes(document)


def summons_response(actor, ranking: Ranking, scores: list[Score], as_pdf: bool = False):
    """The 约谈通知 as a download named by its number, given once to the ranking (asked again,
    the same number and date; diaodu.core.numbering); with `as_pdf`, as PDF."""
    require_manager(actor)
    numbered = number_for(ranking, DocumentKind.SUMMONS, timezone.localdate().year, actor)
    name = f"{_('Summons notice')}-{numbered.text}.docx"
    fallback = f"summons-{numbered.year}-{numbered.sequence}.docx"
    return document_response(summons_docx(ranking, scores, numbered), name, fallback, as_pdf)
