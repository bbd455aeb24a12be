"""Rankings computed, published and read; scoring schemes versioned. Every write is here.

A ranking is computed live from the data with the scheme in force for its period (the scheme
of its last month). Publishing keeps it, scores and explanations, so that it reads the same
later whatever happens to the data; publishing again replaces it and says who did it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from diaodu.assessment import indicators, live
from diaodu.assessment.choices import Group, Standing
from diaodu.assessment.models import Ranking, Score, ScoringRule, ScoringScheme
from diaodu.assessment.periods import Window
from diaodu.assessment.permissions import require_manager
from diaodu.assessment.scoring import Entry, rank, score
from diaodu.core.history import diff, record, snapshot
from diaodu.core.models import Action
from diaodu.notifications.services import notify
from diaodu.org.models import User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def check_window(window: Window, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if window.start > today:
        raise ValidationError(
            _("%(period)s has not started yet: there is nothing to rank.")
            % {"period": window.label}
        )


def scheme_for(window: Window) -> ScoringScheme:
    scheme = ScoringScheme.objects.in_force(window.scheme_month)
    if scheme is None:
        raise ValidationError(
            _("No scoring scheme is in force in %(month)s.")
            % {"month": f"{window.scheme_month:%Y-%m}"}
        )
    return scheme


@dataclass
class Result:
    """A ranking as shown: computed live, or read from the published one."""

    window: Window
    group: str
    scheme: ScoringScheme
    entries: list[Entry]
    as_of: date
    published: Ranking | None = None
    rules: list[ScoringRule] = field(default_factory=list)

    @property
    def top(self) -> list[Entry]:
        return [e for e in self.entries if e.standing == Standing.TOP]

    @property
    def bottom(self) -> list[Entry]:
        return [e for e in self.entries if e.standing == Standing.BOTTOM]

    @property
    def group_label(self) -> "StrOrPromise":
        return Group(self.group).label


def compute(
    window: Window,
    group: str,
    today: date | None = None,
    *,
    previous: bool = True,
    fresh: bool = False,
) -> Result:
    """Score and rank the group's units for the period, live (nothing is written); `fresh`:
    from the data as it is, never from figures kept a while (what is published)."""
    check_window(window, today)
    scheme = scheme_for(window)
    rules = list(scheme.rules.all())
    units, _top_of = indicators.group_units(group)
    values = live.values(window, group, today, fresh=fresh)
    entries = []
    for unit_id, unit_values in values.items():
        total, lines = score(unit_values, rules)
        entries.append(Entry(units[unit_id], total, unit_values, lines))
    rank(entries, scheme)
    if previous:
        before = previous_ranks(window.previous(), group, today)
        for entry in entries:
            entry.previous_rank = before.get(entry.unit_id)
    return Result(
        window=window,
        group=group,
        scheme=scheme,
        entries=entries,
        as_of=indicators.period_end(window, today),
        rules=rules,
    )


def previous_ranks(window: Window, group: str, today: date | None = None) -> dict[int, int]:
    """unit id → rank in a period: the published ranking, else computed (empty before data)."""
    stored = Ranking.objects.filter(
        kind=window.kind, year=window.year, number=window.number, group=group
    ).first()
    if stored is not None:
        return dict(stored.scores.values_list("unit_id", "rank"))
    try:
        result = compute(window, group, today, previous=False)
    except ValidationError:
        return {}
    return {entry.unit_id: entry.rank for entry in result.entries}


def published(window: Window, group: str) -> Ranking | None:
    return (
        Ranking.objects.filter(
            kind=window.kind, year=window.year, number=window.number, group=group
        )
        .select_related("scheme", "computed_by")
        .first()
    )


def read(window: Window, group: str, today: date | None = None) -> Result:
    """The published ranking if there is one, else the live one."""
    ranking = published(window, group)
    if ranking is None:
        return compute(window, group, today)
    entries = []
    for s in ranking.scores.select_related("unit").order_by(
        "rank", "unit__sort_order", "unit__name"
    ):
        entry = Entry(s.unit, s.score, s.values, s.lines, s.rank, s.previous_rank, s.standing)
        entries.append(entry)
    return Result(
        window=window,
        group=group,
        scheme=ranking.scheme,
        entries=entries,
        published=ranking,
        as_of=ranking.end,
        rules=list(ranking.scheme.rules.all()),
    )


@transaction.atomic
def do_publish_ranking(
    actor: User, window: Window, group: str, today: date | None = None
) -> Ranking:
    """Compute and keep the ranking of a period and group, replacing the one kept before."""
    require_manager(actor)
    if window.end >= (today or timezone.localdate()):
        raise ValidationError(
            _("%(period)s is not over yet: it can be published once it has ended.")
            % {"period": window.label}
        )
    result = compute(window, group, today, fresh=True)
    before = published(window, group)
    ranking = before or Ranking(
        kind=window.kind, year=window.year, number=window.number, group=group
    )
    ranking.start, ranking.end = window.start, result.as_of
    ranking.scheme, ranking.computed_by = result.scheme, actor
    ranking.save()
    if before is not None:
        before.scores.all().delete()
    Score.objects.bulk_create(
        Score(
            ranking=ranking,
            unit=entry.unit,
            score=entry.score,
            rank=entry.rank,
            previous_rank=entry.previous_rank,
            standing=entry.standing,
            values=indicators.as_json(entry.values),
            lines=entry.lines,
        )
        for entry in result.entries
    )
    action = Action.UPDATE if before is not None else Action.CREATE
    record(actor, ranking, action, {"scores": [None, len(result.entries)]})
    _notify_published(actor, result)
    return ranking


def every_unit_user() -> "QuerySet[User]":
    """Everyone who acts for a unit: rankings and bulletins are sent to every unit."""
    return User.objects.filter(is_active=True, unit__isnull=False).order_by("pk")


def _notify_published(actor: User, result: Result) -> None:
    """Every unit's people hear of a ranking, once per period and group (publishing again
    replaces the figures, and tells nobody twice)."""
    with translation.override(settings.LANGUAGE_CODE):
        top = "、".join(str(entry.unit) for entry in result.top)
        bottom = "、".join(str(entry.unit) for entry in result.bottom)
        lines = [_("Ahead: %(units)s") % {"units": top}] if top else []
        lines += [_("Behind: %(units)s") % {"units": bottom}] if bottom else []
        query = urlencode({"period": result.window.code, "group": result.group})
        notify(
            every_unit_user(),
            _("Ranking published: %(period)s, %(group)s")
            % {"period": result.window.label, "group": result.group_label},
            url=f"{reverse('assessment:rankings')}?{query}",
            body="\n".join(lines),
            exclude=actor,
            event="ranking.published",
            key=f"ranking:{result.window.code}:{result.group}",
        )


@transaction.atomic
def do_publish_period(actor: User, window: Window, today: date | None = None) -> list[Ranking]:
    """Publish both groups of a period, in one transaction: both are published, or neither."""
    return [do_publish_ranking(actor, window, group, today) for group in Group.values]


def queue_publish_period(actor: User, window: Window, today: date | None = None) -> list[Ranking]:
    """Check that the period may be published, then queue its computing and publishing
    (`tasks.publish_rankings`). Returns the rankings if they are published already (no
    broker: computed in this process), else [] while a worker computes them."""
    from diaodu.assessment.tasks import publish_rankings

    require_manager(actor)
    today = today or timezone.localdate()
    if window.end >= today:
        raise ValidationError(
            _("%(period)s is not over yet: it can be published once it has ended.")
            % {"period": window.label}
        )
    queued_at = timezone.now()
    publish_rankings.delay(actor.pk, window.code, today.isoformat())
    found = [published(window, group) for group in Group.values]
    rankings = [r for r in found if r is not None and r.computed_at >= queued_at]
    return rankings if len(rankings) == len(found) else []


# -- scoring schemes ----------------------------------------------------------------------


RULE_FIELDS = [
    "indicator",
    "method",
    "weight",
    "target",
    "floor",
    "per_item",
    "cap",
    "when_missing",
]


@transaction.atomic
def first_open_month(today: date | None = None) -> date:
    """The first month a new version may start from: this month, or the month after the last
    published ranking if that is later. Earlier months keep the version they were scored by."""
    today = today or timezone.localdate()
    month = today.replace(day=1)
    last = Ranking.objects.order_by("-end").values_list("end", flat=True).first()
    if last is not None:
        after = Window.month_of(last).next().start
        month = max(month, after)
    return month


def do_create_scheme(
    actor: User,
    *,
    name: str,
    valid_from: date | None,
    rules: Iterable[dict[str, Any]],
    top_count: int = 3,
    bottom_count: int = 3,
    tie_breaks: Iterable[str] = (),
    note: str = "",
    today: date | None = None,
) -> ScoringScheme:
    """A new version of the scheme, in force from the month of `valid_from`.

    `rules` is a list of dicts with RULE_FIELDS. Every problem of the version and of each
    rule is reported at once, and nothing is written unless all is well. A version cannot
    start before `first_open_month()`: a month already over, or already published, keeps the
    version it had.
    """
    require_manager(actor)
    scheme = ScoringScheme(  # type: ignore[misc]  # no valid_from yet: full_clean says so
        name=(name or "").strip(),
        valid_from=valid_from.replace(day=1) if valid_from else valid_from,
        top_count=top_count,
        bottom_count=bottom_count,
        tie_breaks=list(tie_breaks),
        note=note,
        created_by=actor,
    )
    errors = {}
    try:
        scheme.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    earliest = first_open_month(today)
    if scheme.valid_from and scheme.valid_from < earliest and "valid_from" not in errors:
        errors["valid_from"] = [
            _(
                "A new version can start from %(month)s at the earliest: earlier months keep "
                "the version they were scored by."
            )
            % {"month": f"{earliest:%Y-%m}"}
        ]
    built, seen = [], set()
    for index, data in enumerate(rules, start=1):
        rule = ScoringRule(scheme=scheme, sort_order=index, **{
            key: data[key] for key in RULE_FIELDS if key in data and data[key] is not None
        })  # fmt: skip
        if "cap" in data:
            rule.cap = data["cap"]
        try:
            rule.full_clean(exclude=["scheme"])
        except ValidationError as error:
            for messages in error.message_dict.values():
                label = _("Rule %(number)d") % {"number": index}
                errors.setdefault("rules", []).extend(f"{label}：{m}" for m in messages)
        if rule.indicator in seen:
            errors.setdefault("rules", []).append(
                _("Rule %(number)d: this indicator already has a rule.") % {"number": index}
            )
        seen.add(rule.indicator)
        built.append(rule)
    if not built:
        errors.setdefault("rules", []).append(_("A scheme needs at least one rule."))
    if errors:
        raise ValidationError(errors)
    scheme.save()
    for rule in built:
        rule.scheme = scheme
    ScoringRule.objects.bulk_create(built)
    record(actor, scheme, Action.CREATE, diff({}, snapshot(scheme)))
    return scheme


def can_delete_scheme(scheme: ScoringScheme, today: date | None = None) -> bool:
    """Only a version that has not yet scored anything may go: one starting from a month still
    open (see `first_open_month`) and behind no published ranking."""
    return scheme.valid_from >= first_open_month(today) and not scheme.rankings.exists()


@transaction.atomic
def do_delete_scheme(actor: User, scheme: ScoringScheme) -> None:
    require_manager(actor)
    if not can_delete_scheme(scheme):
        raise ValidationError(
            _("This version has scored past or published months; start a new version instead.")
        )
    if ScoringScheme.objects.count() == 1:
        raise ValidationError(_("The only version cannot be deleted."))
    record(actor, scheme, Action.DELETE, {})
    scheme.delete()
