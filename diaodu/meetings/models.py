"""Scheduling meetings (调度会): who met, about which projects, what was decided.

A meeting's scope is what its agenda covers: its programmes and regions (both, when both are
given: the programmes' projects in those regions), plus any project named on its own. An
empty scope covers everything the reader sees. Tasks set at a meeting point back to it
(`Task.meeting`).
"""

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from diaodu.core.limits import MINUTES, MaxChars, validate_year
from diaodu.meetings.choices import MeetingKind, MeetingLevel
from diaodu.org.choices import UnitKind
from diaodu.org.models import AnyUser, Leader, Unit
from diaodu.projects.models import Program, Project, ProjectQuerySet


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, user: AnyUser) -> Self:
        """The meetings a user may see: the one place meeting visibility is decided.

        Headquarters, leaders and inspectors see every meeting. Anyone else sees the meetings
        their unit (or a unit below it) attends, and those whose scope covers a project they
        see: a project named in it, or its programmes and regions matching those of one of
        the user's projects (an empty scope covers every project).
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        units = user.scope_unit_ids
        mine = Project.objects.visible_to(user)
        my_programs = Project.programs.through.objects.filter(project__in=mine.values("pk"))
        my_regions = Unit.objects.filter(
            Q(pk__in=mine.values("region_id")) | Q(children__in=mine.values("region_id"))
        )
        through: dict[str, Any] = {name: getattr(Meeting, name).through.objects for name in SCOPES}

        def has(name: str) -> Exists:
            return Exists(through[name].filter(meeting_id=OuterRef("pk")))

        programs_match = Q(
            pk__in=through["programs"]
            .filter(program_id__in=my_programs.values("program_id"))
            .values("meeting_id")
        )
        regions_match = Q(
            pk__in=through["regions"]
            .filter(unit_id__in=my_regions.values("pk"))
            .values("meeting_id")
        )
        broad = (
            (~Q(has("programs")) | programs_match)
            & (~Q(has("regions")) | regions_match)
            & (Q(has("programs")) | Q(has("regions")) | ~Q(has("projects")))
            & Q(Exists(mine))
        )
        return self.filter(
            Q(pk__in=through["attending_units"].filter(unit_id__in=units).values("meeting_id"))
            | Q(
                pk__in=through["projects"]
                .filter(project__in=mine.values("pk"))
                .values("meeting_id")
            )
            | broad
        )


SCOPES = ("programs", "regions", "projects", "attending_units")


class Meeting(models.Model):
    """A scheduling meeting: units report on projects, leaders decide, tasks are set."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.SCHEDULING
    )
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"), validators=[validate_year])
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.ForeignKey(
        Leader,
        verbose_name=_("chaired by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chaired_meetings",
    )
    attending_units = models.ManyToManyField(
        Unit, verbose_name=_("attending units"), related_name="meetings_attended", blank=True
    )
    attending_leaders = models.ManyToManyField(
        Leader, verbose_name=_("attending leaders"), related_name="meetings_attended", blank=True
    )
    programs = models.ManyToManyField(
        Program, verbose_name=_("programmes"), related_name="meetings", blank=True
    )
    projects = models.ManyToManyField(
        Project, verbose_name=_("projects"), related_name="meetings", blank=True
    )
    regions = models.ManyToManyField(
        Unit,
        verbose_name=_("regions"),
        related_name="meetings_about",
        blank=True,
        limit_choices_to={"kind": UnitKind.REGION},
    )
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=MeetingLevel.choices,
        default=MeetingLevel.CITY,
        help_text=_("Problems escalated to the leaders of this level are on its agenda."),
    )
    minutes = models.TextField(
        _("minutes"), blank=True, max_length=MINUTES, validators=[MaxChars(MINUTES)]
    )
    decisions = models.TextField(
        _("decisions"), blank=True, max_length=MINUTES, validators=[MaxChars(MINUTES)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [
            # The previous meeting of a kind (the agenda's "since the last meeting").
            models.Index(fields=["kind", "date"], name="meeting_kind_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"

    def scope_ids(self) -> dict[str, list[int]]:
        """The ids of the programmes, regions and projects of its scope (prefetch-aware)."""
        return {name: [obj.pk for obj in getattr(self, name).all()] for name in SCOPES[:3]}

    def covered_projects(
        self, user: AnyUser, ids: dict[str, list[int]] | None = None
    ) -> ProjectQuerySet:
        """The projects its agenda covers, among those the user sees."""
        ids = ids or self.scope_ids()
        projects = Project.objects.visible_to(user)
        if not any(ids.values()):
            return projects
        broad = Q(pk__in=[])
        if ids["programs"] or ids["regions"]:
            broad = Q()
            if ids["programs"]:
                broad &= Q(
                    pk__in=Project.programs.through.objects.filter(
                        program_id__in=ids["programs"]
                    ).values("project_id")
                )
            if ids["regions"]:
                # A region covers the units directly below it (a district's streets).
                broad &= Q(region_id__in=ids["regions"]) | Q(region__parent_id__in=ids["regions"])
        return projects.filter(broad | Q(pk__in=ids["projects"]))

    @property
    def has_scope(self) -> bool:
        return any(self.scope_ids().values())


class DraftCorrection(models.Model):
    """What a reviewer changed in a draft task drawn from the minutes, kept to learn from.

    One row per field changed (the lead unit, the project, the deadline) or per draft not
    created at all. ``written`` is the name as the minutes wrote it (区城管局): when the
    reviewer chose a unit whose names do not include it, the directory is offered the alias.
    """

    class Field(models.TextChoices):
        UNIT = "unit", _("lead unit")
        PROJECT = "project", _("project")
        DEADLINE = "deadline", _("deadline")
        REJECTED = "rejected", _("not created")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="corrections"
    )
    field = models.CharField(_("field"), max_length=10, choices=Field.choices)
    sentence = models.TextField(
        _("sentence of the minutes"),
        blank=True,
        max_length=MINUTES,
        validators=[MaxChars(MINUTES)],
    )
    written = models.CharField(_("as written"), max_length=100, blank=True)
    proposed_unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit proposed"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    chosen_unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit chosen"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_project = models.ForeignKey(
        Project,
        verbose_name=_("project proposed"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    chosen_project = models.ForeignKey(
        Project,
        verbose_name=_("project chosen"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_deadline = models.DateField(
        _("deadline proposed"), null=True, blank=True, validators=[validate_year]
    )
    chosen_deadline = models.DateField(
        _("deadline chosen"), null=True, blank=True, validators=[validate_year]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("corrected by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("corrected"), auto_now_add=True)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("draft correction")
        verbose_name_plural = _("draft corrections")
        indexes = [
            # The alias offers of a meeting: its unit corrections.
            models.Index(fields=["meeting", "field"], name="draftcorrection_meeting_field"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.field} {self.written}"
