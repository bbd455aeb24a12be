"""Pages of the reporting cycle. Every query starts from a model's visible_to(user)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Func, IntegerField, OuterRef, Subquery
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from diaodu.core.models import ChangeRecord
from diaodu.core.photos import photo_response
from diaodu.problems import services as problem_services
from diaodu.problems.choices import ProblemSource
from diaodu.problems.forms import ReportProblemForm
from diaodu.projects.models import Program, Project
from diaodu.reporting import excel, exports, progress, services
from diaodu.reporting.choices import Filing, ReportStatus
from diaodu.reporting.forms import PhotoForm, ReportForm, UploadForm
from diaodu.reporting.models import ProgressReport, ReportingPeriod, ReportPhoto
from diaodu.reporting.progress import period_rows
from diaodu.reporting.rows import FillRows
from diaodu.reporting.totals import project_totals


def _period(user, pk):
    return get_object_or_404(
        ReportingPeriod.objects.visible_to(user).select_related("program"), pk=pk
    )


def _report(user, pk):
    return get_object_or_404(
        ProgressReport.objects.visible_to(user).select_related(
            "project__region",
            "project__owner",
            "project__lead_unit",
            "period__program",
            "submitted_by",
            "reviewed_by",
        ),
        pk=pk,
    )


def _fileable(user, period, only=None):
    """The projects of a period the user may file for, in ledger order; with `only`, just those
    fields of them instead of every column with the region and the owner."""
    projects = services.fileable(
        user, Project.objects.visible_to(user).filter(period.due())
    ).order_by(*Project._meta.ordering)
    if only:
        return projects.only(*only)
    return projects.select_related("region", "owner")


def _reports_filed():
    """The reports submitted or approved of the period of the outer query: COUNT over the
    index (status, period) alone, with no GROUP BY (which would sort every entry)."""
    return Subquery(
        ProgressReport.objects.filter(
            period=OuterRef("pk"), status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED]
        )
        .order_by()
        .values(n=Func("pk", function="COUNT", output_field=IntegerField())),
        output_field=IntegerField(),
    )


@login_required
def period_list(request):
    """The periods, newest first, each with its reports submitted. The page of periods is
    chosen first; only its 30 periods count their reports (each count reads some 50,000 entries
    of an index at 50,000 projects), never every period of every year."""
    periods = (
        ReportingPeriod.objects.visible_to(request.user)
        .select_related("program")
        .order_by("-start", "kind", "program__name", "pk")
    )
    page = Paginator(periods, 30).get_page(request.GET.get("page"))
    page.object_list = periods.filter(pk__in=page.object_list.values("pk")).annotate(
        n_reports=_reports_filed()
    )
    return render(request, "reporting/period_list.html", {"page": page})


@login_required
def period_detail(request, pk):
    """Who is behind: the counts per unit, then a page of the projects (of one filing state,
    with ?filing=), both from the database; rows are built only for the page shown."""
    period = _period(request.user, pk)
    program = _program_filter(request, period)
    projects = progress.due_projects(period, request.user, program)
    counts, by_filing = progress.counts_for(period, request.user, program)
    filing = request.GET.get("filing") or None
    if filing is None:
        rows = progress.PeriodRows(projects, period, sum(by_filing.values()))
    elif filing in Filing.values:
        shown = progress.with_report(projects, period).filter(progress.filing_q(filing, period))
        rows = progress.PeriodRows(shown, period, by_filing[filing])
    else:
        rows = progress.PeriodRows(projects.none(), period, 0)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/period_detail.html",
        {
            "period": period,
            "page": page,
            "rows": page.object_list,
            "counts": counts,
            "filing": filing,
            "program": program,
            "programs": _programs_of(period),
        },
    )


def _programs_of(period):
    """The programmes a monthly period can be narrowed to: those of its year."""
    if period.program_id is not None:
        return []
    return list(Program.objects.filter(year=period.year).order_by("level", "name"))


def _program_filter(request, period):
    """The programme chosen with ?program= on a monthly period's page (one of its year)."""
    value = request.GET.get("program", "")
    if period.program_id is not None or not value.isdigit():
        return None
    return Program.objects.filter(pk=int(value), year=period.year).first()


