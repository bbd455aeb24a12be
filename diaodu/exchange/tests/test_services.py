"""The import's two changes, through one service for the page and the API: a ledger uploaded
and checked, and a checked ledger confirmed by its uploader while they may still import."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from diaodu.conftest import login
from diaodu.exchange import services
from diaodu.exchange.models import ImportJob, ImportStatus
from diaodu.exchange.tests.test_pages import GOOD, ledger_file
from diaodu.org.choices import Role
from diaodu.projects.models import Project

pytestmark = pytest.mark.today("2026-11-20")


def checked(user, rows=GOOD) -> ImportJob:
    """A clean ledger uploaded and checked by `user` (a dry run): ready to be confirmed."""
    job = services.do_start_import(user, file=ledger_file(rows), year=2026)
    job.refresh_from_db()
    assert job.status == ImportStatus.READY, job.result
    return job


def test_an_upload_is_checked_and_kept_for_confirmation(city):
    job = checked(city.users.hq)
    assert job.created_by == city.users.hq and job.year == 2026
    assert not Project.objects.filter(name="新项目").exists()
    with pytest.raises(PermissionDenied):
        services.do_start_import(city.users.owner, file=ledger_file(GOOD))
    assert ImportJob.objects.count() == 1


def test_a_confirmation_imports_once(city):
    job = checked(city.users.hq)
    services.do_apply_import(city.users.hq, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLIED
    with pytest.raises(ValidationError):
        services.do_apply_import(city.users.hq, job)
    assert Project.objects.filter(name="新项目").count() == 1


def test_only_the_uploader_confirms(city):
    job = checked(city.users.jiefang, [["解放区项目", "解放区", 7]])
    with pytest.raises(PermissionDenied):
        services.do_apply_import(city.users.hq, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.READY


@pytest.mark.parametrize("how", ["page", "api"])
def test_an_uploader_who_may_no_longer_import_cannot_confirm(city, how):
    """Someone moved from headquarters to an owner's role after the check: the confirmation
    is refused and the file stays ready (it was left applying, its step crashed, before)."""
    user = city.users.hq
    job = checked(user)
    user.role = Role.OWNER
    user.save(update_fields=["role"])
    client = login(user)
    url = (
        reverse("exchange:import-apply", args=[job.pk])
        if how == "page"
        else reverse("import-apply", args=[job.pk])
    )
    assert client.post(url).status_code == 403
    job.refresh_from_db()
    assert job.status == ImportStatus.READY
    assert not Project.objects.filter(name="新项目").exists()


def test_the_page_says_when_a_file_is_no_longer_ready(city):
    job = checked(city.users.hq)
    client = login(city.users.hq)
    url = reverse("exchange:import-apply", args=[job.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "该文件已导入或尚未检查通过。" in response.content.decode()
    assert Project.objects.filter(name="新项目").count() == 1
