from decimal import Decimal

import pytest

from diaodu.projects.tests.test_api import api
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.tests.test_services import GOOD, file, submitted

# The city's monthly period is May 2026's (conftest.py): on 20 May it is open, not yet due.
pytestmark = pytest.mark.today("2026-05-20")


def test_anonymous_gets_401(city, period):
    assert api().get("/api/reports/").status_code == 401
    assert api().get("/api/periods/").status_code == 401


@pytest.mark.parametrize(
    "username, expected",
    [("hq", 2), ("jiefang", 1), ("gaoxin", 1), ("owner", 1), ("jiaotong", 2), ("nobody", 0)],
)
def test_reports_are_scoped(city, period, username, expected):
    file(city.users.owner, city.projects.jiefang, period)
    file(city.users.hq, city.projects.gaoxin, period)
    response = api(getattr(city.users, username)).get("/api/reports/")
    assert response.json()["count"] == expected


def test_out_of_scope_report_is_404(city, period):
    report = file(city.users.hq, city.projects.gaoxin, period).report
    client = api(city.users.jiefang)
    assert client.get(f"/api/reports/{report.pk}/").status_code == 404
    assert client.post(f"/api/reports/{report.pk}/approve/").status_code == 404


def test_file_submit_and_approve_through_the_api(city, period):
    owner = api(city.users.owner)
    response = owner.post(
        "/api/reports/", {"project": city.projects.jiefang.pk, "period": period.pk, **GOOD}
    )
    assert response.status_code == 201, response.json()
    report_id = response.json()["id"]
    assert owner.post(f"/api/reports/{report_id}/submit/").json()["status"] == "submitted"
    assert owner.post(f"/api/reports/{report_id}/approve/").status_code == 403
    approved = api(city.users.jiefang).post(f"/api/reports/{report_id}/approve/")
    assert approved.json()["status"] == ReportStatus.APPROVED


def test_api_refuses_bad_values_with_field_errors(city, period):
    response = api(city.users.owner).post(
        "/api/reports/",
        {
            "project": city.projects.jiefang.pk,
            "period": period.pk,
            "invested": "-1",
            "physical_percent": "101",
        },
    )
    assert response.status_code == 400
    assert set(response.json()) == {"invested", "physical_percent"}


def test_api_update_with_stale_version_is_409(city, period):
    report = file(city.users.owner, city.projects.jiefang, period).report
    owner = api(city.users.owner)
    first = owner.patch(f"/api/reports/{report.pk}/", {"invested": "5", "version": report.version})
    assert first.status_code == 200 and first.json()["version"] == report.version + 1
    stale = owner.patch(f"/api/reports/{report.pk}/", {"invested": "6", "version": report.version})
    assert stale.status_code == 409
    assert stale.json()["current"]["invested"] == "5.00"
    assert owner.patch(f"/api/reports/{report.pk}/", {"invested": "7"}).status_code == 400


def test_return_needs_a_reason(city, period):
    report = submitted(city, period)
    client = api(city.users.jiefang)
    assert client.post(f"/api/reports/{report.pk}/return/", {}).status_code == 400
    response = client.post(f"/api/reports/{report.pk}/return/", {"reason": "数据不实"})
    assert response.json()["return_reason"] == "数据不实"


def test_periods_extend_by_headquarters_only(city, period):
    assert (
        api(city.users.owner)
        .post(f"/api/periods/{period.pk}/extend/", {"due_date": "2026-06-01", "reason": "x"})
        .status_code
        == 403
    )
    response = api(city.users.hq).post(
        f"/api/periods/{period.pk}/extend/", {"due_date": "2026-06-01", "reason": "汛期"}
    )
    assert response.json()["due_date"] == "2026-06-01"


def test_warnings_come_back(city, period):
    response = api(city.users.owner).post(
        "/api/reports/",
        {"project": city.projects.jiefang.pk, "period": period.pk, "invested": "5000"},
    )
    assert response.status_code == 201
    assert response.json()["warnings"]
    assert Decimal(response.json()["invested"]) == Decimal("5000")


def test_report_api_input_goes_through_serializers(city, period):
    """Bad types answer 400 naming the field, never 500; an unseen project and a missing one
    get the same answer, so nothing leaks whether it exists."""
    owner = api(city.users.owner)
    for body in (
        {"project": "abc", "period": period.pk},
        {"project": city.projects.jiefang.pk, "period": period.pk, "version": "AAA"},
        {"project": city.projects.jiefang.pk, "period": period.pk, "invested": {}},
    ):
        response = owner.post("/api/reports/", body, format="json")
        assert response.status_code == 400, (body, response.content)
    unseen = owner.post("/api/reports/", {"project": city.projects.gaoxin.pk, "period": period.pk})
    missing = owner.post("/api/reports/", {"project": 999999, "period": period.pk})
    assert unseen.status_code == missing.status_code == 400
    assert unseen.json() == missing.json()
    report = file(city.users.owner, city.projects.jiefang, period).report
    bad_version = owner.patch(f"/api/reports/{report.pk}/", {"invested": "5", "version": "abc"})
    assert bad_version.status_code == 400 and "version" in bad_version.json()
    # A form-encoded "0" on a new report is a first save, not a conflict.
    first = owner.post(
        "/api/reports/",
        {"project": city.projects.city.pk, "period": period.pk, "version": "0", "invested": "1"},
    )
    assert first.status_code == 201, first.content
