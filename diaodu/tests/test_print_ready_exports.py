"""Every Excel download the site answers is ready to print, read with openpyxl.

Every route of the URL conf but the administration's (diaodu/tests/routes.py, filled from
diaodu/tests/world.py as in test_routes.py) is asked for by headquarters, with GET; whatever
comes back as a workbook must have, on its first sheet: 序号 heading the first column (but for
the rejected import file given back as it was read), filter buttons on the header row reaching
below it, the header repeated on every printed page, A4 landscape, one page wide. A new
export is checked the day it is added.
"""

import io

import pytest
from django.test import Client, override_settings
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from diaodu.core.exports import XLSX
from diaodu.tests.routes import all_routes
from diaodu.tests.world import build_world

pytestmark = pytest.mark.django_db

# The exports this test must find (a route renamed or lost fails here, not silently).
EXPECTED = {
    "projects:export",
    "project-export",
    "problems:problem-export",
    "problems:task-export",
    "approvals:export",
    "inspections:export",
    "assessment:export",
    "reporting:period-export",
    "reporting:template",
    "report-export",
    "exchange:template",
    "import-template",
    "exchange:import-problems",
    "approval-export",
    "inspection-export",
    "problem-export",
    "task-export",
}
# The rejected import file comes back with the user's own columns on the user's own rows:
# print setup and filter, but no 序号 added to it.
AS_READ = {"exchange:import-problems"}


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder():
    """The world's files stay in the world's folder, set once for the module (`world`)."""


@pytest.fixture(autouse=True)
def _fast_password_hashing():
    """Nobody signs in with a password here."""


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def workbooks(django_db_setup, django_db_blocker, media):
    """{route label: the workbook headquarters downloads from it}, for every route that
    answers a workbook."""
    from django.db import transaction

    found = {}
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            world = build_world()
            client = Client(raise_request_exception=False)  # other routes' faults: test_routes
            client.force_login(world.hq)
            for route in all_routes():
                if route.is_admin or route.is_format_variant:
                    continue
                values = {
                    param: world.object(model, world.hq_side).pk
                    if isinstance(model, type)
                    else model(world, world.hq_side)
                    for param, model in route.models.items()
                }
                query = {
                    param: world.object(model, world.hq_side).pk
                    if isinstance(model, type)
                    else model(world, world.hq_side)
                    for param, model in route.query_models.items()
                }
                response = client.get(route.url(values, query))
                if response.status_code == 200 and response["Content-Type"].startswith(XLSX):
                    found[route.label] = response.content
            transaction.set_rollback(True)
    return found


def test_every_expected_export_is_found(workbooks):
    assert EXPECTED <= set(workbooks), EXPECTED - set(workbooks)


def _print_ready(label, content):
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header_row = 2
    if label not in AS_READ:
        assert sheet.cell(header_row, 1).value == "序号", label
    assert sheet.auto_filter.ref, label
    first_column, first_row, last_column, last_row = range_boundaries(sheet.auto_filter.ref)
    if label not in AS_READ:
        assert (first_column, first_row) == (1, header_row), (label, sheet.auto_filter.ref)
        assert last_column == sheet.max_column, (label, sheet.auto_filter.ref)
        assert last_row > header_row or sheet.max_row <= header_row + 1, label
        numbers = [sheet.cell(row, 1).value for row in range(header_row + 1, last_row + 1)]
        assert numbers == list(range(1, len(numbers) + 1)), label
    assert sheet.print_title_rows == f"${first_row}:${first_row}", label
    assert sheet.page_setup.orientation == "landscape", label
    assert sheet.page_setup.paperSize == 9, label  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage, label
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0, label


def test_every_workbook_is_print_ready(workbooks):
    for label, content in sorted(workbooks.items()):
        _print_ready(label, content)
