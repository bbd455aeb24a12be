"""factory-boy factories for tests."""

from decimal import Decimal

import factory

from diaodu.org.choices import Role, UnitKind
from diaodu.org.models import Leader, Unit, User
from diaodu.projects.choices import ApprovalKind, FundingSource, Stage
from diaodu.projects.models import (
    AnnualPlan,
    Approval,
    FundingLine,
    Milestone,
    PlanMonth,
    Program,
    Project,
)

PASSWORD = "test-password-123"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"单位{n}")
    code = factory.Sequence(lambda n: f"unit-{n}")
    kind = UnitKind.DEPARTMENT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OWNER
    password = factory.django.Password(PASSWORD)


class LeaderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Leader

    name = factory.Sequence(lambda n: f"领导{n}")
    title = "副市长"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = "市重点项目"
    code = factory.Sequence(lambda n: f"program-{n}")
    year = 2026


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"测试项目{n}")
    stage = Stage.CONTINUING
    total_investment = Decimal("10000.00")


class AnnualPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualPlan

    project = factory.SubFactory(ProjectFactory)
    year = 2026
    planned_investment = Decimal("1200.00")


class PlanMonthFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanMonth

    plan = factory.SubFactory(AnnualPlanFactory)
    month = 1
    planned_investment = Decimal("100.00")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"节点{n}")
    planned_date = factory.Faker("date_between", start_date="-1y", end_date="+1y")


class ApprovalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Approval

    project = factory.SubFactory(ProjectFactory)
    kind = ApprovalKind.PROJECT_APPROVAL


class FundingLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingLine

    project = factory.SubFactory(ProjectFactory)
    source = FundingSource.SPECIAL_BOND
    planned = Decimal("5000.00")
    secured = Decimal("3000.00")
    disbursed = Decimal("1000.00")
