"""The report API's conflict is answered as the schema documents it."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from diaodu.core.tests.test_schema import assert_documented
from diaodu.projects.tests.test_api import api
from diaodu.reporting.tests.test_services import GOOD

# The city's monthly period is May 2026's (conftest.py): on 20 May it is open, not yet due.
pytestmark = pytest.mark.today("2026-05-20")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_a_stale_version_is_answered_as_documented(schema, city, period):
    owner = api(city.users.owner)
    created = owner.post(
        "/api/reports/", {"project": city.projects.jiefang.pk, "period": period.pk, **GOOD}
    )
    assert created.status_code == 201, created.json()
    report = created.json()
    stale = owner.patch(
        f"/api/reports/{report['id']}/", {"next_steps": "复工", "version": report["version"] + 5}
    )
    assert stale.status_code == 409, stale.json()
    assert stale.json()["current"]["id"] == report["id"]  # the report as it is, with its types
    assert_documented(schema, "PATCH", "/api/reports/{id}/", stale)
    again = owner.post(
        "/api/reports/",
        {"project": city.projects.jiefang.pk, "period": period.pk, "version": 99, **GOOD},
    )
    assert again.status_code == 409
    assert_documented(schema, "POST", "/api/reports/", again)
