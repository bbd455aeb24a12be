"""Two people issuing the same month's bulletin at the same moment, with real concurrent
transactions on PostgreSQL: one bulletin, one issue, one document number, and both are given it."""

import pytest

from diaodu.assessment.tests import march
from diaodu.bulletins.models import Bulletin
from diaodu.bulletins.services import do_issue_bulletin
from diaodu.core.models import DocumentNumber
from diaodu.factories import UserFactory
from diaodu.org.choices import Role
from diaodu.tests.concurrency import at_once, on_postgresql

pytestmark = [pytest.mark.django_db(transaction=True), on_postgresql, march.ON_THE_DAY]
town = march.town  # the city ranked for March


@pytest.mark.parametrize("attempt", range(5))
def test_issuing_a_month_twice_at_once_issues_it_once(town, attempt):
    second = UserFactory(username=f"hq{attempt}", role=Role.HEADQUARTERS, unit=town.users.hq.unit)
    outcomes = at_once(
        *[
            (lambda user=user: do_issue_bulletin(user, march.MARCH).pk)
            for user in (town.users.hq, second)
        ]
    )
    bulletin = Bulletin.objects.get()
    assert outcomes == [bulletin.pk, bulletin.pk]
    assert bulletin.issue == 1 and bulletin.document_number.text == "焦重办〔2026〕1号"
    assert DocumentNumber.objects.count() == 1
