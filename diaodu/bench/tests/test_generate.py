"""`diaodu generate`: a province that scales with --projects, valid, deterministic, usable."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from diaodu.core.choices import Light
from diaodu.org.choices import Role, UnitKind
from diaodu.org.models import Leader, Unit, User
from diaodu.problems.models import Problem, Task
from diaodu.projects.models import AnnualPlan, Approval, Milestone, PlanMonth, Program, Project
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import InvestmentSummary, ProgressReport, ReportingPeriod
from diaodu.reporting.totals import invested_by_year, refresh_summaries

N = 200


def generate(*args):
    out = StringIO()
    call_command("generate", "--projects", str(N), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def province(db):
    return generate()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Unit,
            User,
            Leader,
            Program,
            ReportingPeriod,
            Project,
            AnnualPlan,
            PlanMonth,
            Milestone,
            Approval,
            ProgressReport,
            InvestmentSummary,
            Problem,
            Task,
        )
    }


def fingerprint():
    return (
        list(
            Project.objects.order_by("pk").values_list(
                "pk", "name", "stage", "region_id", "owner_id", "total_investment", "light"
            )
        ),
        list(
            ProgressReport.objects.order_by("pk")[:2000].values_list(
                "project_id", "period_id", "status", "invested"
            )
        ),
    )


def test_counts_scale_with_the_number_of_projects(province):
    today = timezone.localdate()
    months = 24 + today.month  # three years of monthly periods up to this month
    assert Project.objects.count() == N
    reports = ProgressReport.objects.count()
    assert 0.75 * N * months <= reports <= N * months
    assert ProgressReport.objects.filter(status=ReportStatus.APPROVED).count() > 0.8 * reports
    assert {s for s in ReportStatus.values} == set(
        ProgressReport.objects.values_list("status", flat=True).distinct()
    )
    assert Problem.objects.count() + Task.objects.count() == 4 * N
    assert Milestone.objects.count() == 3 * N and Approval.objects.count() == 3 * N
    assert Program.objects.count() == 9
    assert ReportingPeriod.objects.monthly().count() == ReportingPeriod.objects.count() == months
    # Small, but every kind of unit and every role exists, and leaders with accounts.
    assert set(Unit.objects.values_list("kind", flat=True)) == set(UnitKind.values)
    assert Unit.objects.filter(kind=UnitKind.REGION, parent__isnull=False).exists()
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    leader_users = User.objects.filter(role=Role.LEADER)
    assert Leader.objects.filter(user__in=leader_users).count() == leader_users.count()
    assert Project.objects.filter(region__isnull=True).exists()
    assert Project.objects.exclude(national_code="").exists()
    # The current year's plans are broken down by month, to the cent.
    for plan in AnnualPlan.objects.filter(year=today.year).prefetch_related("months")[:50]:
        assert plan.months_total() == plan.planned_investment
    # Lights were refreshed, and not all green.
    assert not Project.objects.filter(light_computed_at__isnull=True).exists()
    assert Project.objects.exclude(light=Light.GREEN).exists()
    # Every row refers to rows that exist.
    connection.check_constraints()
    assert "hq" in province and "bench" in province


def test_accounts_sign_in_and_see_their_scope(province):
    hq, region, owner = (User.objects.get(username=name) for name in ("hq", "region", "owner"))
    for user in (hq, region, owner):
        assert Client().login(username=user.username, password="bench")
    assert Project.objects.visible_to(hq).count() == N
    first_region = Unit.objects.get(code="r001")
    assert region.unit == first_region
    in_region = Project.objects.filter(region__in=first_region.descendant_ids())
    assert 0 < in_region.count() < N
    assert set(Project.objects.visible_to(region)) == set(in_region)
    owned = Project.objects.filter(owner=owner.unit)
    assert owner.unit.kind == UnitKind.ENTERPRISE and 0 < owned.count() < N
    assert set(Project.objects.visible_to(owner)) == set(owned)


def test_investment_summaries_agree_with_the_approved_reports(province):
    ids = list(Project.objects.values_list("pk", flat=True))
    fields = ["project_id", "year", "invested", "reports_submitted", "reports_on_time"]
    generated = set(InvestmentSummary.objects.values_list(*fields))
    approved = invested_by_year(ids)
    assert {
        (pid, year): amount
        for pid, year, amount, _s, _o in generated
        if (pid, year) in {(p, y) for p, years in approved.items() for y in years}
    } == {(p, y): a for p, years in approved.items() for y, a in years.items()}
    assert len(generated) > 2 * N
    assert 0 < sum(row[4] for row in generated) < sum(row[3] for row in generated)
    refresh_summaries()
    assert set(InvestmentSummary.objects.values_list(*fields)) == generated


def test_ledger_and_dashboard_open_for_headquarters(province):
    client = Client()
    assert client.login(username="hq", password="bench")
    ledger = client.get(reverse("projects:list"))
    assert ledger.status_code == 200
    assert ledger.context["totals"].count == N
    assert client.get(reverse("dashboard")).status_code == 200


def test_refuses_to_run_twice_and_wipes_to_the_same_province(province):
    first, before = counts(), fingerprint()
    with pytest.raises(CommandError):
        generate()
    assert counts() == first
    generate("--wipe")
    assert counts() == first
    assert fingerprint() == before
