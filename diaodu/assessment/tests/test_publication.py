"""Publishing is all or nothing, and only headquarters (with an account in use) publishes.

A period's two groups are published together: a failure while the second is computed leaves
neither published and nobody told, whichever path publishes them (the service, the page, the
queue's task behind the API). The bulletin, which publishes what is missing, is held to the same
in diaodu/bulletins/tests/test_publication.py.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from diaodu.assessment import services
from diaodu.assessment.choices import Group
from diaodu.assessment.tests import march
from diaodu.conftest import login
from diaodu.projects.tests.test_api import api

MARCH, TODAY = march.MARCH, march.TODAY
town = march.town  # the city ranked for March
pytestmark = march.ON_THE_DAY
second_group_fails, nothing_published = march.second_group_fails, march.nothing_published


def test_both_groups_are_published_together(town):
    rankings = services.do_publish_period(town.users.hq, MARCH, TODAY)
    assert sorted(r.group for r in rankings) == sorted(Group.values)


def test_a_failure_in_the_second_group_publishes_nothing(town, second_group_fails):
    with pytest.raises(RuntimeError):
        services.do_publish_period(town.users.hq, MARCH, TODAY)
    assert nothing_published()


def test_publishing_from_the_page_and_the_api_publishes_nothing_on_failure(
    town, second_group_fails
):
    with pytest.raises(RuntimeError):  # in process without a broker
        login(town.users.hq).post(reverse("assessment:publish"), {"period": MARCH.code})
    assert nothing_published()
    with pytest.raises(RuntimeError):
        api(town.users.hq).post("/api/rankings/publish/", {"period": MARCH.code})
    assert nothing_published()


# -- headquarters only, decided once --------------------------------------------------------


def test_a_disabled_headquarters_account_publishes_nothing(town):
    hq = town.users.hq
    hq.is_active = False
    hq.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        services.do_publish_period(hq, MARCH, TODAY)
    assert nothing_published()


@pytest.mark.parametrize(
    "method, url, data",
    [
        ("post", "/api/rankings/publish/", {"period": "2026-03"}),
        ("post", "/api/rankings/publish/", {}),
        ("post", "/api/schemes/", {}),
    ],
)
def test_everyone_else_is_refused_with_one_message(town, method, url, data):
    answer = getattr(api(town.users.jiefang), method)(url, data)
    assert answer.status_code == 403
    assert answer.json()["detail"] == "只有指挥部办公室可以管理排名和考核办法。"
