"""Approvals with legal time limits (联审联批): clocks in working days, who sees and edits what,
the pages and the API, the project's light, the 红黄码 indicator and the daily reminders.

Today is frozen at Wednesday 2025-10-15, a week after the National Day holiday (Oct 1–8) and
four days after a Saturday worked in its place (Oct 11).
"""

import io
from datetime import date
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.test import APIClient

from diaodu.assessment import indicators
from diaodu.assessment.choices import Group, Indicator
from diaodu.assessment.periods import Window
from diaodu.conftest import login
from diaodu.core.choices import Light
from diaodu.core.models import ChangeRecord
from diaodu.factories import UnitFactory, UserFactory
from diaodu.monitoring.lights import evaluate
from diaodu.notifications.models import Notification
from diaodu.org.choices import Role, UnitKind
from diaodu.projects import approvals as services
from diaodu.projects.approval_timing import light_q, timing
from diaodu.projects.choices import ApprovalKind, ApprovalStatus
from diaodu.projects.models import Approval, Project

TODAY = date(2025, 10, 15)
PDF = b"%PDF-1.4\n% a scanned approval\n"


pytestmark = pytest.mark.today("2025-10-15")


def approval(project, kind, department, **values):
    values.setdefault("status", ApprovalStatus.IN_PROGRESS)
    return Approval.objects.create(
        project=project, kind=kind, responsible_department=department, **values
    )


@pytest.fixture
def queue(city):
    """Five approvals: red and yellow across National Day, green, one done, one not started."""
    p = city.projects
    ziran_user = UserFactory(username="ziran", role=Role.DEPARTMENT, unit=city.ziran)
    shengtai = UnitFactory(name="生态环境局", code="shengtai", kind=UnitKind.DEPARTMENT)
    return SimpleNamespace(
        city=city,
        ziran_user=ziran_user,
        # 交通运输局 leads the 解放区 project; its permit, accepted Friday Sep 19 with 5
        # working days, was due Friday Sep 26 and is 9 working days over.
        red=approval(
            p.jiefang,
            ApprovalKind.CONSTRUCTION_PERMIT,
            city.jiaotong,
            applied_on=date(2025, 9, 19),
            time_limit_days=5,
        ),
        # 交通运输局's own queue on a project it does not otherwise see (the street's).
        green=approval(
            p.street,
            ApprovalKind.LAND_PRE_REVIEW,
            city.jiaotong,
            applied_on=date(2025, 10, 13),
            time_limit_days=20,
        ),
        # Accepted Tuesday Sep 30 with 8: Oct 9, 10, Saturday 11, 13, 14, 15 used; 2 left.
        yellow=approval(
            p.city,
            ApprovalKind.FEASIBILITY,
            city.ziran,
            applied_on=date(2025, 9, 30),
            time_limit_days=8,
        ),
        done=approval(
            p.gaoxin,
            ApprovalKind.ENVIRONMENTAL,
            shengtai,
            status=ApprovalStatus.DONE,
            applied_on=date(2025, 9, 1),
            completed_on=date(2025, 9, 10),
            time_limit_days=20,
        ),
        waiting=approval(
            p.gaoxin,
            ApprovalKind.DRAWING_REVIEW,
            city.ziran,
            status=ApprovalStatus.NOT_STARTED,
            time_limit_days=20,
        ),
    )


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


# -- clocks ----------------------------------------------------------------------------------


def test_clocks_count_working_days_across_national_day(queue):
    red, yellow, green = queue.red.timing, queue.yellow.timing, queue.green.timing
    assert (red.due_on, red.used, red.left, red.light) == (date(2025, 9, 26), 14, -9, Light.RED)
    assert red.reason == "已超时9个工作日（时限5个工作日，应于2025-09-26前办结）。"
    assert (yellow.due_on, yellow.used, yellow.left, yellow.light) == (
        date(2025, 10, 17),
        6,
        2,
        Light.YELLOW,
    )
    assert (green.used, green.left, green.light) == (2, 18, Light.GREEN)
    assert not red.estimated
    assert queue.done.timing is None and queue.waiting.timing is None


