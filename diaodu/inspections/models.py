"""Inspections (督查问效, 现场察看, 实地核验): inspectors visit a site and check what was reported.

An inspection keeps the physical progress the inspectors saw beside the progress the last
report claimed (copied when it is recorded, so a later report does not change it): the gap
between the two shows a report that overstates progress.
"""

from datetime import date
from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from diaodu.core.limits import TEXT, MaxChars, validate_year
from diaodu.core.photos import Photo
from diaodu.core.uploads import unguessable_name
from diaodu.inspections.choices import RATING_COLOURS, Rating
from diaodu.org.models import AnyUser
from diaodu.projects.models import Project

PERCENT_VALIDATORS = [
    MinValueValidator(Decimal("0"), message=_("A percentage cannot be below 0.")),
    MaxValueValidator(Decimal("100"), message=_("A percentage cannot be above 100.")),
]


class InspectionQuerySet(models.QuerySet["Inspection"]):
    def visible_to(self, user: AnyUser) -> Self:
        """An inspection is visible to whoever may see its project."""
        return self.filter(project__in=Project.objects.visible_to(user).values("pk"))

    def overstated(self, threshold: Decimal | int | None = None) -> Self:
        """Inspections that saw less progress than reported, by more than the threshold."""
        if threshold is None:
            threshold = settings.DIAODU_PROGRESS_GAP
        return self.filter(progress_gap__gt=threshold)

    def with_counts(self) -> Self:
        """Annotate `problem_count` and `task_count`: what each raised on the spot (subqueries)."""
        from diaodu.problems.models import Problem, Task

        def count(model: type[Problem] | type[Task]) -> Coalesce:
            raised = (
                model.objects.filter(inspection=models.OuterRef("pk"))
                .order_by()
                .values("inspection")
                .annotate(n=models.Count("pk"))
                .values("n")[:1]
            )
            return Coalesce(models.Subquery(raised), 0)

        return self.annotate(problem_count=count(Problem), task_count=count(Task))


class Inspection(models.Model):
    """A visit to a project's site: who went, what they saw and found, and how it rates."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="inspections"
    )
    date = models.DateField(_("date of the visit"), validators=[validate_year])
    inspectors = models.CharField(
        _("inspectors"), max_length=200, help_text=_("Names of those who went, separated by 、")
    )
    findings = models.TextField(_("findings"), max_length=TEXT, validators=[MaxChars(TEXT)])
    verified_progress = models.TextField(
        _("progress seen on site"), blank=True, max_length=TEXT, validators=[MaxChars(TEXT)]
    )
    verified_percent = models.DecimalField(
        _("progress seen on site (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
    )
    report = models.ForeignKey(
        "reporting.ProgressReport",
        verbose_name=_("report checked"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
        help_text=_("The project's last submitted report before the visit."),
    )
    reported_percent = models.DecimalField(
        _("progress reported (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
        help_text=_("Copied from the report checked when the inspection was recorded."),
    )
    progress_gap = models.DecimalField(
        _("reported minus seen (points)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        editable=False,
    )
    rating = models.CharField(_("rating"), max_length=10, choices=Rating.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            models.CheckConstraint(
                condition=Q(verified_percent__isnull=True)
                | (Q(verified_percent__gte=0) & Q(verified_percent__lte=100)),
                name="inspection_percent_in_range",
                violation_error_message=_("The percentage must be between 0 and 100."),
            ),
        ]
        indexes = [
            # A project's inspections, latest first (project page, dashboard).
            models.Index(fields=["project", "date"], name="inspection_project_date"),
            # The inspections of a month (indicators, the bulletin).
            models.Index(fields=["date", "rating"], name="inspection_date_rating"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.date:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.progress_gap = (
            self.reported_percent - self.verified_percent
            if self.reported_percent is not None and self.verified_percent is not None
            else None
        )
        super().save(*args, **kwargs)

    @property
    def rating_colour(self) -> str:
        return RATING_COLOURS.get(self.rating, "secondary")

    @property
    def is_overstated(self) -> bool:
        return self.progress_gap is not None and self.progress_gap > settings.DIAODU_PROGRESS_GAP


def photo_path(photo: "InspectionPhoto", filename: str) -> str:
    return unguessable_name(
        f"inspections/{photo.inspection.date:%Y/%m}/{photo.inspection_id}", filename
    )


class InspectionPhoto(Photo):
    """A photo taken on the visit (images only, size-limited)."""

    OWNER = "inspection"
    TOO_OLD = _(
        "Taken %(age)d days before the inspection (on %(day)s; the limit is %(limit)d days)."
    )

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to=photo_path)

    class Meta(Photo.Meta):
        ordering = ["inspection", "id"]

    def reference_day(self) -> date:
        return self.inspection.date
