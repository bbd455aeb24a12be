"""The record of every change (who, when, what changed, and why), job runs, and the numbers
given to official documents."""

from typing import Any, Self, TypeVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from diaodu.core.choices import DocumentKind
from diaodu.core.limits import GENERATED, NOTE, MaxChars, validate_year

_M = TypeVar("_M", bound=models.Model)


class SignedInQuerySet(models.QuerySet[_M]):
    """For models every signed-in user may read (the unit directory, programmes, periods)."""

    def visible_to(self, user: Any) -> Self:
        # `user` is request.user, org's User or AnonymousUser, which this layer cannot name.
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self


class Action(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    TRANSITION = "transition", _("Status changed")


class ChangeRecord(models.Model):
    """One change to a recorded object, with its field-by-field before and after.

    `changes` maps a field name to `[before, after]`, values as stored (choice keys, ids of
    related objects replaced by their names). `project` is set for everything that belongs
    to a project so its page can show one history.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(_("object"), max_length=200)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="change_records",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=NOTE, validators=[MaxChars(NOTE)])
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        indexes = [
            # The project page's history: a project's records, newest first.
            models.Index(fields=["project", "-created_at"], name="change_project_time"),
            # An object's own history.
            models.Index(fields=["content_type", "object_id"], name="change_object"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def readable_changes(self) -> list[tuple[str, str, str]]:
        """(field label, before, after) in the language of the reader."""
        return readable_changes(self.content_type.model_class(), self.changes)


def readable_changes(
    model: type[models.Model] | None, changes: dict[str, list[Any]]
) -> list[tuple[str, str, str]]:
    """Changes as recorded (field name to [before, after]) as (label, before, after)."""
    rows = []
    for name, (before, after) in changes.items():
        try:
            field = model._meta.get_field(name) if model is not None else None
        except Exception:
            field = None
        if field is None:  # a field (or its model) since removed: show its name as stored
            rows.append((name, _display(before), _display(after)))
            continue
        label = str(getattr(field, "verbose_name", name))
        choices = (
            dict(field.flatchoices) if isinstance(field, models.Field) and field.choices else {}
        )
        rows.append((label, _display(_choice(choices, before)), _display(_choice(choices, after))))
    return rows


def _choice(choices: dict[Any, Any], value: Any) -> Any:
    return choices.get(value, value) if isinstance(value, str) else value


def _display(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


class JobRun(models.Model):
    """The last run of a periodic job (open periods, refresh lights, reminders ...).

    One row per job, updated at every run, so that `/health/` can say when each last ran and
    whether it succeeded.
    """

    name = models.CharField(_("job"), max_length=100, unique=True)
    started_at = models.DateTimeField(
        _("last started"), null=True, blank=True, validators=[validate_year]
    )
    finished_at = models.DateTimeField(
        _("last finished"), null=True, blank=True, validators=[validate_year]
    )
    succeeded = models.BooleanField(_("last run succeeded"), null=True, blank=True)
    detail = models.TextField(
        _("detail"), blank=True, max_length=GENERATED, validators=[MaxChars(GENERATED)]
    )
    runs = models.PositiveIntegerField(_("runs"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self) -> str:
        return self.name


class DocumentNumber(models.Model):
    """The number (发文字号, 焦重办〔2026〕7号) given to one official document.

    Numbers run in sequence per kind of document and year, and an object (a bulletin, a
    meeting's minutes, a task's 督办单) gets one number of a kind, once: issuing it again
    gives the same number. Only an explicit reissue gives it the next number of its kind and
    year; the numbers it had before are kept in `history`, and the reissue is recorded
    (diaodu.core.numbering.number_for).
    """

    kind = models.CharField(_("kind of document"), max_length=20, choices=DocumentKind.choices)
    year = models.PositiveIntegerField(_("year"), validators=[validate_year])
    sequence = models.PositiveIntegerField(_("number"))
    # The issuer's abbreviation when the number was given (settings may change later).
    abbreviation = models.CharField(_("issuer's abbreviation"), max_length=20)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=40)
    # Who numbered it is in the document's own history (core is below org: no user here).
    issued_at = models.DateTimeField(_("numbered at"), auto_now_add=True)
    # Earlier numbers of the object, oldest first: {"year", "sequence", "text", "issued_at"}.
    history = models.JSONField(_("earlier numbers"), default=list, blank=True)

    class Meta:
        ordering = ["kind", "-year", "-sequence"]
        verbose_name = _("official document number")
        verbose_name_plural = _("official document numbers")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "sequence"],
                name="one_document_per_number",
                violation_error_message=_("This document number is already given."),
            ),
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id"],
                name="one_number_per_document",
                violation_error_message=_("This document already has a number."),
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """焦重办〔2026〕7号."""
        return f"{self.abbreviation}〔{self.year}〕{self.sequence}号"
