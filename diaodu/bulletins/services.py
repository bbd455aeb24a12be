"""Issuing a bulletin (通报): the one write path for the page, the API and the command.

Issuing publishes the period's rankings first when they are not published yet, so that the
bulletin and the ranking page say the same; then it numbers the bulletin (第N期 of the year),
queues the writing of the Word file (a task: it takes a while on a large portfolio) and keeps
it. A period has one bulletin: issuing it again returns the same bulletin and number, unless
it is reissued on purpose (a new issue and number; the earlier one is kept, marked superseded).
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpResponseBase
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from diaodu.assessment import services as assessment
from diaodu.assessment.choices import Group
from diaodu.assessment.models import Ranking
from diaodu.assessment.periods import Window
from diaodu.bulletins import progress
from diaodu.bulletins.choices import BulletinStatus
from diaodu.bulletins.documents import build_content, bulletin_docx, check_period, issue_text
from diaodu.bulletins.models import Bulletin
from diaodu.bulletins.permissions import NOT_AN_ISSUER, require_issuer
from diaodu.core.choices import DocumentKind
from diaodu.core.downloads import protected_file_response
from diaodu.core.history import record
from diaodu.core.models import Action
from diaodu.core.numbering import number_for
from diaodu.core.pdf import to_pdf
from diaodu.notifications.services import notify
from diaodu.org.models import User
from diaodu.reporting import snapshots


def bulletin_filename(window: Window, issue: int) -> str:
    """bulletin-2024-03-issue3.docx, bulletin-2024Q1-issue5.docx."""
    return f"bulletin-{window.code}-issue{issue}.docx"


def download_name(bulletin: Bulletin) -> str:
    return _("%(title)s (%(issue)s).docx") % {
        "title": bulletin.title,
        "issue": issue_text(bulletin.year, bulletin.issue),
    }


def stored_response(bulletin: Bulletin) -> HttpResponseBase:
    """The Word file as issued, for the page and the API (404 if the file is gone)."""
    try:
        return protected_file_response(bulletin.document, download_name(bulletin))
    except Http404 as error:
        raise Http404(_("The file of this bulletin is missing.")) from error


def stored_pdf_response(bulletin: Bulletin) -> HttpResponseBase:
    """The bulletin as issued, as a PDF shown in the browser (where LibreOffice is installed):
    converted the first time it is asked for and kept beside the Word file (an issued bulletin
    does not change), so it is converted once. 404 if the Word file is gone; ConversionError
    (with a message) if it cannot be converted."""
    if not bulletin.document:
        raise Http404(_("The file of this bulletin is missing."))
    field = Bulletin._meta.get_field("document")
    stored = FieldFile(bulletin, field, str(bulletin.document.name).removesuffix(".docx") + ".pdf")
    if not stored.storage.exists(str(stored.name)):
        try:
            with bulletin.document.open("rb") as word:
                content = to_pdf(word.read())
        except FileNotFoundError as error:
            raise Http404(_("The file of this bulletin is missing.")) from error
        stored = FieldFile(
            bulletin, field, stored.storage.save(str(stored.name), ContentFile(content))
        )
    name = download_name(bulletin).removesuffix(".docx") + ".pdf"
    return protected_file_response(stored, name, as_attachment=False)


def next_issue(year: int) -> int:
    latest: int | None = Bulletin.objects.filter(year=year).aggregate(n=Max("issue"))["n"]
    return (latest or 0) + 1


@transaction.atomic
def publish_missing(actor: User, window: Window, today: date | None = None) -> list[Ranking]:
    """Publish the rankings of the period's groups that are not published yet, in one
    transaction: all of them, or none."""
    return [
        assessment.do_publish_ranking(actor, window, group, today)
        for group in Group.values
        if assessment.published(window, group) is None
    ]


def current(window: Window) -> Bulletin | None:
    """The period's current bulletin (not superseded by a reissue), if any."""
    return (
        Bulletin.objects.select_related("document_number")
        .filter(kind=window.kind, year=window.year, number=window.number, superseded=False)
        .first()
    )


