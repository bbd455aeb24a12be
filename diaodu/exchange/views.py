"""The import pages: upload, the check (dry run) with its progress, confirm, problems."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from diaodu.core.excel import new_sheet, to_bytes, write_row
from diaodu.core.exports import xlsx_response
from diaodu.exchange import jobs, mapping, services, workbooks
from diaodu.exchange.forms import ImportForm
from diaodu.exchange.importer import can_import
from diaodu.exchange.models import ImportJob, ImportStatus
from diaodu.exchange.reader import ReadError, read


def _importer(request):
    if not can_import(request.user):
        raise PermissionDenied(_("You cannot import projects."))


@login_required
def import_start(request):
    _importer(request)
    posted = request.method == "POST"
    form = ImportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        user=request.user,
    )
    if posted and form.is_valid():
        job = services.do_start_import(
            request.user,
            file=form.cleaned_data["file"],
            program=form.cleaned_data["program"],
            year=form.cleaned_data["year"],
            create_missing=form.cleaned_data.get("create_missing", False),
        )
        return redirect("exchange:import-detail", job.pk)
    history = ImportJob.objects.visible_to(request.user).select_related("created_by", "program")
    page = Paginator(history, settings.DIAODU_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/import.html",
        {"form": form, "page": page, "limit": settings.DIAODU_UPLOAD_MAX_MB},
    )


def _job(request, pk) -> ImportJob:
    job = get_object_or_404(
        ImportJob.objects.visible_to(request.user).select_related("created_by", "program"), pk=pk
    )
    return jobs.expire_if_stale(job)


@login_required
def import_detail(request, pk):
    job = _job(request, pk)
    result = job.result or {}
    shown = (
        result.get("problems", [])
        if job.status == ImportStatus.REJECTED
        else result.get("changes", [])
    )
    page = Paginator(shown, settings.DIAODU_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "job": job,
        "result": result,
        "page": page,
        "correctable": job.created_by_id == request.user.pk
        and job.status in (ImportStatus.READY, ImportStatus.REJECTED),
        "field_choices": mapping.field_choices(),
    }
    if request.headers.get("HX-Request") and request.GET.get("poll"):
        return render(request, "exchange/_job.html", context)
    return render(request, "exchange/import_detail.html", context)


@login_required
@require_POST
def import_apply(request, pk):
    job = _job(request, pk)
    try:
        services.do_apply_import(request.user, job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("exchange:import-detail", job.pk)


@login_required
@require_POST
def import_columns(request, pk):
    """Read some columns of a sheet as the person says, remember it, and check again."""
    job = _job(request, pk)
    fields = {
        key.removeprefix("column-"): value
        for key, value in request.POST.items()
        if key.startswith("column-")
    }
    try:
        services.do_correct_columns(request.user, job, request.POST.get("sheet", ""), fields)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The columns will be read this way from now on; the file is being checked again."),
        )
    return redirect("exchange:import-detail", job.pk)


@login_required
def import_problems(request, pk):
    """The rejected file with every bad cell marked, to fix and import again."""
    job = _job(request, pk)
    problems = (job.result or {}).get("problems", [])
    try:
        with job.file.open("rb") as handle:
            content = workbooks.marked(read(handle, job.original_name), problems)
    except (ReadError, OSError):
        workbook, sheet = new_sheet(
            _("Import problems"), [_("Row"), _("Column"), _("Problem")], [8, 16, 80]
        )
        for number, problem in enumerate(problems, start=3):
            write_row(sheet, number, [problem[key] or "" for key in ("row", "column", "message")])
        content = to_bytes(workbook)
    return xlsx_response(
        content, f"{_('Import problems')}-{job.original_name}", f"import-{job.pk}-problems.xlsx"
    )


@login_required
def import_template(request):
    return xlsx_response(
        workbooks.template(), _("Project ledger template") + ".xlsx", "project-ledger-template.xlsx"
    )


@login_required
def import_city_template(request):
    """The sheets of projects' details (annual plans, milestones, approvals, funding)."""
    return xlsx_response(
        workbooks.city_template(),
        _("Project details template") + ".xlsx",
        "project-details-template.xlsx",
    )
