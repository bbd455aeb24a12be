"""The assessment of units (月排名, 季考核, 年终考核).

A scoring scheme says which indicators count, with what weight, and how each value becomes
points. Schemes are versioned: each applies from the month it starts until the next one
starts, so a past month is always scored by the scheme that was in force then.

A ranking is the scored and ordered units of one group (regions or departments) for a month,
quarter or year, kept when it is published so that it reads the same later. Each score keeps
its explanation: every indicator with its value and its points, which add up to the score.
"""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from diaodu.assessment.choices import (
    RATES,
    STANDING_COLOURS,
    Group,
    Indicator,
    Method,
    PeriodKind,
    Standing,
    WhenMissing,
)
from diaodu.core.limits import NOTE, MaxChars, validate_year
from diaodu.core.models import SignedInQuerySet
from diaodu.org.models import Unit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def points_field(verbose_name: "StrOrPromise", **kwargs: Any) -> "models.DecimalField[Any, Any]":
    return models.DecimalField(verbose_name, max_digits=7, decimal_places=2, **kwargs)


class SchemeQuerySet(SignedInQuerySet["ScoringScheme"]):
    """Scoring schemes are published rules: every signed-in user may read them."""

    def in_force(self, month: date) -> "ScoringScheme | None":
        """The scheme that applies to the month starting on `month` (None before the first)."""
        return self.filter(valid_from__lte=month).order_by("-valid_from").first()


class ScoringScheme(models.Model):
    """One version of the scoring rules, in force from its first month until the next one."""

    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(
        _("in force from"),
        unique=True,
        help_text=_("The first month this version scores."),
        error_messages={"unique": _("Another version already starts in this month.")},
        validators=[validate_year],
    )
    top_count = models.PositiveSmallIntegerField(
        _("units praised"), default=3, help_text=_("The best units of each group are praised.")
    )
    bottom_count = models.PositiveSmallIntegerField(
        _("units summoned"),
        default=3,
        help_text=_("The last units of each group are summoned (约谈)."),
    )
    tie_breaks = models.JSONField(
        _("tie-breaks"),
        default=list,
        blank=True,
        help_text=_("Indicators that order equal scores, in turn; units still equal share a rank."),
    )
    note = models.TextField(_("note"), blank=True, max_length=NOTE, validators=[MaxChars(NOTE)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")

    def __str__(self) -> str:
        return f"{self.name}（{self.valid_from:%Y-%m}）"

    def clean(self) -> None:
        if self.valid_from and self.valid_from.day != 1:
            self.valid_from = self.valid_from.replace(day=1)
        unknown = [code for code in self.tie_breaks or [] if code not in Indicator.values]
        if unknown:
            raise ValidationError(
                {"tie_breaks": _("Unknown indicator: %(codes)s") % {"codes": "、".join(unknown)}}
            )

    @property
    def full_points(self) -> Decimal | int:
        total: Decimal | int = sum(
            (rule.weight for rule in self.rules.all() if rule.method == Method.RATIO),
            start=0,
        )
        return total


class ScoringRule(models.Model):
    """How one indicator becomes points under a scheme.

    A rate (method "ratio") earns `weight` × (value − floor) / (target − floor), between 0 and
    `weight`. A count (method "per item") earns `per_item` points per item (negative to
    deduct), at most `cap` points either way.
    """

    scheme = models.ForeignKey(
        ScoringScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="rules"
    )
    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    weight = points_field(
        _("full points"), default=0, validators=[MinValueValidator(0)], blank=True
    )
    target = points_field(
        _("value for full points"),
        default=100,
        blank=True,
        help_text=_("A rate at or above this earns the full points."),
    )
    floor = points_field(
        _("value for no points"),
        default=0,
        blank=True,
        help_text=_("A rate at or below this earns nothing."),
    )
    per_item = points_field(
        _("points per item"),
        default=0,
        blank=True,
        help_text=_("Negative to deduct."),
    )
    cap = points_field(
        _("at most (points)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The most a count can add or deduct; empty for no limit."),
    )
    when_missing = models.CharField(
        _("when there is nothing to measure"),
        max_length=10,
        choices=WhenMissing.choices,
        default=WhenMissing.FULL,
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["scheme", "sort_order", "id"]
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "indicator"],
                name="one_rule_per_indicator",
                violation_error_message=_("This indicator already has a rule in this scheme."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheme}：{self.get_indicator_display()}"

    def clean(self) -> None:
        wanted = Method.RATIO if self.indicator in RATES else Method.PER_ITEM
        if self.indicator and self.method != wanted:
            raise ValidationError(
                {
                    "method": _("%(indicator)s is scored as %(method)s.")
                    % {"indicator": self.get_indicator_display(), "method": wanted.label}
                }
            )
        if self.method == Method.RATIO:
            if self.target is None or self.floor is None or self.target <= self.floor:
                raise ValidationError(
                    {"target": _("The value for full points must be above the value for none.")}
                )
            if not self.weight:
                raise ValidationError({"weight": _("Give the full points of a rate.")})
        elif self.method == Method.PER_ITEM and not self.per_item:
            raise ValidationError({"per_item": _("Give the points per item.")})


class RankingQuerySet(SignedInQuerySet["Ranking"]):
    """Rankings are sent to every unit: every signed-in user may read them."""


class Ranking(models.Model):
    """The units of one group scored and ranked for a month, quarter or year, as published."""

    kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    year = models.PositiveIntegerField(_("year"), validators=[validate_year])
    number = models.PositiveSmallIntegerField(
        _("month or quarter"), default=0, help_text=_("1–12 for a month, 1–4 for a quarter.")
    )
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    start = models.DateField(_("from"), validators=[validate_year])
    end = models.DateField(_("to"), validators=[validate_year])
    scheme = models.ForeignKey(
        ScoringScheme,
        verbose_name=_("scoring scheme"),
        on_delete=models.PROTECT,
        related_name="rankings",
    )
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    computed_at = models.DateTimeField(_("published at"), auto_now=True)

    objects = RankingQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "kind", "-number", "group"]
        verbose_name = _("ranking")
        verbose_name_plural = _("rankings")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "number", "group"],
                name="one_ranking_per_period_group",
                violation_error_message=_("This period already has a ranking for this group."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_label} {self.get_group_display()}"

    @property
    def period_label(self) -> str:
        from diaodu.assessment.periods import Window

        return Window(self.kind, self.year, self.number).label


class Score(models.Model):
    """One unit's score in a ranking, with the indicators and points that make it up."""

    ranking = models.ForeignKey(
        Ranking, verbose_name=_("ranking"), on_delete=models.CASCADE, related_name="scores"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="scores"
    )
    score = points_field(_("score"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    previous_rank = models.PositiveSmallIntegerField(_("previous rank"), null=True, blank=True)
    standing = models.CharField(
        _("standing"), max_length=10, choices=Standing.choices, default=Standing.MIDDLE
    )
    values = models.JSONField(_("indicators"), default=dict)
    lines = models.JSONField(
        _("explanation"),
        default=list,
        help_text=_("Each rule: indicator, value and points; the points add up to the score."),
    )

    class Meta:
        ordering = ["ranking", "rank", "id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["ranking", "unit"],
                name="one_score_per_ranking_unit",
                violation_error_message=_("This unit already has a score in this ranking."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.ranking} {self.unit}: {self.score}"

    @property
    def change(self) -> int | None:
        """Places gained since the previous period (negative when it fell)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank

    @property
    def standing_colour(self) -> str:
        return STANDING_COLOURS.get(self.standing, "secondary")
