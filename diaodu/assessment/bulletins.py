"""Issuing a bulletin (通报): the one write path for the page, the API and the command.

Issuing publishes the period's rankings first when they are not published yet, so that the
bulletin and the ranking page say the same; then it numbers the bulletin (第N期 of the year),
writes the Word file and keeps it. Every bulletin issued is kept: issuing again for the same
period makes a new issue.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.assessment import services
from diaodu.assessment.bulletin import build_content, bulletin_docx, check_period, issue_text
from diaodu.assessment.choices import Group
from diaodu.assessment.models import Bulletin
from diaodu.assessment.periods import Window
from diaodu.core.downloads import protected_file_response
from diaodu.core.history import record
from diaodu.core.models import Action


def bulletin_filename(window: Window, issue: int) -> str:
    """bulletin-2024-03-issue3.docx, bulletin-2024Q1-issue5.docx."""
    return f"bulletin-{window.code}-issue{issue}.docx"


def download_name(bulletin: Bulletin) -> str:
    return _("%(title)s (%(issue)s).docx") % {
        "title": bulletin.title,
        "issue": issue_text(bulletin.year, bulletin.issue),
    }


def stored_response(bulletin: Bulletin):
    """The Word file as issued, for the page and the API (404 if the file is gone)."""
    try:
        return protected_file_response(bulletin.document, download_name(bulletin))
    except Http404 as error:
        raise Http404(_("The file of this bulletin is missing.")) from error


def next_issue(year: int) -> int:
    return (Bulletin.objects.filter(year=year).aggregate(n=Max("issue"))["n"] or 0) + 1


def publish_missing(actor, window: Window, today: date | None = None) -> list:
    """Publish the rankings of the period's groups that are not published yet."""
    return [
        services.do_publish_ranking(actor, window, group, today)
        for group in Group.values
        if services.published(window, group) is None
    ]


def do_issue_bulletin(actor, window: Window, today: date | None = None) -> Bulletin:
    """Issue the bulletin of a month or a quarter (headquarters only)."""
    if not services.can_manage(actor):
        raise PermissionDenied(_("Only headquarters manages rankings, bulletins and schemes."))
    today = today or timezone.localdate()
    check_period(window, today)
    try:
        with transaction.atomic():
            return _issue(actor, window, today)
    except IntegrityError as error:
        # Someone else took this issue number in the meantime.
        raise ValidationError(
            _("Another bulletin was issued at the same moment; issue this one again.")
        ) from error


def _issue(actor, window: Window, today: date) -> Bulletin:
    publish_missing(actor, window, today)
    content = build_content(window, today)
    content.issue = next_issue(window.year)
    bulletin = Bulletin(
        kind=window.kind,
        year=window.year,
        number=window.number,
        issue=content.issue,
        title=content.title,
        created_by=actor,
    )
    bulletin.document.save(
        bulletin_filename(window, content.issue), ContentFile(bulletin_docx(content)), save=False
    )
    try:
        with transaction.atomic():
            bulletin.save()
    except IntegrityError:
        bulletin.document.delete(save=False)
        raise
    record(
        actor,
        bulletin,
        Action.CREATE,
        {
            "period": [None, window.code],
            "issue": [None, bulletin.issue],
            "title": [None, bulletin.title],
            "document": [None, bulletin.document.name],
        },
    )
    return bulletin
