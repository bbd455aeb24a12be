"""The bulletin (通报) of a month or a quarter, as sent to every unit.

A bulletin reads the assessment's rankings and the portfolio's figures at the period's end
(`documents.build_content`); what is kept here is the bulletin as issued: its number within
the year and the Word file.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from diaodu.assessment.choices import PeriodKind
from diaodu.bulletins.choices import BulletinStatus
from diaodu.core.limits import GENERATED, MaxChars, validate_year
from diaodu.core.models import SignedInQuerySet
from diaodu.core.uploads import unguessable_name


class BulletinQuerySet(SignedInQuerySet["Bulletin"]):
    """A bulletin is sent to every unit: every signed-in user may read it."""


def bulletin_path(bulletin: "Bulletin", filename: str) -> str:
    return unguessable_name(f"bulletins/{bulletin.year}", filename)


class Bulletin(models.Model):
    """A bulletin (通报) for a month or a quarter, as sent: the Word file is kept.

    Issuing numbers it at once (第N期 within the year, and its 发文字号) and queues its writing;
    the task fills in the document and marks it issued (or failed, with the reason, to be
    issued again). A period has one current bulletin: issuing it again gives the same one,
    unless it is reissued on purpose, which supersedes it with a new issue (both are kept).
    """

    kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    year = models.PositiveIntegerField(_("year"), validators=[validate_year])
    number = models.PositiveSmallIntegerField(_("month or quarter"))
    issue = models.PositiveSmallIntegerField(_("issue"), help_text=_("第N期 within the year."))
    title = models.CharField(_("title"), max_length=200)
    document = models.FileField(_("document"), upload_to=bulletin_path, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=BulletinStatus.choices,
        default=BulletinStatus.ISSUED,
        db_default=BulletinStatus.ISSUED,
    )
    error = models.TextField(
        _("why it failed"),
        blank=True,
        db_default="",
        max_length=GENERATED,
        validators=[MaxChars(GENERATED)],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    # 焦重办〔2026〕7号, given when it is issued (diaodu.core.numbering).
    document_number = models.OneToOneField(
        "core.DocumentNumber",
        verbose_name=_("official document number"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Replaced by a later bulletin of the same period, issued again on purpose (reissue).
    superseded = models.BooleanField(_("superseded"), default=False, db_default=False)

    objects = BulletinQuerySet.as_manager()

    # Set by do_issue_bulletin: True when the period's bulletin was issued before this call.
    was_issued_before: bool = False

    class Meta:
        # The table of the assessment app, where bulletins were kept before they had an app of
        # their own: moving them renamed nothing in the database (bulletins.0001_initial).
        db_table = "assessment_bulletin"
        ordering = ["-created_at", "-id"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "issue"],
                name="one_bulletin_per_issue",
                violation_error_message=_("This issue number is already used this year."),
            ),
            # Issuing a period again gives the bulletin it has, unless reissued on purpose.
            models.UniqueConstraint(
                fields=["kind", "year", "number"],
                condition=models.Q(superseded=False),
                name="one_current_bulletin_per_period",
                violation_error_message=_("This period already has a bulletin."),
            ),
        ]
        indexes = [
            # The bulletins of a period, latest first.
            models.Index(fields=["kind", "year", "number"], name="bulletin_period"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period_label(self) -> str:
        from diaodu.assessment.periods import Window

        return Window(self.kind, self.year, self.number).label