@login_required
def period_export(request, pk):
    """The rows of the period's page, filtered the same way, with every report's content."""
    period = _period(request.user, pk)
    program = _program_filter(request, period)
    rows = period_rows(period, request.user, program, filing=request.GET.get("filing"))
    return exports.period_response(period, rows)


# Rows of the filing page: an owner with thousands of projects (a province's investment group)
# gets them a page at a time, each row a form.
FILL_PAGE = 50


@login_required
def period_fill(request, pk):
    """The grid: one row per project, each saved on its own (htmx); 50 rows a page, found by
    name with ?q=."""
    period = _period(request.user, pk)
    projects = _fileable(request.user, period, only=("name",))  # all that a row shows
    query = (request.GET.get("q") or "").strip()[:100]
    if query:
        projects = projects.filter(name__contains=query)
    paginator = Paginator(projects, FILL_PAGE)
    paginator.count = progress.fileable_count(period, request.user, projects, query)
    page = paginator.get_page(request.GET.get("page"))
    shown = list(page.object_list)
    reports = {
        r.project_id: r
        for r in ProgressReport.objects.filter(period=period, project__in=[p.pk for p in shown])
    }
    rows = [{"project": p, "report": reports.get(p.pk)} for p in shown]
    writer = FillRows(period, get_token(request))
    written = "".join(writer.row(row["project"], row["report"], None) for row in rows)
    return render(
        request,
        "reporting/period_fill.html",
        {
            "period": period,
            "rows": rows,
            "written": mark_safe(written),  # noqa: S308 (every row escaped by FillRows)
            "page": page,
            "query": query,
        },
    )


@login_required
@require_POST
def period_fill_row(request, pk, project_pk):
    """Saves one row of the grid and answers the row again: 200 when saved (the new version in
    the X-Report-Version header, which the page's offline drafts wait for before dropping the
    draft), 409 when someone saved a newer version, 400 for values refused, 403 when the user
    may not file it."""
    period = _period(request.user, pk)
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=project_pk)
    form = ReportForm(request.POST, period=period, prefix=f"p{project.pk}")
    writer = FillRows(period, get_token(request))
    try:
        version = int(request.POST.get(f"p{project.pk}-version") or 0)
        result = services.do_save_report(
            request.user, project, period, form.values(), version=version
        )
    except services.ReportConflict as conflict:
        row = writer.row(project, conflict.current, form, conflict=conflict)
        return HttpResponse(row, status=409)
    except ValidationError as error:
        _attach_errors(form, error)
        report = ProgressReport.objects.filter(project=project, period=period).first()
        return HttpResponse(writer.row(project, report, form), status=400)
    except PermissionDenied as error:
        return HttpResponse(writer.row(project, None, form, error=str(error)), status=403)
    saved = result.report
    row = writer.row(project, saved, None, saved=True, warnings=result.warnings)
    response = HttpResponse(row)
    response["X-Report-Version"] = str(saved.version)
    return response