def test_the_stored_due_date_selects_the_same_lights_in_sql(queue):
    for light in Light:
        in_sql = set(Approval.objects.filter(light_q(light)).values_list("pk", flat=True))
        in_python = {a.pk for a in Approval.objects.all() if a.timing and a.timing.light == light}
        assert in_sql == in_python, light
    # Every day of a month, weekends and holidays included.
    for day in range(1, 32):
        today = date(2025, 10, day)
        for a in Approval.objects.running():
            clock = timing(a.applied_on, a.time_limit_days, today)
            assert Approval.objects.filter(light_q(clock.light, today), pk=a.pk).exists(), (
                today,
                a,
            )


def test_a_limit_into_a_year_not_yet_published_is_an_estimate(queue):
    clock = timing(date(2025, 12, 20), 20, date(2025, 12, 22))
    assert clock.due_on.year == 2026 and not clock.estimated  # 2026 is in the table
    assert timing(date(2089, 12, 20), 20, date(2089, 12, 22)).estimated


# -- who sees and edits ----------------------------------------------------------------------


def test_each_role_sees_its_approvals(queue):
    users = queue.city.users

    def seen(user):
        return set(Approval.objects.visible_to(user).values_list("kind", flat=True))

    everything = set(Approval.objects.values_list("kind", flat=True))
    assert seen(users.hq) == seen(users.leader) == seen(users.inspector) == everything
    # 交通运输局: its own queue (the street's pre-review) and the approvals of its projects.
    assert seen(users.jiaotong) == {
        ApprovalKind.CONSTRUCTION_PERMIT,
        ApprovalKind.LAND_PRE_REVIEW,
        ApprovalKind.ENVIRONMENTAL,
        ApprovalKind.DRAWING_REVIEW,
    }
    assert seen(users.jiefang) == {ApprovalKind.CONSTRUCTION_PERMIT, ApprovalKind.LAND_PRE_REVIEW}
    assert seen(users.owner) == {ApprovalKind.CONSTRUCTION_PERMIT, ApprovalKind.FEASIBILITY}
    assert seen(users.nobody) == set()
    assert set(Approval.objects.editable_by(users.jiaotong)) == {queue.red, queue.green}
    assert set(Approval.objects.editable_by(users.owner)) == set()
    assert Approval.objects.editable_by(users.hq).count() == 5


def test_a_department_changes_only_its_own_approvals(queue):
    users = queue.city.users
    services.do_update_approval(
        users.jiaotong,
        queue.red,
        status=ApprovalStatus.DONE,
        completed_on=date(2025, 10, 14),
        document_number="焦交〔2025〕18号",
        attachment=SimpleUploadedFile("permit.pdf", PDF, content_type="application/pdf"),
    )
    queue.red.refresh_from_db()
    assert queue.red.status == ApprovalStatus.DONE and queue.red.attachment.name.endswith(".pdf")
    change = ChangeRecord.objects.get(object_id=str(queue.red.pk), action="update")
    assert change.actor == users.jiaotong and change.project_id == queue.red.project_id
    assert change.changes["status"] == ["in_progress", "done"]
    # Not its time limit, nor another department's approval, nor as a region or an owner.
    with pytest.raises(services.PermissionDenied):
        services.do_update_approval(users.jiaotong, queue.green, time_limit_days=40)
    for user in (users.jiaotong, queue.ziran_user):
        other = queue.yellow if user == users.jiaotong else queue.green
        with pytest.raises(services.PermissionDenied):
            services.do_update_approval(user, other, document_number="x")
    for user in (users.jiefang, users.owner, users.leader, users.inspector):
        with pytest.raises(services.PermissionDenied):
            services.do_update_approval(user, queue.green, document_number="x")
    services.do_update_approval(users.hq, queue.green, time_limit_days=15)
    queue.green.refresh_from_db()
    assert queue.green.time_limit_days == 15 and queue.green.due_on == date(2025, 11, 3)


