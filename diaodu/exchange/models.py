"""An import of a ledger file: kept with its file, its check and its outcome."""

from datetime import timedelta
from typing import Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diaodu.core.limits import validate_year
from diaodu.core.models import SignedInQuerySet
from diaodu.core.uploads import Unguessable
from diaodu.org.models import AnyUser


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Checking")
    REJECTED = "rejected", _("Problems found")
    READY = "ready", _("Ready to import")
    APPLYING = "applying", _("Importing")
    APPLIED = "applied", _("Imported")
    FAILED = "failed", _("Failed")


RUNNING = {ImportStatus.CHECKING, ImportStatus.APPLYING}
# A running import reports progress every few hundred rows; silence this long means it died.
STALE_AFTER = timedelta(minutes=10)


class ImportJobQuerySet(SignedInQuerySet["ImportJob"]):
    def visible_to(self, user: AnyUser) -> Self:
        """Headquarters sees every import; anyone else their own."""
        queryset = super().visible_to(user)
        if not user.is_authenticated or user.is_headquarters:
            return queryset
        return queryset.filter(created_by=user)


class ImportJob(models.Model):
    """One uploaded ledger: checked first (the dry run), then imported on confirmation."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="imports",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    file = models.FileField(_("file"), upload_to=Unguessable("imports"))
    original_name = models.CharField(_("file name"), max_length=255)
    program = models.ForeignKey(
        "projects.Program",
        verbose_name=_("programme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Every imported project is added to this programme."),
    )
    year = models.PositiveIntegerField(_("year of the annual plan"), validators=[validate_year])
    create_missing = models.BooleanField(_("create unknown units and leaders"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.CHECKING
    )
    done = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    heartbeat_at = models.DateTimeField(
        _("last sign of life"), null=True, blank=True, validators=[validate_year]
    )
    finished_at = models.DateTimeField(
        _("finished"), null=True, blank=True, validators=[validate_year]
    )
    applied_at = models.DateTimeField(
        _("imported"), null=True, blank=True, validators=[validate_year]
    )

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING

    @property
    def is_stale(self) -> bool:
        """Running, but no progress for a long while: the process that ran it has stopped."""
        last = self.heartbeat_at or self.created_at
        return self.is_running and last is not None and timezone.now() - last > STALE_AFTER

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = self.result.get("counts", {})
        return counts


class ColumnMapping(models.Model):
    """How the columns of a sheet with a given header are read, as a person corrected it on
    the dry run (this column is 责任单位, that one is not 总投资). The next file whose sheet
    has the same header, cell for cell, is read the same way, whoever imports it."""

    signature = models.CharField(_("header signature"), max_length=64, unique=True)
    headers = models.JSONField(_("headers"), default=list, blank=True)
    # Column position (as text) to the field it fills, or "" for a column left aside.
    fields = models.JSONField(_("fields"), default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")

    def __str__(self) -> str:
        return " | ".join(str(header) for header in self.headers)[:200]