def _attach_errors(form, error: ValidationError):
    form.is_valid()  # build cleaned_data so that errors can be added
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@login_required
def period_template(request, pk):
    period = _period(request.user, pk)
    content = excel.template(period, _fileable(request.user, period))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"reports-{period.code}-{period.start:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def period_upload(request, pk):
    period = _period(request.user, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    problems = None
    if request.method == "POST" and form.is_valid():
        projects = {p.pk: p for p in _fileable(request.user, period)}
        try:
            upload = excel.save_upload(form.cleaned_data["file"], period, request.user, projects)
        except excel.UploadRejected as rejected:
            problems = rejected.problems
        else:
            messages.success(
                request,
                _(
                    "%(count)d reports saved from the file; %(unchanged)d rows were as already "
                    "filed and %(blank)d rows were left blank, so they changed nothing."
                )
                % {
                    "count": len(upload.saved),
                    "unchanged": upload.unchanged,
                    "blank": upload.blank,
                },
            )
            return redirect("reporting:fill", pk=period.pk)
    return render(
        request,
        "reporting/period_upload.html",
        {
            "period": period,
            "form": form,
            "problems": problems,
        },
    )


@login_required
def report_detail(request, pk):
    report = _report(request.user, pk)
    user = request.user
    form = ReportForm(period=report.period, instance=report, initial={"version": report.version})
    problem_form = ReportProblemForm(initial={"responsible_unit": report.project.region_id})
    conflict = None
    if request.method == "POST":
        form = ReportForm(request.POST, period=report.period, instance=ProgressReport(pk=report.pk))
        problem_form = ReportProblemForm(request.POST)
        try:
            with transaction.atomic():
                version = int(request.POST.get("version") or 0)
                result = services.do_save_report(
                    user, report.project, report.period, form.values(), version=version
                )
                if problem_form.has_problem():
                    _raise_from_report(user, result.report, problem_form)
        except services.ReportConflict as error:
            conflict = error
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            for warning in result.warnings:
                messages.warning(request, warning)
            messages.success(request, _("Report saved."))
            return redirect("reporting:report", pk=report.pk)
    history = ChangeRecord.objects.filter(
        content_type__app_label="reporting",
        content_type__model="progressreport",
        object_id=str(report.pk),
    ).select_related("actor", "content_type")
    return render(
        request,
        "reporting/report_detail.html",
        {
            "report": report,
            "form": form,
            "conflict": conflict,
            "history": history,
            "photos": report.photos.all(),
            "photo_form": PhotoForm(),
            "problem_form": problem_form,
            "problems": report.raised_problems.select_related("responsible_unit"),
            "can_file": services.can_file(user, report.project),
            "can_review": services.can_review(user, report.project),
            "totals": project_totals(
                Project.objects.prefetch_related("annual_plans").get(pk=report.project_id),
                report.period.start.year,
            ),
        },
    )


def _raise_from_report(user, report, problem_form):
    """The problem typed on the report's page, raised with the report as its source."""
    if not problem_form.is_valid():
        raise ValidationError(_("Check the problem's fields."))
    data = problem_form.cleaned_data
    missing = [
        problem_form.fields[name].label
        for name in ("responsible_unit", "deadline")
        if not data.get(name)
    ]
    if missing:
        raise ValidationError(
            _("To raise the problem, give: %(fields)s.") % {"fields": "、".join(map(str, missing))}
        )
    problem_services.do_raise_problem(
        user,
        report.project,
        description=data["description"],
        category=data["category"] or "other",
        responsible_unit=data["responsible_unit"],
        deadline=data["deadline"],
        source=ProblemSource.REPORT,
        report=report,
    )


ACTIONS = {
    "submit": (services.do_submit_report, False, gettext_lazy("Report submitted.")),
    "approve": (services.do_approve_report, False, gettext_lazy("Report approved.")),
    "return": (services.do_return_report, True, gettext_lazy("Report returned.")),
    "reopen": (services.do_reopen_report, True, gettext_lazy("Report reopened.")),
}


@login_required
@require_POST
def report_action(request, pk, action):
    report = _report(request.user, pk)
    if action not in ACTIONS:
        raise PermissionDenied
    service, needs_reason, done = ACTIONS[action]
    try:
        if needs_reason:
            service(request.user, report, request.POST.get("reason", ""))
        else:
            service(request.user, report)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("reporting:report", pk=report.pk)


@login_required
@require_POST
def report_photo(request, pk):
    report = _report(request.user, pk)
    if not services.can_file(request.user, report.project):
        raise PermissionDenied(_("You cannot file reports for this project."))
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.do_add_photo(
                request.user,
                report,
                form.cleaned_data["image"],
                form.cleaned_data["caption"],
                form.sent(),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Photo added."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("reporting:report", pk=report.pk)


@login_required
def photo_file(request, pk):
    """A report's photo, for whoever may see its project (nothing under /media/ is public)."""
    photo = get_object_or_404(
        ReportPhoto.objects.filter(report__in=ProgressReport.objects.visible_to(request.user)),
        pk=pk,
    )
    return photo_response(request, photo)
