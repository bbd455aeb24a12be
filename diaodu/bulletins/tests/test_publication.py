"""A bulletin publishes the rankings it needs all or nothing, and only headquarters (with an
account in use) issues one.

A failure while the period's second group is computed leaves no ranking published, nobody
told and no bulletin issued, whichever step fails: publishing what is missing, writing the
bulletin, or issuing it (the writing then fails, to be issued again).
"""

import pytest
from django.core.exceptions import PermissionDenied

from diaodu.assessment.tests import march
from diaodu.bulletins import services as bulletins
from diaodu.bulletins.choices import BulletinStatus
from diaodu.bulletins.models import Bulletin
from diaodu.bulletins.services import do_issue_bulletin
from diaodu.projects.tests.test_api import api

MARCH, TODAY = march.MARCH, march.TODAY
town = march.town  # the city ranked for March
pytestmark = march.ON_THE_DAY
second_group_fails, nothing_published = march.second_group_fails, march.nothing_published


def test_publishing_what_is_missing_is_one_transaction(town, second_group_fails):
    with pytest.raises(RuntimeError):
        bulletins.publish_missing(town.users.hq, MARCH, TODAY)
    assert nothing_published()


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
    assert bulletin.status == BulletinStatus.WRITING and nothing_published()


def test_a_bulletin_that_fails_to_publish_is_failed_and_publishes_nothing(town, second_group_fails):
    bulletin = do_issue_bulletin(town.users.hq, MARCH)  # written in process without a broker
    assert bulletin.status == BulletinStatus.FAILED and nothing_published()


# -- headquarters only, decided once --------------------------------------------------------


def test_a_disabled_headquarters_account_issues_nothing(town):
    hq = town.users.hq
    hq.is_active = False
    hq.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        do_issue_bulletin(hq, MARCH)
    assert nothing_published() and not Bulletin.objects.exists()


@pytest.mark.parametrize("data", [{"period": "2026-03"}, {"period": "not a period"}, {}])
def test_everyone_else_is_refused_with_one_message(town, data):
    answer = api(town.users.jiefang).post("/api/bulletins/", data)
    assert answer.status_code == 403
    assert answer.json()["detail"] == "只有指挥部办公室可以印发通报。"
    assert not Bulletin.objects.exists()
