"""factory-boy factories for tests: one for every model, each building a valid object.

Dates and years follow today (`timezone.localdate()`), so the suite reads the same in any year;
a test that needs a particular day freezes the clock there (`@pytest.mark.today(...)`).
`diaodu/tests/test_factories.py` checks that every model has a factory and that what each
builds passes `full_clean()`.
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from diaodu.assessment.choices import Group, Indicator, Method, PeriodKind, Standing
from diaodu.assessment.models import Ranking, Score, ScoringRule, ScoringScheme
from diaodu.assessment.periods import Window
from diaodu.bulletins.models import Bulletin
from diaodu.core.choices import DocumentKind
from diaodu.core.models import Action, ChangeRecord, DocumentNumber, JobRun
from diaodu.exchange.models import ColumnMapping, ImportJob, ImportStatus
from diaodu.inspections.choices import Rating
from diaodu.inspections.models import Inspection, InspectionPhoto
from diaodu.meetings.models import DraftCorrection, Meeting
from diaodu.notifications.channels import Channel
from diaodu.notifications.models import ChannelChoice, Delivery, Notification, UnitRobot
from diaodu.org.choices import AuditKind, Role, UnitKind
from diaodu.org.models import AuditEvent, Leader, PasswordHistory, Unit, User
from diaodu.problems.models import (
    Problem,
    ProblemFollowUp,
    SupervisionNotice,
    Task,
    TaskFeedback,
)
from diaodu.projects.choices import ApprovalKind, Cadence, FundingSource, Stage
from diaodu.projects.models import (
    AnnualPlan,
    Approval,
    FundingLine,
    Milestone,
    PlanMonth,
    Program,
    Project,
)
from diaodu.reporting.calendar import period_containing
from diaodu.reporting.choices import PeriodKind as ReportingPeriodKind
from diaodu.reporting.models import (
    InvestmentSummary,
    MonthSnapshot,
    ProgressReport,
    ProjectSnapshot,
    ReportingPeriod,
    ReportPhoto,
)

PASSWORD = "test-password-123"


def today():
    return timezone.localdate()


def this_year() -> int:
    return today().year


def days_from_today(days: int):
    return factory.LazyFunction(lambda: today() + timedelta(days=days))


# -- org --------------------------------------------------------------------------------------


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


class AuditEventFactory(factory.django.DjangoModelFactory):
    """A sign-in from the office network."""

    class Meta:
        model = AuditEvent

    kind = AuditKind.SIGNED_IN
    user = factory.SubFactory(UserFactory)
    username = factory.LazyAttribute(lambda o: o.user.username)
    address = "10.20.0.8"


class PasswordHistoryFactory(factory.django.DjangoModelFactory):
    """A password the user had before."""

    class Meta:
        model = PasswordHistory

    user = factory.SubFactory(UserFactory)
    encoded = factory.LazyFunction(lambda: make_password("Earlier-Pass-1"))


# -- core -------------------------------------------------------------------------------------


class JobRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobRun
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"diaodu.job_{n}")
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyAttribute(lambda o: o.started_at + timedelta(seconds=2))
    succeeded = True
    runs = 1


# -- projects ---------------------------------------------------------------------------------


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = "市重点项目"
    code = factory.Sequence(lambda n: f"program-{n}")
    year = factory.LazyFunction(this_year)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"测试项目{n}")
    stage = Stage.CONTINUING
    total_investment = Decimal("10000.00")


class DocumentNumberFactory(factory.django.DjangoModelFactory):
    """A bulletin's number of this year (焦重办〔2026〕N号), for a job run standing in for the
    document (numbers name their document by content type and id)."""

    class Meta:
        model = DocumentNumber

    class Params:
        document = factory.SubFactory(JobRunFactory)

    kind = DocumentKind.BULLETIN
    year = factory.LazyFunction(lambda: today().year)
    sequence = factory.Sequence(lambda n: n + 1)
    abbreviation = "焦重办"
    content_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(JobRun))
    object_id = factory.LazyAttribute(lambda o: str(o.document.pk))


class ChangeRecordFactory(factory.django.DjangoModelFactory):
    """A change to a project's name, recorded against the project."""

    class Meta:
        model = ChangeRecord

    project = factory.SubFactory(ProjectFactory)
    content_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(Project))
    object_id = factory.LazyAttribute(lambda o: str(o.project.pk))
    object_repr = factory.LazyAttribute(lambda o: str(o.project)[:200])
    action = Action.UPDATE
    changes = factory.LazyFunction(lambda: {"name": ["旧名称", "新名称"]})
    actor = factory.SubFactory(UserFactory, role=Role.HEADQUARTERS)


class AnnualPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualPlan

    project = factory.SubFactory(ProjectFactory)
    year = factory.LazyFunction(this_year)
    planned_investment = Decimal("1200.00")


class PlanMonthFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanMonth

    plan = factory.SubFactory(AnnualPlanFactory)
    month = 1
    planned_investment = Decimal("100.00")


class MilestoneFactory(factory.django.DjangoModelFactory):
    """A milestone a month ahead: pending, not overdue."""

    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"节点{n}")
    planned_date = days_from_today(30)


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


# -- reporting --------------------------------------------------------------------------------


class ReportingPeriodFactory(factory.django.DjangoModelFactory):
    """The monthly period of the month of `day` (today by default), open; the same one again
    when it exists."""

    class Meta:
        model = ReportingPeriod
        django_get_or_create = ["kind", "program", "start"]

    class Params:
        day = factory.LazyFunction(today)
        dates = factory.LazyAttribute(lambda o: period_containing(Cadence.MONTHLY, o.day))

    kind = ReportingPeriodKind.MONTHLY
    program = None
    start = factory.LazyAttribute(lambda o: o.dates.start)
    end = factory.LazyAttribute(lambda o: o.dates.end)
    due_date = factory.LazyAttribute(lambda o: o.dates.due_date)
    opened_at = factory.LazyFunction(timezone.now)


class ProgressReportFactory(factory.django.DjangoModelFactory):
    """A draft report for this month."""

    class Meta:
        model = ProgressReport

    project = factory.SubFactory(ProjectFactory)
    period = factory.SubFactory(ReportingPeriodFactory)
    invested = Decimal("100.00")
    physical_progress = "主体结构施工"
    physical_percent = Decimal("40.0")
    workers = 120


class ReportPhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportPhoto

    report = factory.SubFactory(ProgressReportFactory)
    image = factory.django.ImageField(filename="site.jpg", format="JPEG", width=32, height=24)
    caption = "施工现场"


class InvestmentSummaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvestmentSummary
        django_get_or_create = ["project", "year"]

    project = factory.SubFactory(ProjectFactory)
    year = factory.LazyFunction(this_year)
    invested = Decimal("300.00")
    reports_submitted = 3
    reports_on_time = 2


class MonthSnapshotFactory(factory.django.DjangoModelFactory):
    """Last month's snapshot, taken at its close."""

    class Meta:
        model = MonthSnapshot
        django_get_or_create = ["month"]

    month = factory.LazyFunction(
        lambda: (today().replace(day=1) - timedelta(days=1)).replace(day=1)
    )
    taken_at = factory.LazyFunction(timezone.now)


class ProjectSnapshotFactory(factory.django.DjangoModelFactory):
    """A continuing project on green at the close of last month."""

    class Meta:
        model = ProjectSnapshot

    snapshot = factory.SubFactory(MonthSnapshotFactory)
    project = factory.SubFactory(ProjectFactory)
    stage = "continuing"
    light = "green"
    invested_year = Decimal("300.00")
    planned_year = Decimal("1000.00")
    planned_to_date = Decimal("800.00")
    physical_percent = Decimal("40.0")


# -- problems and tasks -----------------------------------------------------------------------


