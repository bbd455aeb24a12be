"""While a bulletin is written, the page and the API say which step it has reached; once it is
written (or has failed) nothing is left of it."""

from unittest import mock

from django.urls import reverse
from django.utils import translation

from diaodu.assessment.tests import march
from diaodu.bulletins import progress
from diaodu.bulletins.choices import BulletinStatus
from diaodu.bulletins.models import Bulletin
from diaodu.bulletins.services import do_issue_bulletin
from diaodu.conftest import login
from diaodu.projects.tests.test_api import api

MARCH, TODAY = march.MARCH, march.TODAY
town = march.town  # the city ranked for March
pytestmark = march.ON_THE_DAY
second_group_fails = march.second_group_fails


def _being_written(town) -> Bulletin:
    return Bulletin.objects.create(
        kind=MARCH.kind,
        year=MARCH.year,
        number=MARCH.number,
        issue=1,
        title="2026年3月重点项目建设情况通报",
        status=BulletinStatus.WRITING,
        created_by=town.users.hq,
    )


def test_the_writer_marks_every_step_in_order_and_clears_them(town):
    with mock.patch.object(progress, "mark", wraps=progress.mark) as marked:
        bulletin = do_issue_bulletin(town.users.hq, MARCH)  # written in process without a broker
    assert bulletin.status == BulletinStatus.ISSUED
    assert [call.args for call in marked.call_args_list] == [
        (bulletin.pk, step) for step in progress.NAMES
    ]
    assert progress.of(bulletin.pk) is None


def test_a_failed_writing_leaves_no_step(town, second_group_fails):
    bulletin = do_issue_bulletin(town.users.hq, MARCH)
    assert bulletin.status == BulletinStatus.FAILED
    assert progress.of(bulletin.pk) is None


def test_the_page_shows_the_step_reached(town):
    bulletin = _being_written(town)
    progress.mark(bulletin.pk, "lists")
    with translation.override("zh-hans"):
        html = login(town.users.jiefang).get(reverse("assessment:bulletins")).content.decode()
    assert 'data-progress="lists"' in html
    assert "第3步，共5步：列出红灯项目和逾期任务" in html
    assert 'style="width: 40%"' in html
    assert '<meta http-equiv="refresh" content="3">' in html  # read again until written


def test_without_a_step_kept_the_page_shows_the_status_alone(town):
    _being_written(town)  # a worker that shares no cache with the web server
    html = login(town.users.hq).get(reverse("assessment:bulletins")).content.decode()
    assert "data-progress" not in html and "spinner-border" in html


def test_the_api_gives_the_step_while_written_and_null_after(town):
    bulletin = _being_written(town)
    progress.mark(bulletin.pk, "document")
    body = api(town.users.jiefang).get(f"/api/bulletins/{bulletin.pk}/").json()
    assert body["progress"]["step"] == 4 and body["progress"]["of"] == 5
    assert body["progress"]["name"] == "document" and body["progress"]["percent"] == 60
    Bulletin.objects.filter(pk=bulletin.pk).update(status=BulletinStatus.ISSUED)
    assert api(town.users.jiefang).get(f"/api/bulletins/{bulletin.pk}/").json()["progress"] is None


def test_the_page_reads_the_steps_in_one_read_of_the_cache(town, django_assert_max_num_queries):
    for issue in range(1, 4):
        bulletin = _being_written(town)
        Bulletin.objects.filter(pk=bulletin.pk).update(issue=issue + 10, number=issue)
        progress.mark(bulletin.pk, "figures")
    with mock.patch.object(progress.cache, "get_many", wraps=progress.cache.get_many) as read:
        response = login(town.users.hq).get(reverse("assessment:bulletins"))
    assert response.content.decode().count('data-progress="figures"') == 3
    read.assert_called_once()
