"""Publishing is all or nothing, and only headquarters (with an account in use) publishes.

A period's two groups are published together: a failure while the second is computed leaves
neither published, nobody told, and no bulletin issued; whichever path publishes them (the
queue's task, a bulletin that publishes what is missing, the bulletin's writing).
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from diaodu.assessment import bulletins, services
from diaodu.assessment.bulletins import do_issue_bulletin
from diaodu.assessment.choices import Group
from diaodu.assessment.models import Bulletin, BulletinStatus, Ranking
from diaodu.assessment.tests import test_bulletin
from diaodu.conftest import login
from diaodu.notifications.models import Notification
from diaodu.projects.tests.test_api import api

MARCH, TODAY = test_bulletin.MARCH, test_bulletin.TODAY
town, _today = test_bulletin.town, test_bulletin._today  # the fixtures of the bulletins' tests


@pytest.fixture
def second_group_fails(monkeypatch):
    """Computing the departments' ranking (the second group) fails."""
    compute = services.compute

    def failing(window, group, *args, **kwargs):
        if group == Group.DEPARTMENT:
            raise RuntimeError("the database went away")
        return compute(window, group, *args, **kwargs)

    monkeypatch.setattr(services, "compute", failing)


def _nothing_published():
    return (
        not Ranking.objects.exists()
        and not Notification.objects.filter(event="ranking.published").exists()
    )


def test_both_groups_are_published_together(town):
    rankings = services.do_publish_period(town.users.hq, MARCH, TODAY)
    assert sorted(r.group for r in rankings) == sorted(Group.values)


def test_a_failure_in_the_second_group_publishes_nothing(town, second_group_fails):
    with pytest.raises(RuntimeError):
        services.do_publish_period(town.users.hq, MARCH, TODAY)
    assert _nothing_published()


def test_publishing_what_is_missing_is_one_transaction(town, second_group_fails):
    with pytest.raises(RuntimeError):
        bulletins.publish_missing(town.users.hq, MARCH, TODAY)
    assert _nothing_published()


def test_writing_a_bulletin_is_one_transaction(town, second_group_fails):
    bulletin = Bulletin.objects.create(
        kind=MARCH.kind,
        year=MARCH.year,
        number=MARCH.number,
        issue=1,
        title="通报",
        status=BulletinStatus.WRITING,
        created_by=town.users.hq,
    )
    with pytest.raises(RuntimeError):
        bulletins.write(bulletin, TODAY)
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.WRITING and _nothing_published()


def test_a_bulletin_that_fails_to_publish_is_failed_and_publishes_nothing(town, second_group_fails):
    bulletin = do_issue_bulletin(town.users.hq, MARCH)  # written in process without a broker
    assert bulletin.status == BulletinStatus.FAILED and _nothing_published()


def test_publishing_from_the_page_and_the_api_publishes_nothing_on_failure(
    town, second_group_fails
):
    with pytest.raises(RuntimeError):  # in process without a broker
        login(town.users.hq).post(reverse("assessment:publish"), {"period": MARCH.code})
    assert _nothing_published()
    with pytest.raises(RuntimeError):
        api(town.users.hq).post("/api/rankings/publish/", {"period": MARCH.code})
    assert _nothing_published()


# -- headquarters only, decided once --------------------------------------------------------


def test_a_disabled_headquarters_account_publishes_nothing(town):
    hq = town.users.hq
    hq.is_active = False
    hq.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        services.do_publish_period(hq, MARCH, TODAY)
    with pytest.raises(PermissionDenied):
        do_issue_bulletin(hq, MARCH)
    assert _nothing_published() and not Bulletin.objects.exists()


@pytest.mark.parametrize(
    "method, url, data",
    [
        ("post", "/api/rankings/publish/", {"period": "2026-03"}),
        ("post", "/api/rankings/publish/", {}),
        ("post", "/api/bulletins/", {"period": "2026-03"}),
        ("post", "/api/bulletins/", {"period": "not a period"}),
        ("post", "/api/schemes/", {}),
    ],
)
def test_everyone_else_is_refused_with_one_message(town, method, url, data):
    answer = getattr(api(town.users.jiefang), method)(url, data)
    assert answer.status_code == 403
    assert answer.json()["detail"] == "只有指挥部办公室可以管理排名、通报和考核办法。"