class ProblemFactory(factory.django.DjangoModelFactory):
    """An open problem, due in two weeks."""

    class Meta:
        model = Problem

    project = factory.SubFactory(ProjectFactory)
    description = factory.Sequence(lambda n: f"征地拆迁未完成{n}")
    responsible_unit = factory.SubFactory(UnitFactory)
    deadline = days_from_today(14)


class ProblemFollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProblemFollowUp

    problem = factory.SubFactory(ProblemFactory)
    author = factory.SubFactory(UserFactory)
    text = "已召开协调会"


class TaskFactory(factory.django.DjangoModelFactory):
    """An assigned task, due in two weeks."""

    class Meta:
        model = Task

    content = factory.Sequence(lambda n: f"完成管线迁改{n}")
    project = factory.SubFactory(ProjectFactory)
    lead_unit = factory.SubFactory(UnitFactory)
    deadline = days_from_today(14)


class SupervisionNoticeFactory(factory.django.DjangoModelFactory):
    """A 督办单 to a unit, its reply due in three days (the tasks it covers are added by hand)."""

    class Meta:
        model = SupervisionNotice

    unit = factory.SubFactory(UnitFactory)
    key = factory.Sequence(lambda n: f"{n:040x}")
    reply_by = days_from_today(3)


class TaskFeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskFeedback

    task = factory.SubFactory(TaskFactory)
    author = factory.SubFactory(UserFactory)
    text = "已完成一半"


# -- notifications ----------------------------------------------------------------------------


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"通知{n}")
    body = "请及时处理。"
    url = "/"
    event = "report.returned"


class UnitRobotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitRobot

    unit = factory.SubFactory(UnitFactory, kind=UnitKind.REGION)
    channel = Channel.DINGTALK
    webhook = "https://oapi.dingtalk.com/robot/send?access_token=test"
    secret = "SECtest"


class ChannelChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelChoice
        django_get_or_create = ["user"]

    user = factory.SubFactory(UserFactory)
    email = True
    sms = False


class DeliveryFactory(factory.django.DjangoModelFactory):
    """A queued e-mail of a notification to its recipient."""

    class Meta:
        model = Delivery

    notification = factory.SubFactory(NotificationFactory)
    key = factory.Sequence(lambda n: f"test:{n}")
    event = factory.LazyAttribute(lambda o: o.notification.event)
    channel = Channel.EMAIL
    target = factory.LazyAttribute(lambda o: f"user:{o.notification.recipient_id}")
    target_label = factory.LazyAttribute(lambda o: str(o.notification.recipient))
    message = factory.LazyAttribute(
        lambda o: {"title": o.notification.title, "body": o.notification.body}
    )


# -- exchange ---------------------------------------------------------------------------------


class ColumnMappingFactory(factory.django.DjangoModelFactory):
    """A correction of how the columns of a sheet with this header are read."""

    class Meta:
        model = ColumnMapping

    headers = factory.Sequence(lambda n: ["项目名称", "所在县区", f"承办单位{n}"])
    signature = factory.Sequence(lambda n: f"{n:064x}")
    fields = factory.LazyFunction(lambda: {"2": "responsible_units"})
    updated_by = factory.SubFactory(UserFactory, role=Role.HEADQUARTERS)


class ImportJobFactory(factory.django.DjangoModelFactory):
    """A checked ledger, ready to import."""

    class Meta:
        model = ImportJob

    created_by = factory.SubFactory(UserFactory, role=Role.HEADQUARTERS)
    file = factory.django.FileField(filename="ledger.xlsx", data=b"PK\x05\x06" + bytes(18))
    original_name = "重点项目台账.xlsx"
    year = factory.LazyFunction(this_year)
    status = ImportStatus.READY
    done = 10
    total = 10


# -- meetings and inspections -----------------------------------------------------------------


class MeetingFactory(factory.django.DjangoModelFactory):
    """A scheduling meeting next week."""

    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"重点项目调度会{n}")
    date = days_from_today(7)
    place = "市政府第一会议室"


