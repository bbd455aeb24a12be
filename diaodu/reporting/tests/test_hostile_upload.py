"""The period template upload refuses the file bombs cheaply (built in core's tests)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from diaodu.conftest import login
from diaodu.core.tests.test_hostile_files import (  # warm: libraries loaded before timing
    cheap,
    dimension_bomb,
    row_bomb,
    warm,  # noqa: F401
    zip_bomb,
)
from diaodu.reporting.models import ProgressReport

# The city's monthly period is May 2026's (conftest.py): on 20 May it is open, not yet due.
pytestmark = pytest.mark.today("2026-05-20")


@pytest.mark.parametrize(
    "bomb, words",
    [
        (zip_bomb, "解压后超过 200 MB"),
        (row_bomb, "100000 行"),
        (dimension_bomb, "项目编号"),  # read as the cells it holds: not the template's header
    ],
)
def test_the_period_template_upload_refuses_a_bomb(city, period, bomb, words):
    client = login(city.users.owner)
    content = bomb()
    url = reverse("reporting:upload", args=[period.pk])
    with translation.override("zh-hans"):
        response = cheap(lambda: client.post(url, {"file": SimpleUploadedFile("x.xlsx", content)}))
    assert words in response.context["problems"][0].message
    assert not ProgressReport.objects.exists()
