"""The home page (what the signed-in user's scope holds) and the work list (what waits for the
user: problems, tasks, reports to file and to review)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.shortcuts import render
from django.utils import timezone

from diaodu.problems import inbox as problem_inbox
from diaodu.projects.choices import Stage
from diaodu.projects.models import AnnualPlan, Project
from diaodu.reporting import inbox


@login_required
def home(request):
    year = timezone.localdate().year
    projects = Project.objects.visible_to(request.user)
    by_stage = dict(
        projects.order_by().values_list("stage").annotate(n=Count("pk")).values_list("stage", "n")
    )
    totals = projects.aggregate(count=Count("pk"), investment=Sum("total_investment"))
    plans = AnnualPlan.objects.filter(year=year)
    if projects.query.where:  # a scope that is not every project (`project IN` costs a lookup)
        plans = plans.filter(project__in=projects)
    planned = plans.aggregate(total=Sum("planned_investment"))["total"]
    stages = [(stage, by_stage.get(stage.value, 0)) for stage in Stage]
    return render(
        request,
        "core/home.html",
        {
            "year": year,
            "totals": totals,
            "planned": planned,
            "stages": stages,
            "to_file": inbox.to_file(request.user),
            "to_review": inbox.to_review(request.user),
        },
    )


@login_required
def work(request):
    """What is assigned to the user's unit, what has been escalated to the user, and the
    reports the user has to file or to review."""
    user = request.user
    return render(
        request,
        "problems/inbox.html",
        {
            **problem_inbox.waiting(user),
            "to_file": inbox.to_file(user),
            "to_review": inbox.to_review(user),
        },
    )
