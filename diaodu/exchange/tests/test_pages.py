"""The import pages, the API and the command: the same import behind each."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from diaodu.conftest import login
from diaodu.core.excel import to_bytes
from diaodu.exchange import jobs
from diaodu.exchange.models import ImportJob, ImportStatus
from diaodu.projects.models import Project

# The ledgers below are 2026's, imported in November 2026 into the city of that year.
pytestmark = pytest.mark.today("2026-11-20")


def ledger_file(rows, name="台账.xlsx"):
    workbook = Workbook()
    workbook.active.append(["2026年重点项目台账"])
    workbook.active.append(["项目名称", "所在县区", "总投资（万元）"])
    for row in rows:
        workbook.active.append(row)
    return SimpleUploadedFile(name, to_bytes(workbook))


GOOD = [["新项目", "高新区", 100], ["解放区项目", "解放区", 7]]
BAD = [["新项目", "火星区", 100], ["解放区项目", "解放区", "很多"]]


def test_import_page_access(client, city):
    url = reverse("exchange:import")
    assert client.get(url).status_code == 302
    for user in (city.users.hq, city.users.jiefang):
        response = login(user).get(url)
        assert response.status_code == 200
        assert ("create_missing" in response.context["form"].fields) == (user == city.users.hq)
    for user in (city.users.owner, city.users.jiaotong, city.users.leader, city.users.nobody):
        assert login(user).get(url).status_code == 403
    assert login(city.users.hq).get(reverse("projects:list")).context["can_import"]
    assert not login(city.users.owner).get(reverse("projects:list")).context["can_import"]


def test_check_then_confirm(city):
    client = login(city.users.hq)
    response = client.post(reverse("exchange:import"), {"file": ledger_file(GOOD), "year": 2026})
    job = ImportJob.objects.get()
    assert response.url == reverse("exchange:import-detail", args=[job.pk])
    assert job.status == ImportStatus.READY and job.counts["created"] == 1
    assert not Project.objects.filter(name="新项目").exists()  # a dry run first
    page = client.get(response.url)
    assert "新项目" in page.content.decode() and page.context["page"].paginator.count == 2
    client.post(reverse("exchange:import-apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLIED and job.applied_at is not None
    assert Project.objects.filter(name="新项目", region=city.gaoxin).exists()
    # A second confirmation does nothing.
    client.post(reverse("exchange:import-apply", args=[job.pk]))
    assert Project.objects.filter(name="新项目").count() == 1


def test_rejected_file_downloads_with_bad_cells_marked(city):
    client = login(city.users.hq)
    client.post(reverse("exchange:import"), {"file": ledger_file(BAD), "year": 2026})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REJECTED
    assert [(p["row"], p["column"]) for p in job.result["problems"]] == [
        (3, "所在县区"),
        (4, "总投资（万元）"),
    ]
    assert client.post(reverse("exchange:import-apply", args=[job.pk])).status_code == 302
    assert not Project.objects.filter(name="新项目").exists()
    response = client.get(reverse("exchange:import-problems", args=[job.pk]))
    marked = load_workbook(io.BytesIO(response.content))
    sheet = marked.worksheets[0]
    assert sheet.cell(row=3, column=2).fill.fgColor.rgb.endswith("F8D7DA")
    assert sheet.cell(row=3, column=2).comment is not None
    assert sheet.cell(row=4, column=3).value == "很多"
    assert sheet.cell(row=3, column=1).fill.fgColor.rgb in (None, "00000000")
    assert marked.worksheets[1].max_row == 3


def test_bad_file_on_the_page(city):
    client = login(city.users.hq)
    client.post(
        reverse("exchange:import"),
        {"file": SimpleUploadedFile("台账.xlsx", b"not a workbook"), "year": 2026},
    )
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REJECTED and job.result["problems"][0]["row"] == 0
    response = client.get(reverse("exchange:import-problems", args=[job.pk]))
    assert load_workbook(io.BytesIO(response.content)).active.max_row == 3
    response = client.post(
        reverse("exchange:import"),
        {"file": SimpleUploadedFile("台账.pdf", b"%PDF"), "year": 2026},
    )
    assert response.status_code == 200 and response.context["form"].errors["file"]


def test_oversized_upload_is_refused_unread(city, settings):
    settings.DIAODU_UPLOAD_MAX_MB = 1
    settings.DIAODU_PHOTO_MAX_MB = 1
    big = SimpleUploadedFile("台账.xlsx", b"x" * (2 * 1024 * 1024))
    response = login(city.users.hq).post(reverse("exchange:import"), {"file": big, "year": 2026})
    assert response.status_code == 200
    assert "1 MB" in response.context["form"].errors["file"][0]
    assert not ImportJob.objects.exists()


def test_jobs_are_seen_by_their_uploader_and_headquarters(city):
    login(city.users.jiefang).post(
        reverse("exchange:import"),
        {"file": ledger_file([["街道项目", "焦南街道", 1]]), "year": 2026},
    )
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.READY
    assert (
        login(city.users.hq).get(reverse("exchange:import-detail", args=[job.pk])).status_code
        == 200
    )
    assert (
        login(city.users.gaoxin).get(reverse("exchange:import-detail", args=[job.pk])).status_code
        == 404
    )  # another region's import is not theirs to see
    # Headquarters can look but only the uploader confirms.
    response = login(city.users.hq).post(reverse("exchange:import-apply", args=[job.pk]))
    assert response.status_code == 403


def test_progress_is_polled(city):
    client = login(city.users.hq)
    client.post(reverse("exchange:import"), {"file": ledger_file(GOOD), "year": 2026})
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKING, done=1, total=2)
    url = reverse("exchange:import-detail", args=[job.pk]) + "?poll=1"
    response = client.get(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body and "50%" in body
    assert "<html" not in body


def test_a_queued_step_runs_once(city):
    """Queued twice (a task delivered again), the check runs once; a finished job is left."""
    from diaodu.exchange.tasks import run_import

    job = ImportJob.objects.create(
        created_by=city.users.hq, file=ledger_file(GOOD), original_name="台账.xlsx", year=2026
    )
    jobs.start(job, apply=False)
    job.refresh_from_db()
    assert job.status == ImportStatus.READY and job.done == job.total == 2
    finished = job.finished_at
    assert run_import(job.pk, False) == "skipped"
    job.refresh_from_db()
    assert job.finished_at == finished


def test_a_step_running_elsewhere_is_not_taken_over_until_stale(city):
    from datetime import timedelta

    from django.utils import timezone

    from diaodu.exchange.models import STALE_AFTER
    from diaodu.exchange.tasks import claim

    job = ImportJob.objects.create(
        created_by=city.users.hq, file=ledger_file(GOOD), original_name="台账.xlsx", year=2026
    )
    assert claim(job.pk) is not None  # the first worker has it
    assert claim(job.pk) is None  # a second delivery does not
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - STALE_AFTER - timedelta(seconds=1)
    )
    assert claim(job.pk) is not None  # the first worker died: taken over


def test_template_is_importable_after_the_example_is_replaced(city):
    response = login(city.users.hq).get(reverse("exchange:template"))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert sheet.cell(row=2, column=1).value == "序号"
    assert sheet.cell(row=2, column=2).value == "项目名称"
    assert sheet.freeze_panes == "A3"
    for column in range(1, sheet.max_column + 1):
        sheet.cell(row=3, column=column).value = None
    sheet.cell(row=3, column=1).value = 1
    sheet.cell(row=3, column=2).value = "模板项目"
    client = login(city.users.hq)
    client.post(
        reverse("exchange:import"),
        {"file": SimpleUploadedFile("t.xlsx", to_bytes(workbook)), "year": 2026},
    )
    assert ImportJob.objects.get().counts["created"] == 1


def test_api_dry_run_then_apply(city):
    client = login(city.users.hq)
    url = reverse("import-list")
    response = client.post(url, {"file": ledger_file(GOOD)})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "ready" and data["counts"]["created"] == 1
    assert not Project.objects.filter(name="新项目").exists()
    response = client.post(reverse("import-apply", args=[data["id"]]))
    assert response.json()["status"] == "applied"
    assert Project.objects.filter(name="新项目").exists()
    response = client.post(reverse("import-apply", args=[data["id"]]))
    assert response.status_code == 400


def test_api_rejects_with_every_problem(city):
    client = login(city.users.hq)
    response = client.post(reverse("import-list"), {"file": ledger_file(BAD), "dry_run": "false"})
    assert response.status_code == 400
    assert [p["row"] for p in response.json()["problems"]] == [3, 4]
    assert not Project.objects.filter(name="新项目").exists()
    assert (
        login(city.users.owner)
        .post(reverse("import-list"), {"file": ledger_file(GOOD)})
        .status_code
        == 403
    )
    response = client.post(reverse("import-list"), {"file": SimpleUploadedFile("a.txt", b"x")})
    assert response.status_code == 400 and "file" in response.json()


def test_api_import_at_once_and_list_scoped(city):
    response = login(city.users.hq).post(
        reverse("import-list"), {"file": ledger_file(GOOD), "dry_run": "false"}
    )
    assert response.json()["status"] == "applied"
    assert len(login(city.users.hq).get(reverse("import-list")).json()["results"]) == 1
    assert login(city.users.jiefang).get(reverse("import-list")).json()["results"] == []


def test_api_ledger_export_and_template(city):
    client = login(city.users.gaoxin)
    response = client.get(reverse("project-export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [sheet.cell(row=r, column=2).value for r in range(3, sheet.max_row)]  # after 序号
    assert names == ["高新区项目"]
    response = client.get(reverse("import-template"))
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_command_dry_run_import_and_problems(city, tmp_path, capsys):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(ledger_file(GOOD).read())
    call_command("import_projects", str(path), "--dry-run", "--user", "hq")
    assert "1" in capsys.readouterr().out
    assert not Project.objects.filter(name="新项目").exists()
    call_command("import_projects", str(path), "--program", "市重点项目", "--year", "2026")
    assert city.program.projects.filter(name="新项目").exists()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(ledger_file(BAD).read())
    marked = tmp_path / "marked.xlsx"
    with pytest.raises(CommandError):
        call_command("import_projects", str(bad), "--problems", str(marked))
    assert load_workbook(marked).worksheets[1].max_row == 3
    with pytest.raises(CommandError):
        call_command("import_projects", str(tmp_path / "missing.xlsx"))
    with pytest.raises(CommandError):
        call_command("import_projects", str(path), "--program", "没有的计划")


def test_changes_of_every_kind_are_shown(city):
    workbook = Workbook()
    workbook.active.append(
        ["项目名称", "所在县区", "责任单位", "分包领导", "重点项目计划", "项目阶段"]
    )
    workbook.active.append(
        ["解放区项目", "解放区", "自然资源和规划局", "王建国", "市重点项目", "竣工"]
    )
    client = login(city.users.hq)
    client.post(
        reverse("exchange:import"),
        {"file": SimpleUploadedFile("a.xlsx", to_bytes(workbook)), "year": 2026},
    )
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.READY, job.result
    body = client.get(reverse("exchange:import-detail", args=[job.pk])).content.decode()
    assert "自然资源和规划局" in body and "王建国" in body and "→ 竣工" in body


def test_an_unexpected_error_fails_the_job_and_writes_nothing(city, monkeypatch):
    def broken(*args, **kwargs):
        Project.objects.create(name="写了一半")
        raise RuntimeError("disk full")

    monkeypatch.setattr("diaodu.exchange.importer.do_write_projects_in_bulk", broken)
    client = login(city.users.hq)
    client.post(reverse("exchange:import"), {"file": ledger_file(GOOD), "year": 2026})
    job = ImportJob.objects.get()
    client.post(reverse("exchange:import-apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert not Project.objects.filter(name__in=["写了一半", "新项目"]).exists()


def test_an_import_whose_process_stopped_is_marked_failed(city):
    from datetime import timedelta

    from django.utils import timezone

    job = ImportJob.objects.create(
        created_by=city.users.hq, file=ledger_file(GOOD), original_name="台账.xlsx", year=2026,
        status=ImportStatus.CHECKING, heartbeat_at=timezone.now() - timedelta(minutes=30),
    )  # fmt: skip
    fresh = ImportJob.objects.create(
        created_by=city.users.hq, file=ledger_file(GOOD), original_name="新.xlsx", year=2026,
        status=ImportStatus.CHECKING, heartbeat_at=timezone.now(),
    )  # fmt: skip
    client = login(city.users.hq)
    client.get(reverse("exchange:import-detail", args=[job.pk]))
    client.get(reverse("import-detail", args=[fresh.pk]))
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.result["problems"][0]["message"]
    assert fresh.status == ImportStatus.CHECKING
