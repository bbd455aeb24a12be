"""Two people issuing the same month's bulletin at the same moment, with real concurrent
transactions on PostgreSQL: one bulletin, one issue, one document number, and both are given it."""

import threading

import pytest
from django.db import connection, connections

from diaodu.assessment.tests import march
from diaodu.bulletins.models import Bulletin
from diaodu.bulletins.services import do_issue_bulletin
from diaodu.core.models import DocumentNumber
from diaodu.factories import UserFactory
from diaodu.org.choices import Role

pytestmark = pytest.mark.django_db(transaction=True)
town, _today = march.town, march._today  # the fixtures of the city ranked for March


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent issuing is tested on PostgreSQL, the production database")


def at_once(*calls):
    """Run each call in its own thread and transaction, released together; their outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # a failure of the test, shown as such
            outcomes[index] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


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
