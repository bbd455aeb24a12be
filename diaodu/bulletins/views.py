"""Pages of bulletins (通报): the bulletins issued, issuing one, downloading, a preview.

Bulletins are sent to every unit: every signed-in user reads and downloads them (queries start
from Bulletin.objects.visible_to(user)); headquarters issues them.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from diaodu.assessment.choices import PeriodKind
from diaodu.assessment.periods import Window, period_options
from diaodu.bulletins import progress
from diaodu.bulletins.choices import BulletinStatus
from diaodu.bulletins.documents import build_content, bulletin_docx, issue_text
from diaodu.bulletins.models import Bulletin
from diaodu.bulletins.permissions import can_issue, require_issuer
from diaodu.bulletins.services import do_issue_bulletin, stored_pdf_response, stored_response
from diaodu.core.docx import docx_response
from diaodu.core.limits import CODE
from diaodu.core.pdf import ConversionError
from diaodu.core.pdf import available as pdf_available

PAGE_SIZE = 30


class IssueForm(forms.Form):
    period = forms.CharField(max_length=CODE, required=False)
    reissue = forms.BooleanField(required=False)


def number_text(bulletin: Bulletin) -> str:
    return bulletin.document_number.text if bulletin.document_number else "—"


def period_choices(today=None) -> list[tuple[str, list[Window]]]:
    """The periods a bulletin may be issued for, latest first: 24 months and 8 quarters."""
    return [
        (_("Months"), period_options(PeriodKind.MONTH, today)),
        (_("Quarters"), period_options(PeriodKind.QUARTER, today)),
    ]


def parse_period(text) -> Window:
    """A period from a form or a URL; a ValidationError with a message in Chinese otherwise."""
    if not text:
        raise ValidationError(_("Choose a month or a quarter."))
    try:
        return Window.parse(text)
    except ValueError as error:
        raise ValidationError(str(error)) from error


@login_required
def bulletin_list(request):
    bulletins = (
        Bulletin.objects.visible_to(request.user)
        .select_related("created_by", "document_number")
        .order_by("-created_at", "-id")
    )
    page = Paginator(bulletins, PAGE_SIZE).get_page(request.GET.get("page"))
    writing = progress.of_many([b.pk for b in page if b.status == BulletinStatus.WRITING])
    for bulletin in page:
        bulletin.issue_label = issue_text(bulletin.year, bulletin.issue)
        bulletin.progress = writing.get(bulletin.pk)
    return render(
        request,
        "bulletins/bulletin_list.html",
        {
            "page": page,
            "writing": any(b.status == BulletinStatus.WRITING for b in page),
            "can_issue": can_issue(request.user),
            "pdf_available": pdf_available(),
            "period_choices": period_choices(),
            "default_period": Window.default().code,
        },
    )


@login_required
@require_POST
def bulletin_issue(request):
    require_issuer(request.user)  # before the period is read
    try:
        form = IssueForm(request.POST)
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        window = parse_period(form.cleaned_data["period"])
        bulletin = do_issue_bulletin(request.user, window, reissue=form.cleaned_data["reissue"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        issue = issue_text(bulletin.year, bulletin.issue)
        if bulletin.was_issued_before:
            messages.info(
                request,
                _(
                    "%(title)s was issued before as %(issue)s (%(number)s); tick “reissue” to "
                    "issue it again with a new number."
                )
                % {"title": bulletin.title, "issue": issue, "number": number_text(bulletin)},
            )
        elif bulletin.status == BulletinStatus.ISSUED:
            messages.success(
                request,
                _("%(title)s is issued as %(issue)s.") % {"title": bulletin.title, "issue": issue},
            )
        elif bulletin.status == BulletinStatus.WRITING:
            messages.info(
                request,
                _("%(issue)s is being written; it appears below when it is ready.")
                % {"issue": issue},
            )
        else:
            messages.error(
                request, _("%(issue)s could not be written; issue it again.") % {"issue": issue}
            )
    return redirect("assessment:bulletins")


@login_required
def bulletin_download(request, pk):
    bulletin = get_object_or_404(Bulletin.objects.visible_to(request.user), pk=pk)
    return stored_response(bulletin)


@login_required
def bulletin_pdf(request, pk):
    """The bulletin as issued, as a PDF shown in the browser (where LibreOffice is installed).

    Converted the first time it is asked for and kept beside the Word file (an issued bulletin
    does not change), so it is converted once."""
    bulletin = get_object_or_404(Bulletin.objects.visible_to(request.user), pk=pk)
    try:
        return stored_pdf_response(bulletin)
    except ConversionError as error:
        messages.error(request, str(error))
        return redirect("assessment:bulletins")


@login_required
def bulletin_preview(request):
    """The bulletin as it would read now, written on the fly and kept nowhere."""
    try:
        window = parse_period(request.GET.get("period") or Window.default().code)
        content = build_content(window)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessment:bulletins")
    return docx_response(
        bulletin_docx(content),
        _("%(title)s (draft).docx") % {"title": content.title},
        f"bulletin-{window.code}-draft.docx",
    )
