"""The ledger (台账) and the project page. Both start from Project.objects.visible_to(user)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from diaodu.core.models import ChangeRecord
from diaodu.exchange.importer import can_import
from diaodu.inspections.models import Inspection
from diaodu.inspections.services import can_inspect
from diaodu.problems.forms import TaskForm
from diaodu.problems.models import Problem, Task
from diaodu.problems.services import can_assign
from diaodu.problems.warnings import light_list
from diaodu.projects import exports
from diaodu.projects.ledger import COLUMNS, ledger, page_of, totals
from diaodu.projects.lights import evaluate
from diaodu.projects.models import AnnualPlan, Approval, Milestone, Project
from diaodu.reporting.models import ProgressReport
from diaodu.reporting.totals import project_totals

HISTORY_SHOWN = 50
REPORTS_SHOWN = 24
INSPECTIONS_SHOWN = 20


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


@login_required
def project_list(request):
    year = _year(request)
    filterset, queryset, sort = ledger(request.user, request.GET, year)
    page = page_of(queryset, request.GET.get("page"), settings.DIAODU_PAGE_SIZE)
    return render(
        request,
        "projects/project_list.html",
        {
            "filterset": filterset,
            "page": page,
            "ledger": queryset,  # the whole filtered set (lazy), for the tests and tools
            "year": year,
            "sort": sort,
            "columns": COLUMNS,
            "totals": totals(queryset, year),
            "can_import": can_import(request.user),
        },
    )


@login_required
def project_export(request):
    """Exactly the filtered ledger on screen, every row, with the same totals."""
    return exports.ledger_download(request.user, request.GET)


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
    reports = list(
        ProgressReport.objects.filter(project=project)
        .select_related("period__program")
        .order_by("-period__start", "period__program_id")[:REPORTS_SHOWN]
    )
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
            "totals": project_totals(project, year),
            "verdict": evaluate([project])[project.pk],
            "problems": light_list(
                Problem.objects.filter(project=project).select_related(
                    "project", "responsible_unit"
                )
            ),
            "tasks": light_list(
                Task.objects.filter(project=project).select_related("project", "lead_unit")
            ),
            "can_assign": can_assign(request.user),
            "task_form": TaskForm(initial={"lead_unit": project.lead_unit_id}),
            "reports": reports,
            # One query, the latest first: what inspectors saw against what was reported.
            "inspections": list(Inspection.objects.filter(project=project)[:INSPECTIONS_SHOWN]),
            "can_inspect": can_inspect(request.user),
        },
    )
