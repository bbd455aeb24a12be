"""Enumerations of the reporting cycle, each status with a colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    """A monthly report carries the month's investment; an update only progress."""

    MONTHLY = "monthly", _("Monthly report")
    UPDATE = "update", _("Progress update")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


REPORT_STATUS_COLOURS: dict[str, str] = {
    ReportStatus.DRAFT: "secondary",
    ReportStatus.SUBMITTED: "blue",
    ReportStatus.RETURNED: "orange",
    ReportStatus.APPROVED: "green",
}


class Filing(models.TextChoices):
    """Where a project stands in a period, for the page of who is behind."""

    MISSING = "missing", _("Not reported")
    DRAFT = "draft", _("Draft, not submitted")
    SUBMITTED = "submitted", _("Submitted on time")
    LATE = "late", _("Submitted late")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


FILING_COLOURS: dict[str, str] = {
    Filing.MISSING: "red",
    Filing.DRAFT: "secondary",
    Filing.SUBMITTED: "blue",
    Filing.LATE: "orange",
    Filing.RETURNED: "yellow",
    Filing.APPROVED: "green",
}
