"""The project page and the pages that change a project, all from Project.objects.visible_to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from diaodu.core.downloads import protected_file_response
from diaodu.core.limits import year_or_none
from diaodu.core.models import ChangeRecord
from diaodu.core.uploads import upload_limit_bytes
from diaodu.projects import panels, services
from diaodu.projects.forms import (
    FundingLineForm,
    MembershipForm,
    MilestoneForm,
    MilestoneMetForm,
    PlanForm,
    ProjectForm,
)
from diaodu.projects.models import AnnualPlan, Approval, FundingLine, Milestone, Program, Project
from diaodu.projects.permissions import Part, can_create, creatable_parts, editable_parts

HISTORY_SHOWN = 50
# The parts edited on the project's own form.
PROJECT_FORM_PARTS = (Part.BASIC, Part.STAGE, Part.ACTUAL_DATES, Part.CONTACTS)


def _year(request) -> int:
    """The year asked for (?year=), or this year when none, or none within the years."""
    return year_or_none(request.GET.get("year")) or timezone.localdate().year


@login_required
def project_detail(request, pk):
    year = _year(request)
    queryset = (
        Project.objects.visible_to(request.user)
        .select_related("region", "owner", "lead_unit")
        .prefetch_related(
            "programs",
            "leaders",
            "responsible_units",
            Prefetch("annual_plans", queryset=AnnualPlan.objects.prefetch_related("months")),
            Prefetch("milestones", queryset=Milestone.objects.select_related("responsible_unit")),
            Prefetch(
                "approvals", queryset=Approval.objects.select_related("responsible_department")
            ),
            "funding_lines",
        )
    )
    project = get_object_or_404(queryset, pk=pk)
    history = list(
        ChangeRecord.objects.filter(project=project).select_related("actor", "content_type")[
            :HISTORY_SHOWN
        ]
    )
    plans = list(project.annual_plans.all())
    current_plan = next((plan for plan in plans if plan.year == year), None)
    funding = list(project.funding_lines.all())
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "year": year,
            "plans": plans,
            "current_plan": current_plan,
            "milestones": project.milestones.all(),
            "approvals": project.approvals.all(),
            "funding": funding,
            "funding_totals": {
                key: sum((getattr(line, key) for line in funding), 0)
                for key in ("planned", "secured", "disbursed")
            },
            "history": history,
            **panels.gather(request, project, year),
            "editable": editable_parts(request.user, project),
            "can_edit_project": bool(
                editable_parts(request.user, project) & set(PROJECT_FORM_PARTS)
            ),
        },
    )


# -- editing: each page shows the fields of the parts the user may change --------------------


def _project(user, pk, *parts):
    """A project the user may see (else 404) and may change one of `parts` in (else 403)."""
    project = get_object_or_404(Project.objects.visible_to(user), pk=pk)
    if parts and not editable_parts(user, project) & set(parts):
        raise PermissionDenied(_("You cannot change this part of the project."))
    return project


def _too_large():
    limit = upload_limit_bytes() // (1024 * 1024)
    return _("The file is larger than %(limit)d MB and was refused unread.") % {"limit": limit}


def _form_page(request, project, form, title, *, multipart=False):
    return render(
        request,
        "projects/form.html",
        {"project": project, "form": form, "title": title, "multipart": multipart},
    )


def _saved(request, project, message):
    messages.success(request, message)
    return redirect("projects:detail", pk=project.pk)


@login_required
def project_new(request):
    """Headquarters creates a project; a region proposes one in its area."""
    if not can_create(request.user):
        raise PermissionDenied(_("You cannot create projects."))
    parts = creatable_parts(request.user)
    form = ProjectForm(request.POST or None, user=request.user, creating=True, parts=parts)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.do_create_project(request.user, form.values())
        except ValidationError as error:
            form.put_back(error)
        else:
            return _saved(request, project, _("Project created."))
    return _form_page(request, None, form, _("New project"))


@login_required
def project_edit(request, pk):
    """A project's own fields, as far as the user may change them."""
    project = _project(request.user, pk, *PROJECT_FORM_PARTS)
    form = ProjectForm(
        request.POST or None,
        instance=project,
        user=request.user,
        parts=editable_parts(request.user, project),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_project(
                request.user, project, form.values(), reason=form.cleaned_data.get("reason", "")
            )
        except ValidationError as error:
            form.put_back(error)
        else:
            return _saved(request, project, _("Project saved."))
    return _form_page(request, project, form, _("Edit the project"))


@login_required
def milestone_new(request, pk):
    project = _project(request.user, pk, Part.MILESTONES)
    form = MilestoneForm(request.POST or None, parts=editable_parts(request.user, project))
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_milestone(request.user, project, form.values())
        except ValidationError as error:
            form.put_back(error)
        else:
            return _saved(request, project, _("Milestone added."))
    return _form_page(request, project, form, _("Add a milestone"))


def _milestone(request, pk, milestone_pk, *parts):
    project = _project(request.user, pk, *parts)
    milestone = get_object_or_404(Milestone, project=project, pk=milestone_pk)
    return project, milestone


@login_required
def milestone_edit(request, pk, milestone_pk):
    project, milestone = _milestone(request, pk, milestone_pk, Part.MILESTONES)
    form = MilestoneForm(
        request.POST or None, instance=milestone, parts=editable_parts(request.user, project)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_milestone(request.user, milestone, form.values())
        except ValidationError as error:
            form.put_back(error)
        else:
            return _saved(request, project, _("Milestone saved."))
    return _form_page(
        request, project, form, _("Edit the milestone %(name)s") % {"name": milestone.name}
    )


@login_required
def milestone_met(request, pk, milestone_pk):
    """Record that a milestone was met: the date, and a photo or document showing it."""
    project, milestone = _milestone(request, pk, milestone_pk, Part.MILESTONES_MET)
    form = MilestoneMetForm(
        request.POST or None,
        request.FILES or None,
        instance=milestone,
        initial={"actual_date": milestone.actual_date or timezone.localdate()},
        parts=editable_parts(request.user, project),
    )
    if request.method == "POST" and getattr(request, "upload_too_large", False):
        form.is_valid()
        form.add_error("evidence", _too_large())
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.do_mark_milestone_met(
                request.user,
                milestone,
                actual_date=data["actual_date"],
                evidence=data.get("evidence"),
                note=data.get("note", ""),
            )
        except ValidationError as error:
            form.put_back(error)
        else:
            return _saved(request, project, _("Milestone marked as met."))
    title = _("Milestone met: %(name)s") % {"name": milestone.name}
    return _form_page(request, project, form, title, multipart=True)


@login_required
@require_POST
def milestone_delete(request, pk, milestone_pk):
    project, milestone = _milestone(request, pk, milestone_pk, Part.MILESTONES)
    services.do_delete_milestone(request.user, milestone)
    return _saved(request, project, _("Milestone deleted."))


@login_required
def milestone_evidence(request, pk, milestone_pk):
    """A milestone's evidence, to whoever may see the project."""
    _project_, milestone = _milestone(request, pk, milestone_pk)
    return protected_file_response(milestone.evidence, as_attachment=False)


@login_required
def funding_new(request, pk):
    project = _project(request.user, pk, Part.FUNDING, Part.FUNDS)
    form = FundingLineForm(
        request.POST or None, project=project, parts=editable_parts(request.user, project)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_funding_line(request.user, project, form.values())
        except ValidationError as error:
            form.put_back(error)
        else:
            return _saved(request, project, _("Funding line added."))
    return _form_page(request, project, form, _("Add a source of funding"))


@login_required
def funding_edit(request, pk, line_pk):
    project = _project(request.user, pk, Part.FUNDING, Part.FUNDS)
    line = get_object_or_404(FundingLine, project=project, pk=line_pk)
    form = FundingLineForm(
        request.POST or None, instance=line, parts=editable_parts(request.user, project)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_funding_line(request.user, line, form.values())
        except ValidationError as error:
            form.put_back(error)
        else:
            return _saved(request, project, _("Funding line saved."))
    title = _("Funding: %(source)s") % {"source": line.get_source_display()}
    return _form_page(request, project, form, title)


@login_required
def plan_edit(request, pk, year):
    """A year's plan with its twelve monthly amounts."""
    project = _project(request.user, pk, Part.PLAN)
    if not 2000 <= year <= 2100:
        raise Http404
    plan = AnnualPlan.objects.filter(project=project, year=year).first()
    initial = {}
    if plan is not None:
        initial = {"planned_investment": plan.planned_investment, "targets": plan.targets}
        initial.update({f"month_{m.month}": m.planned_investment for m in plan.months.all()})
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {"planned_investment": data["planned_investment"], "targets": data["targets"]}
        try:
            services.do_save_annual_plan(request.user, project, year, values, months=form.months())
        except ValidationError as error:
            form.put_back(error)
        else:
            messages.success(request, _("Annual plan saved."))
            return redirect(reverse("projects:detail", args=[project.pk]) + f"?year={year}")
    return render(
        request,
        "projects/plan_form.html",
        {"project": project, "form": form, "year": year, "plan": plan},
    )


@login_required
def project_programs(request, pk):
    """Programme membership (动态调整): in or out, each move with its reason kept."""
    project = _project(request.user, pk, Part.PROGRAMS)
    current = list(project.programs.all())
    form = MembershipForm(request.POST or None, initial={"action": MembershipForm.ADD})
    form.fields["program"].queryset = Program.objects.exclude(
        pk__in=[p.pk for p in current]
    ).filter(year__gte=timezone.localdate().year - 1)
    if request.method == "POST":
        if request.POST.get("action") == MembershipForm.REMOVE:
            form.fields["program"].queryset = project.programs.all()
        if form.is_valid():
            data = form.cleaned_data
            move = (
                services.do_add_to_program
                if data["action"] == MembershipForm.ADD
                else services.do_remove_from_program
            )
            try:
                move(request.user, project, data["program"], reason=data["reason"])
            except ValidationError as error:
                form.put_back(error)
            else:
                messages.success(request, _("Programme membership saved."))
                return redirect("projects:programs", pk=project.pk)
    history = list(
        ChangeRecord.objects.filter(
            project=project, content_type__model="project", changes__has_key="programs"
        ).select_related("actor", "content_type")[:HISTORY_SHOWN]
    )
    return render(
        request,
        "projects/programs.html",
        {"project": project, "current": current, "form": form, "history": history},
    )