def test_bad_values_are_refused_in_chinese_and_nothing_is_written(queue):
    users = queue.city.users
    cases = [
        ({"status": ApprovalStatus.DONE}, "completed_on", "办结日期"),
        ({"applied_on": date(2025, 10, 20)}, "applied_on", "未来"),
        (
            {"status": ApprovalStatus.DONE, "completed_on": date(2025, 9, 1)},
            "completed_on",
            "受理",
        ),
        ({"status": ApprovalStatus.NOT_STARTED}, "status", "受理"),
        (
            {"attachment": SimpleUploadedFile("permit.pdf", b"not a pdf")},
            "__all__",
            "PDF",
        ),
    ]
    for changes, field, words in cases:
        with pytest.raises(services.ValidationError) as caught:
            services.do_update_approval(users.jiaotong, queue.red, **changes)
        messages = caught.value.message_dict.get(field) if field != "__all__" else None
        text = " ".join(messages or caught.value.messages)
        assert words in text, (changes, text)
    queue.red.refresh_from_db()
    assert queue.red.status == ApprovalStatus.IN_PROGRESS and not queue.red.attachment
    assert not ChangeRecord.objects.filter(object_id=str(queue.red.pk)).exists()
    # Reopening a completed approval asks for its completion date to be cleared too.
    with pytest.raises(services.ValidationError) as caught:
        services.do_update_approval(users.hq, queue.done, status=ApprovalStatus.IN_PROGRESS)
    assert "清除办结日期" in caught.value.message_dict["status"][0]
    reopened = services.do_update_approval(
        users.hq, queue.done, status=ApprovalStatus.IN_PROGRESS, completed_on=None
    )
    assert (
        reopened.timing.light == Light.RED
    )  # 20 working days from Sep 1 ran out on Sunday Sep 28, a day worked


def test_headquarters_adds_an_approval_with_the_default_limit(queue):
    users, project = queue.city.users, queue.city.projects.jiefang
    created = services.do_create_approval(
        users.hq,
        project,
        kind=ApprovalKind.ENVIRONMENTAL,
        responsible_department=queue.city.ziran,
        status=ApprovalStatus.IN_PROGRESS,
        applied_on=date(2025, 10, 9),
    )
    # Oct 10, Saturday 11, then five working days a week: the 30th is Wednesday Nov 19.
    assert created.time_limit_days == 30 and created.due_on == date(2025, 11, 19)
    assert ChangeRecord.objects.filter(object_id=str(created.pk), action="create").exists()
    with pytest.raises(services.ValidationError):  # one approval of a kind per project
        services.do_create_approval(users.hq, project, kind=ApprovalKind.ENVIRONMENTAL)
    with pytest.raises(services.PermissionDenied):
        services.do_create_approval(users.jiaotong, project, kind=ApprovalKind.ENERGY)


# -- the project's light ---------------------------------------------------------------------


def test_an_overdue_approval_makes_its_project_red_with_the_reason(
    queue, django_assert_max_num_queries
):
    projects = list(Project.objects.all())
    with django_assert_max_num_queries(12):
        verdicts = evaluate(projects, TODAY)
    red = verdicts[queue.red.project_id]
    assert red.light == Light.RED
    reason = next(text for light, text in red.reasons if "施工许可证" in str(text))
    assert "交通运输局" in str(reason) and "9" in str(reason)
    yellow = verdicts[queue.yellow.project_id]
    assert yellow.light == Light.YELLOW
    assert any("可研" in str(text) and "2" in str(text) for _l, text in yellow.reasons)
    assert verdicts[queue.green.project_id].light == Light.GREEN
    # Completing it turns the project back, at once.
    services.do_update_approval(
        queue.city.users.jiaotong,
        queue.red,
        status=ApprovalStatus.DONE,
        completed_on=TODAY,
    )
    assert Project.objects.get(pk=queue.red.project_id).light == Light.GREEN


def test_one_query_for_the_approvals_of_every_project(queue):
    for projects in (Project.objects.filter(pk=queue.red.project_id), Project.objects.all()):
        with CaptureQueriesContext(connection) as queries:
            evaluate(list(projects), TODAY)
        assert sum('"projects_approval"' in q["sql"] for q in queries.captured_queries) == 1


# -- pages -----------------------------------------------------------------------------------


def paths(queue):
    return {
        "list": "/approvals/",
        "export": "/approvals/export.xlsx",
        "detail": f"/approvals/{queue.red.pk}/",
        "edit": f"/approvals/{queue.red.pk}/edit/",
        "new": f"/approvals/new/?project={queue.red.project_id}",
        "attachment": f"/approvals/{queue.red.pk}/attachment/",
    }


