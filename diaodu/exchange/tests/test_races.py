"""Confirming one import twice at the same moment, with real concurrent transactions on
PostgreSQL (the page and the API, as a double click or two tabs would): one confirmation
imports the ledger, the other is told it was already imported, and no project is created twice."""

import pytest
from django.urls import reverse

from diaodu.conftest import login
from diaodu.exchange.models import ImportJob, ImportStatus
from diaodu.exchange.tests.test_pages import GOOD, ledger_file
from diaodu.projects.models import Project
from diaodu.tests.concurrency import at_once, on_postgresql

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.today("2026-11-20"),
    on_postgresql,
]


@pytest.mark.parametrize("attempt", range(20))
def test_confirming_an_import_twice_at_once_imports_it_once(city, attempt):
    uploader = login(city.users.hq)
    uploader.post(reverse("exchange:import"), {"file": ledger_file(GOOD), "year": 2026})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.READY
    page, api = login(city.users.hq), login(city.users.hq)

    answers = at_once(
        lambda: page.post(reverse("exchange:import-apply", args=[job.pk])).status_code,
        lambda: api.post(reverse("import-apply", args=[job.pk])).status_code,
    )

    # The page redirects either way (with a message when refused); the API answers the job, or
    # 400 "already imported". Never a server error, and one of the two was refused.
    assert answers[0] == 302 and answers[1] in (200, 400), answers
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLIED
    assert Project.objects.filter(name="新项目").count() == 1
    assert Project.objects.filter(name="解放区项目").count() == 1


@pytest.mark.parametrize("attempt", range(20))
def test_two_confirmations_through_the_api_at_once_answer_once_each(city, attempt):
    uploader = login(city.users.hq)
    response = uploader.post(reverse("import-list"), {"file": ledger_file(GOOD)})
    job_id = response.json()["id"]
    first, second = login(city.users.hq), login(city.users.hq)

    answers = at_once(
        *[
            (lambda client=client: client.post(reverse("import-apply", args=[job_id])).status_code)
            for client in (first, second)
        ]
    )

    assert sorted(answers) == [200, 400], answers
    assert Project.objects.filter(name="新项目").count() == 1
