"""Two regions side by side, each with one of everything, for the route × role test.

解放区 is "ours": the region user `jiefang` sees its project and everything hanging from it.
高新区 is "theirs": every text of its objects carries MARKER, so a page, an export or an API
answer that shows one of them to 解放区 gives itself away.  Periods, programmes, rankings,
schemes and bulletins are read by every signed-in user: there is one of each, shared.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group as UserGroup
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.authtoken.models import Token, TokenProxy

from diaodu.assessment.choices import Group, PeriodKind
from diaodu.assessment.models import Ranking, ScoringScheme
from diaodu.bulletins.models import Bulletin
from diaodu.core.models import Action, ChangeRecord
from diaodu.exchange.models import ColumnMapping, ImportJob, ImportStatus
from diaodu.factories import (
    AnnualPlanFactory,
    ApprovalFactory,
    FundingLineFactory,
    LeaderFactory,
    MilestoneFactory,
    ProgramFactory,
    ProjectFactory,
    UnitFactory,
    UserFactory,
)
from diaodu.inspections.choices import Rating
from diaodu.inspections.models import Inspection, InspectionPhoto
from diaodu.meetings.models import Meeting
from diaodu.notifications.channels import Channel
from diaodu.notifications.models import ChannelChoice, Delivery, Notification, UnitRobot
from diaodu.org.choices import AuditKind, Role, UnitKind
from diaodu.org.models import AuditEvent, Unit, User
from diaodu.problems.models import Problem, ProblemFollowUp, Task, TaskFeedback
from diaodu.projects.choices import ApprovalStatus
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import (
    MonthSnapshot,
    ProgressReport,
    ProjectSnapshot,
    ReportingPeriod,
    ReportPhoto,
)

MARKER = "外区机密"

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n%%EOF\n"


@dataclass
class Side:
    """A user and the objects that fill routes for them, by model; what is not there is
    taken from `fallback`."""

    user: object
    unit: object
    objects: dict = field(default_factory=dict)
    fallback: "Side | None" = None


@dataclass
class World:
    """The users, the two sides, what headquarters fills routes with (its own notification,
    otherwise 解放区's objects) and the objects everybody reads."""

    hq: object
    superuser: object
    ours: Side
    theirs: Side
    hq_side: Side
    shared: dict
    year: int
    content_type_id: int
    sessions: dict = field(default_factory=dict)  # a signed-in session key by user id

    def object(self, model, side: Side):
        """The object of `model` on that side, or the shared one everybody reads."""
        while side is not None:
            if model in side.objects:
                return side.objects[model]
            side = side.fallback
        return self.shared.get(model)


def _side(name, code, unit, user, project, *, period, department, leader, marked):
    """One region's project and everything hanging from it; with `marked`, every text of it
    carries MARKER."""
    text = f"{MARKER}{name}" if marked else name
    today = timezone.localdate()
    project.name, project.scope = f"{text}项目", f"{text}建设内容"
    project.save(update_fields=["name", "scope"])
    plan = project.annual_plans.get()
    plan.targets = f"{text}年度目标"
    plan.save(update_fields=["targets"])
    milestone = MilestoneFactory(project=project, name=f"{text}节点", planned_date=today)
    milestone.evidence.save(f"{code}.png", ContentFile(PNG))
    approval = ApprovalFactory(
        project=project,
        responsible_department=department,
        status=ApprovalStatus.IN_PROGRESS,
        applied_on=today,
        time_limit_days=20,
        document_number=f"{text}批复",
    )
    approval.attachment.save(f"{code}.pdf", ContentFile(PDF))
    funding = FundingLineFactory(project=project, note=f"{text}资金")
    report = ProgressReport.objects.create(
        project=project,
        period=period,
        status=ReportStatus.SUBMITTED,
        invested=Decimal("10"),
        physical_progress=f"{text}进展",
        submitted_at=timezone.now(),
        submitted_by=user,
    )
    report_photo = ReportPhoto(report=report, caption=f"{text}照片")
    report_photo.image.save(f"{code}-report.png", ContentFile(PNG))
    inspection = Inspection.objects.create(
        project=project,
        date=today,
        inspectors="督查一组",
        findings=f"{text}督查发现",
        rating=Rating.FAIR,
        report=report,
    )
    inspection_photo = InspectionPhoto(inspection=inspection, caption=f"{text}现场")
    inspection_photo.image.save(f"{code}-site.png", ContentFile(PNG))
    problem = Problem.objects.create(
        project=project,
        description=f"{text}问题",
        responsible_unit=unit,
        deadline=today + timedelta(days=10),
        coordinating_leader=leader,
    )
    ProblemFollowUp.objects.create(problem=problem, author=user, text=f"{text}跟进")
    meeting = Meeting.objects.create(title=f"{text}调度会", date=today, place=f"{text}会议室")
    meeting.projects.set([project])
    meeting.regions.set([unit])
    task = Task.objects.create(
        content=f"{text}任务",
        project=project,
        lead_unit=unit,
        deadline=today + timedelta(days=10),
        meeting=meeting,
        problem=problem,
    )
    TaskFeedback.objects.create(task=task, author=user, text=f"{text}反馈")
    notification = Notification.objects.create(
        recipient=user, title=f"{text}通知", url=f"/projects/{project.pk}/"
    )
    delivery = Delivery.objects.create(
        key=f"test:{code}",
        channel=Channel.EMAIL,
        target=f"user:{user.pk}",
        target_label=f"{text}收件人",
        notification=notification,
        message={"title": f"{text}消息", "body": f"{text}正文"},
    )
    job = ImportJob(
        created_by=user,
        original_name=f"{text}台账.xlsx",
        year=today.year,
        status=ImportStatus.READY,
        result={"counts": {}, "problems": [], "warnings": [], "changes": [], "to_create": []},
    )
    job.file.save(f"{code}-ledger.xlsx", ContentFile(b"PK"), save=False)
    job.save()
    month, _created = MonthSnapshot.objects.get_or_create(
        month=today.replace(day=1), defaults={"taken_at": timezone.now()}
    )
    project_month = ProjectSnapshot.objects.create(
        snapshot=month, project=project, stage=project.stage, light=project.light
    )
    column_mapping = ColumnMapping.objects.create(
        signature=code.ljust(64, "0"), headers=["项目名称", f"{text}单位"], fields={"1": "owner"}
    )
    event = AuditEvent.objects.create(
        kind=AuditKind.SIGNED_IN, user=user, username=user.username, detail=f"{text}登录"
    )
    objects = [
        event, project, plan, milestone, approval, funding, report, report_photo, inspection,
        inspection_photo, problem, meeting, task, notification, delivery, job, column_mapping,
        project_month,
    ]  # fmt: skip
    return Side(user=user, unit=unit, objects={type(obj): obj for obj in objects})


def build_world() -> World:
    today = timezone.localdate()
    jiefang = UnitFactory(name="解放区", code="jiefang", kind=UnitKind.REGION)
    street = UnitFactory(name="焦南街道", code="jiaonan", kind=UnitKind.REGION, parent=jiefang)
    gaoxin = UnitFactory(name="高新区", code="gaoxin", kind=UnitKind.REGION)
    jiaotong = UnitFactory(name="交通运输局", code="jiaotong", kind=UnitKind.DEPARTMENT)
    ziran = UnitFactory(name="自然资源和规划局", code="ziran", kind=UnitKind.DEPARTMENT)
    touzi = UnitFactory(name="市投资集团", code="touzi", kind=UnitKind.ENTERPRISE)
    gxjt = UnitFactory(name="高新建投", code="gxjt", kind=UnitKind.ENTERPRISE)
    hq_unit = UnitFactory(name="指挥部办公室", code="hq", kind=UnitKind.HEADQUARTERS)
    program = ProgramFactory(name="市重点项目", code="city", year=today.year)
    leader = LeaderFactory(name="王建国")

    hq = UserFactory(username="hq", role=Role.HEADQUARTERS, unit=hq_unit)
    superuser = UserFactory(
        username="admin", role=Role.HEADQUARTERS, unit=hq_unit, is_staff=True, is_superuser=True
    )
    ours_user = UserFactory(username="jiefang", role=Role.REGION, unit=jiefang)
    theirs_user = UserFactory(username="gaoxin", role=Role.REGION, unit=gaoxin)

    start = today.replace(day=1)
    end = (start + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    period = ReportingPeriod.objects.create(
        start=start, end=end, due_date=end, opened_at=timezone.now()
    )
    ours_project = ProjectFactory(region=jiefang, owner=touzi, lead_unit=jiaotong)
    ProjectFactory(name="街道项目", region=street, owner=gxjt, lead_unit=ziran)
    theirs_project = ProjectFactory(region=gaoxin, owner=gxjt, lead_unit=ziran)
    for project in (ours_project, theirs_project):
        project.programs.set([program])
        AnnualPlanFactory(project=project, year=today.year)
    common = {"period": period, "department": ziran, "leader": leader}
    ours = _side("解放区", "jiefang", jiefang, ours_user, ours_project, marked=False, **common)
    theirs = _side("高新区", "gaoxin", gaoxin, theirs_user, theirs_project, marked=True, **common)

    scheme = ScoringScheme.objects.create(name="考核办法", valid_from=start.replace(month=1))
    ranking = Ranking.objects.create(
        kind=PeriodKind.MONTH,
        year=today.year,
        number=today.month,
        group=Group.REGION,
        start=start,
        end=start + timedelta(days=27),
        scheme=scheme,
    )
    bulletin = Bulletin.objects.create(
        kind=PeriodKind.MONTH, year=today.year, number=today.month, issue=1, title="重点项目通报"
    )
    bulletin.document.save("bulletin.docx", ContentFile(b"PK"))
    hq_notification = Notification.objects.create(recipient=hq, title="指挥部通知", url="/")
    hq_side = Side(user=hq, unit=hq_unit, objects={Notification: hq_notification}, fallback=ours)
    shared = {
        type(obj): obj
        for obj in (
            jiefang, leader, program, period, scheme, ranking, bulletin, hq,
            *_administered(hq, jiefang),
        )
    }  # fmt: skip
    return World(
        hq=hq,
        superuser=superuser,
        ours=ours,
        theirs=theirs,
        hq_side=hq_side,
        shared=shared,
        year=today.year,
        content_type_id=ContentType.objects.get_for_model(User).pk,
    )


def _administered(user, unit):
    """One row of each model only the administration shows."""
    group = UserGroup.objects.create(name="调度员")
    token = TokenProxy.objects.get(pk=Token.objects.create(user=user).pk)
    attempt = AccessAttempt.objects.create(
        username="someone", ip_address="10.0.0.1", failures_since_start=1
    )
    log = AccessLog.objects.create(username="someone", ip_address="10.0.0.1")
    failure = AccessFailureLog.objects.create(username="someone", ip_address="10.0.0.1")
    record = ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(Unit),
        object_id=str(unit.pk),
        object_repr=str(unit),
        action=Action.UPDATE,
    )
    robot = UnitRobot.objects.create(
        unit=unit, channel=Channel.DINGTALK, webhook="https://oapi.dingtalk.com/robot/send?x=1"
    )
    choice = ChannelChoice.objects.create(user=user)
    return group, token, attempt, log, failure, record, robot, choice