@pytest.mark.parametrize("name", ["list", "export", "detail", "edit", "new", "attachment"])
def test_anonymous_users_are_sent_to_sign_in(queue, client, name):
    response = client.get(paths(queue)[name])
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# (page, user, status): in scope, out of scope (404), in scope but not allowed (403).
ROUTES = [
    ("list", "jiaotong", 200),
    ("list", "nobody", 200),
    ("export", "owner", 200),
    ("detail", "jiaotong", 200),
    ("detail", "owner", 200),
    ("detail", "jiefang", 200),
    ("detail", "gaoxin", 404),
    ("detail", "ziran", 404),
    ("detail", "nobody", 404),
    ("edit", "jiaotong", 200),
    ("edit", "hq", 200),
    ("edit", "owner", 403),
    ("edit", "inspector", 403),
    ("edit", "gaoxin", 404),
    ("edit", "ziran", 404),
    ("new", "hq", 200),
    ("new", "jiaotong", 403),
    ("new", "owner", 403),
    ("attachment", "owner", 200),
    ("attachment", "gaoxin", 404),
]


@pytest.mark.parametrize(("name", "who", "status"), ROUTES)
def test_routes_by_role(queue, name, who, status):
    queue.red.attachment = SimpleUploadedFile("permit.pdf", PDF)
    queue.red.save()
    user = queue.ziran_user if who == "ziran" else getattr(queue.city.users, who)
    assert login(user).get(paths(queue)[name]).status_code == status


def test_the_list_shows_each_departments_queue_with_days_left(queue, django_assert_max_num_queries):
    client = login(queue.city.users.jiaotong)
    with django_assert_max_num_queries(12):
        response = client.get("/approvals/")
    rows = list(response.context["page"])
    # Its own queue and its projects' approvals in progress, the most urgent first.
    assert rows == [queue.red, queue.green]
    assert [r.editable for r in rows] == [True, True]
    assert [r.project_visible for r in rows] == [True, False]
    html = response.content.decode()
    assert "9个工作日" in html and "18" in html and "交通运输局" in html
    summary = {row["responsible_department"]: row for row in response.context["departments"]}
    assert summary[queue.city.jiaotong.pk]["red"] == 1
    # Headquarters sees every queue; filters narrow it.
    hq = login(queue.city.users.hq)
    assert len(hq.get("/approvals/").context["page"]) == 3
    filtered = {
        "?light=yellow": [queue.yellow],
        "?overdue=true": [queue.red],
        "?overdue=false": [queue.yellow, queue.green],
        f"?department={queue.city.ziran.pk}": [queue.yellow],
        f"?region={queue.city.jiefang.pk}": [queue.red],
        "?kind=land_pre_review": [queue.green],
        "?status=done": [queue.done],
        "?q=全市": [queue.yellow],
    }
    for query, expected in filtered.items():
        assert list(hq.get("/approvals/" + query).context["page"]) == expected, query
    assert len(hq.get("/approvals/?status=all").context["page"]) == 5


def test_the_list_stays_within_its_queries_with_many_rows(queue, django_assert_max_num_queries):
    for project in Project.objects.all():
        for kind in (ApprovalKind.ENERGY, ApprovalKind.SOIL_WATER, ApprovalKind.LAND_GRANT):
            approval(
                project,
                kind,
                queue.city.ziran,
                applied_on=date(2025, 10, 1),
                time_limit_days=10,
            )
    client = login(queue.city.users.jiefang)
    with django_assert_max_num_queries(12):
        response = client.get("/approvals/")
    assert len(response.context["page"]) == 2 + 2 * 3  # its two projects' approvals


def test_export_is_the_filtered_list_and_cannot_start_a_formula(queue):
    queue.yellow.document_number = "=HYPERLINK(1)"
    queue.yellow.save()
    response = login(queue.city.users.hq).get("/approvals/export.xlsx?status=all")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [row[1:] for row in sheet.iter_rows(min_row=3, values_only=True)]  # after 序号
    assert len(rows) == 6  # five approvals and the totals row
    first = rows[0]
    assert first[0] == queue.red.project.name and first[8] == -9 and first[10] == "红灯"
    assert any(row[13] == "'=HYPERLINK(1)" for row in rows)
    owner = login(queue.city.users.owner).get("/approvals/export.xlsx")
    assert len(list(load_workbook(io.BytesIO(owner.content)).active.iter_rows(min_row=3))) == 3