def do_issue_bulletin(
    actor: User, window: Window, today: date | None = None, *, reissue: bool = False
) -> Bulletin:
    """Issue the bulletin of a month or a quarter (headquarters only).

    The bulletin is numbered at once (第N期 of the year and its 发文字号) and its writing
    queued (`tasks.write_bulletin`); with no broker it is written before this returns.

    A period has one bulletin: issuing it again returns the bulletin it has (its
    `was_issued_before` is then True), and a bulletin whose writing failed is written again
    under its numbers. Only `reissue` issues the period anew: a new issue with a new number,
    the earlier bulletin kept and marked superseded, both recorded.
    """
    from diaodu.bulletins.tasks import write_bulletin

    require_issuer(actor)
    today = today or timezone.localdate()
    check_period(window, today)
    try:
        with transaction.atomic():
            bulletin = (
                Bulletin.objects.select_for_update()
                .filter(kind=window.kind, year=window.year, number=window.number, superseded=False)
                .first()
            )
            if bulletin is not None and bulletin.status != BulletinStatus.FAILED and not reissue:
                bulletin.was_issued_before = True
                return bulletin
            if bulletin is not None and bulletin.status == BulletinStatus.FAILED:
                bulletin.status, bulletin.error, bulletin.created_by = (
                    BulletinStatus.WRITING,
                    "",
                    actor,
                )
                bulletin.save(update_fields=["status", "error", "created_by"])
            else:
                replaced = bulletin
                if replaced is not None:
                    replaced.superseded = True
                    replaced.save(update_fields=["superseded"])
                    record(
                        actor,
                        replaced,
                        Action.UPDATE,
                        {"superseded": [False, True]},
                        reason=_("Reissued."),
                    )
                bulletin = Bulletin.objects.create(
                    kind=window.kind,
                    year=window.year,
                    number=window.number,
                    issue=next_issue(window.year),
                    title=_("Bulletin of %(period)s") % {"period": window.label},
                    status=BulletinStatus.WRITING,
                    created_by=actor,
                )
                bulletin.document_number = number_for(
                    bulletin, DocumentKind.BULLETIN, today.year, actor
                )
                bulletin.save(update_fields=["document_number"])
    except IntegrityError as error:
        # Issued by someone else at the same moment: theirs is the period's bulletin.
        existing = current(window)
        if existing is None or reissue:
            raise ValidationError(
                _("Another bulletin was issued at the same moment; issue this one again.")
            ) from error
        existing.was_issued_before = True
        return existing
    write_bulletin.delay(bulletin.pk, today.isoformat())
    bulletin.refresh_from_db()
    bulletin.was_issued_before = False
    return bulletin


@transaction.atomic
def write(bulletin: Bulletin, today: date) -> Bulletin:
    """Publish the rankings if needed, write the Word file and mark the bulletin issued: in one
    transaction, so that a failure leaves neither a ranking nor the bulletin issued."""
    actor = bulletin.created_by
    if actor is None:  # whoever issued it was deleted before it was written
        raise PermissionDenied(NOT_AN_ISSUER)
    window = Window(bulletin.kind, bulletin.year, bulletin.number)
    progress.mark(bulletin.pk, "rankings")
    publish_missing(actor, window, today)
    content = build_content(window, today, on_step=lambda step: progress.mark(bulletin.pk, step))
    content.issue = bulletin.issue
    if bulletin.document_number is not None:
        content.document_number = bulletin.document_number.text
    if bulletin.document:
        bulletin.document.delete(save=False)
    progress.mark(bulletin.pk, "document")
    document = bulletin_docx(content)
    progress.mark(bulletin.pk, "saving")
    bulletin.document.save(
        bulletin_filename(window, bulletin.issue), ContentFile(document), save=False
    )
    bulletin.title = content.title
    bulletin.status = BulletinStatus.ISSUED
    bulletin.save(update_fields=["document", "title", "status"])
    if content.lights_month is not None:  # the month's lights, as published, kept as they are
        snapshots.do_publish_month(content.lights_month)
    record(
        actor,
        bulletin,
        Action.CREATE,
        {
            "period": [None, window.code],
            "issue": [None, bulletin.issue],
            "document_number": [
                None,
                bulletin.document_number.text if bulletin.document_number else None,
            ],
            "title": [None, bulletin.title],
            "document": [None, bulletin.document.name],
        },
    )
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            assessment.every_unit_user(),
            _("Bulletin issued: %(title)s (%(issue)s)")
            % {"title": bulletin.title, "issue": issue_text(bulletin.year, bulletin.issue)},
            url=reverse("assessment:bulletin-download", args=[bulletin.pk]),
            body=_("Download the Word document from the link."),
            exclude=actor,
            event="bulletin.issued",
            key=f"bulletin:{bulletin.pk}:issued",
        )
    return bulletin