class DraftCorrectionFactory(factory.django.DjangoModelFactory):
    """A reviewer's change to a draft task: the lead unit the minutes wrote, another chosen."""

    class Meta:
        model = DraftCorrection

    meeting = factory.SubFactory(MeetingFactory)
    field = DraftCorrection.Field.UNIT
    sentence = "区规划局要加快用地报批,确保8月底前完成"
    written = "区规划局"
    chosen_unit = factory.SubFactory(UnitFactory)


class InspectionFactory(factory.django.DjangoModelFactory):
    """A visit today."""

    class Meta:
        model = Inspection

    project = factory.SubFactory(ProjectFactory)
    date = factory.LazyFunction(today)
    inspectors = "张三、李四"
    findings = "现场施工正常"
    verified_percent = Decimal("40.0")
    rating = Rating.GOOD


class InspectionPhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InspectionPhoto

    inspection = factory.SubFactory(InspectionFactory)
    image = factory.django.ImageField(filename="visit.jpg", format="JPEG", width=32, height=24)
    caption = "现场察看"


# -- assessment -------------------------------------------------------------------------------


class ScoringSchemeFactory(factory.django.DjangoModelFactory):
    """A scheme in force from the first month of this year (the same one again if it exists)."""

    class Meta:
        model = ScoringScheme
        django_get_or_create = ["valid_from"]

    name = "重点项目建设考核评分办法"
    valid_from = factory.LazyFunction(lambda: today().replace(month=1, day=1))


class ScoringRuleFactory(factory.django.DjangoModelFactory):
    """A rate worth 30 points, full at 100 % (the scheme's rule for it, if it has one)."""

    class Meta:
        model = ScoringRule
        django_get_or_create = ["scheme", "indicator"]

    scheme = factory.SubFactory(ScoringSchemeFactory)
    indicator = Indicator.INVESTMENT_RATE
    method = Method.RATIO
    weight = Decimal("30")
    target = Decimal("100")
    floor = Decimal("0")


class RankingFactory(factory.django.DjangoModelFactory):
    """Last month's ranking of the regions (the same one again if it exists)."""

    class Meta:
        model = Ranking
        django_get_or_create = ["kind", "year", "number", "group"]

    class Params:
        window = factory.LazyFunction(lambda: Window.default(today()))

    kind = PeriodKind.MONTH
    year = factory.LazyAttribute(lambda o: o.window.year)
    number = factory.LazyAttribute(lambda o: o.window.number)
    group = Group.REGION
    start = factory.LazyAttribute(lambda o: o.window.start)
    end = factory.LazyAttribute(lambda o: o.window.end)
    scheme = factory.SubFactory(ScoringSchemeFactory)


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Score

    ranking = factory.SubFactory(RankingFactory)
    unit = factory.SubFactory(UnitFactory, kind=UnitKind.REGION)
    score = Decimal("27.00")
    rank = 1
    standing = Standing.TOP
    values = factory.LazyFunction(lambda: {"investment_rate": "90.00"})
    lines = factory.LazyFunction(
        lambda: [{"indicator": "investment_rate", "value": "90.00", "points": "27.00"}]
    )


# -- bulletins --------------------------------------------------------------------------------


class BulletinFactory(factory.django.DjangoModelFactory):
    """Last month's bulletin, issued; a second one of the same period reissues it (the first
    is marked superseded)."""

    class Meta:
        model = Bulletin

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if not kwargs.get("superseded"):
            model_class.objects.filter(
                kind=kwargs["kind"], year=kwargs["year"], number=kwargs["number"]
            ).update(superseded=True)
        return super()._create(model_class, *args, **kwargs)

    class Params:
        window = factory.LazyFunction(lambda: Window.default(today()))

    kind = PeriodKind.MONTH
    year = factory.LazyAttribute(lambda o: o.window.year)
    number = factory.LazyAttribute(lambda o: o.window.number)
    issue = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda o: f"重点项目建设情况通报（{o.window.label}）")