def test_a_department_edits_on_its_page_and_the_form_keeps_what_was_typed(queue):
    client = login(queue.city.users.jiaotong)
    page = client.get(f"/approvals/{queue.red.pk}/edit/")
    assert set(page.context["form"].fields) == set(services.DEPARTMENT_FIELDS)
    bad = client.post(
        f"/approvals/{queue.red.pk}/edit/",
        {"status": "done", "applied_on": "2025-09-19", "document_number": "焦交〔2025〕18号"},
    )
    assert bad.status_code == 200
    assert "办结日期" in " ".join(bad.context["form"].errors["completed_on"])
    assert "焦交〔2025〕18号" in bad.content.decode()
    good = client.post(
        f"/approvals/{queue.red.pk}/edit/",
        {
            "status": "done",
            "applied_on": "2025-09-19",
            "completed_on": "2025-10-14",
            "document_number": "焦交〔2025〕18号",
            "attachment": SimpleUploadedFile("permit.pdf", PDF),
        },
    )
    assert good.status_code == 302
    queue.red.refresh_from_db()
    assert queue.red.status == ApprovalStatus.DONE and queue.red.attachment
    assert client.get(f"/approvals/{queue.red.pk}/attachment/").status_code == 200


def test_the_project_page_shows_the_clock_and_the_edit_button_where_allowed(queue):
    url = f"/projects/{queue.red.project_id}/"
    page = login(queue.city.users.jiaotong).get(url).content.decode()
    assert f"/approvals/{queue.red.pk}/edit/" in page and "9个工作日" in page
    owner_page = login(queue.city.users.owner).get(url).content.decode()
    assert "9个工作日" in owner_page and f"/approvals/{queue.red.pk}/edit/" not in owner_page


# -- API -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/approvals/", "/api/approvals/export/", "/api/approvals/{pk}/"]
)
def test_api_anonymous_gets_401(queue, path):
    assert api().get(path.format(pk=queue.red.pk)).status_code == 401


