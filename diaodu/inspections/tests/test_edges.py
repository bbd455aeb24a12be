"""Edges of inspections: the report checked, and a project id that is not a number."""

from datetime import date

from diaodu.conftest import login
from diaodu.inspections import services


def test_the_report_checked_was_submitted_before_the_visit(city, periods, reports):
    """A visit on 10 May cannot check May's report, submitted on 25 May: the inspectors saw
    the site before that claim existed."""
    visit = date(2026, 5, 10)
    assert services.last_report(city.projects.jiefang, visit) == reports.april


def test_a_project_id_that_is_not_a_number_is_404_not_500(city):
    client = login(city.users.inspector)
    assert client.get("/inspections/new/?project=abc").status_code == 404
