"""Faults the route × role test found, each kept by a test of its own."""

from diaodu.conftest import login
from diaodu.factories import ApprovalFactory
from diaodu.projects.choices import ApprovalStatus


def test_an_approval_not_in_progress_is_found_at_its_address(city):
    """The list shows approvals in progress unless asked otherwise; that choice of rows used to
    apply to one approval too, so an approval not started (or done) answered 404 to GET and
    PATCH through the API while its page showed it."""
    approval = ApprovalFactory(project=city.projects.jiefang, status=ApprovalStatus.NOT_STARTED)
    client = login(city.users.hq)
    url = f"/api/approvals/{approval.pk}/"
    assert client.get(url).json()["status"] == ApprovalStatus.NOT_STARTED
    response = client.patch(
        url, {"document_number": "焦发改〔2026〕1号"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["document_number"] == "焦发改〔2026〕1号"
    listed = client.get("/api/approvals/").json()["results"]
    assert approval.pk not in {row["id"] for row in listed}
    every = client.get("/api/approvals/", {"status": "all"}).json()["results"]
    assert approval.pk in {row["id"] for row in every}
    outsider = login(city.users.gaoxin)
    assert outsider.get(url).status_code == 404