def test_api_list_is_scoped_filtered_and_bounded(queue, django_assert_max_num_queries):
    client = api(queue.city.users.jiaotong)
    with django_assert_max_num_queries(6):
        body = client.get("/api/approvals/").json()
    assert [row["id"] for row in body["results"]] == [queue.red.pk, queue.green.pk]
    red = body["results"][0]
    assert (red["working_days_used"], red["working_days_left"], red["light"]) == (14, -9, "red")
    assert red["due_on"] == "2025-09-26" and "9" in red["light_reason"]
    hq = api(queue.city.users.hq)
    assert hq.get("/api/approvals/?overdue=true").json()["count"] == 1
    assert hq.get("/api/approvals/?status=all").json()["count"] == 5
    export = hq.get("/api/approvals/export/")
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_api_retrieve_and_patch_by_role(queue):
    red = f"/api/approvals/{queue.red.pk}/"
    assert api(queue.city.users.gaoxin).get(red).status_code == 404
    assert api(queue.ziran_user).patch(red, {"document_number": "x"}).status_code == 404
    assert api(queue.city.users.owner).get(red).status_code == 200
    assert api(queue.city.users.owner).patch(red, {"document_number": "x"}).status_code == 403
    client = api(queue.city.users.jiaotong)
    refused = client.patch(red, {"time_limit_days": 30}, format="json")
    assert refused.status_code == 403 and "指挥部" in refused.json()["detail"]
    bad = client.patch(red, {"status": "done"}, format="json")
    assert bad.status_code == 400 and "办结日期" in " ".join(bad.json()["completed_on"])
    wrong_type = client.patch(red, {"applied_on": "yesterday"}, format="json")
    assert wrong_type.status_code == 400 and "applied_on" in wrong_type.json()
    done = client.patch(
        red,
        {"status": "done", "completed_on": "2025-10-14", "attachment": io.BytesIO(PDF)},
        format="multipart",
    )
    assert done.status_code == 400  # a file without a name is not a document
    done = client.patch(
        red,
        {
            "status": "done",
            "completed_on": "2025-10-14",
            "attachment": SimpleUploadedFile("permit.pdf", PDF),
        },
        format="multipart",
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["light"] is None
    assert done.json()["attachment"].endswith("/attachment/")
    assert api(queue.city.users.hq).put(red, {}).status_code == 405


# -- the indicator and the reminders ---------------------------------------------------------


def test_red_and_yellow_approvals_count_against_their_department(queue):
    services.do_update_approval(
        queue.city.users.hq,
        queue.done,
        applied_on=date(2025, 9, 1),
        completed_on=date(2025, 10, 14),
    )  # completed this month, after its 20 working days ran out on Sunday Sep 28, a day worked
    values = indicators.compute(Window.parse("2025-10"), Group.DEPARTMENT, TODAY)
    jiaotong, ziran = values[queue.city.jiaotong.pk], values[queue.city.ziran.pk]
    assert (jiaotong[Indicator.APPROVALS_RED], jiaotong[Indicator.APPROVALS_YELLOW]) == (1, 0)
    assert (ziran[Indicator.APPROVALS_RED], ziran[Indicator.APPROVALS_YELLOW]) == (0, 1)
    # 生态环境局 completed its approval this month, late.
    assert values[queue.done.responsible_department_id][Indicator.APPROVALS_RED] == 1
    # At the end of September the permit was already over, the feasibility study green.
    september = indicators.compute(Window.parse("2025-09"), Group.DEPARTMENT, TODAY)
    assert september[queue.city.jiaotong.pk][Indicator.APPROVALS_RED] == 1
    assert september[queue.city.ziran.pk][Indicator.APPROVALS_YELLOW] == 0
    # Regions are not measured on approvals.
    regions = indicators.compute(Window.parse("2025-10"), Group.REGION, TODAY)
    assert all(not v[Indicator.APPROVALS_RED] for v in regions.values())


def test_departments_are_told_once_per_change_of_light(queue):
    jiaotong, ziran = queue.city.users.jiaotong, queue.ziran_user
    assert services.notify_time_limits(TODAY) == 2  # the red permit, the yellow study
    assert Notification.objects.get(recipient=jiaotong).url == f"/approvals/{queue.red.pk}/"
    assert "超" in Notification.objects.get(recipient=jiaotong).title
    assert Notification.objects.filter(recipient=ziran).count() == 1
    assert services.notify_time_limits(TODAY) == 0  # the second run of the day sends nothing
    # The study runs out: one more, to its department.
    assert services.notify_time_limits(date(2025, 10, 20)) == 1
    assert Notification.objects.filter(recipient=ziran).count() == 2
    # Completed, it is forgotten; reopened and late again, it is told again.
    services.do_update_approval(
        queue.city.users.hq, queue.red, status=ApprovalStatus.DONE, completed_on=TODAY
    )
    assert services.notify_time_limits(date(2025, 10, 20)) == 0
    assert Approval.objects.get(pk=queue.red.pk).notified_light == ""


def test_the_daily_remind_command_sends_the_approval_warnings(queue, capsys):
    call_command("remind")
    call_command("remind")
    out = capsys.readouterr().out
    assert "2" in out and Notification.objects.count() == 2


def test_a_new_scheme_version_scores_departments_on_their_red_approvals(queue):
    from decimal import Decimal

    from diaodu.assessment import services as assessment

    hq = queue.city.users.hq
    assessment.do_create_scheme(
        hq,
        name="联审联批考核",
        valid_from=date(2025, 10, 1),
        rules=[
            {"indicator": "reporting_rate", "method": "ratio", "weight": 100},
            {"indicator": "approvals_red", "method": "per_item", "per_item": -2, "cap": 10},
        ],
        today=TODAY,
    )
    result = assessment.compute(Window.parse("2025-10"), Group.DEPARTMENT, TODAY)
    scores = {entry.unit_id: entry for entry in result.entries}
    jiaotong = scores[queue.city.jiaotong.pk]
    line = next(line for line in jiaotong.lines if line["indicator"] == "approvals_red")
    assert line["value"] == "1" and Decimal(line["points"]) == Decimal("-2")
    assert scores[queue.city.ziran.pk].score - jiaotong.score == Decimal("2")


def test_a_project_id_beyond_the_keys_is_refused_not_a_server_error(city):
    """?project= larger than any key made the database fail (500); now 400 naming it, and the
    page ignores it."""
    answer = api(city.users.hq).get("/api/approvals/", {"project": str(2**70)})
    assert answer.status_code == 400 and set(answer.json()) == {"project"}
    page = login(city.users.hq).get("/approvals/", {"project": str(2**70)})
    assert page.status_code == 200
