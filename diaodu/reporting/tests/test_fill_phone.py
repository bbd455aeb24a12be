"""The filing page from a phone: each row is also a card (labels, its own save button), and
the row's save answers say clearly whether the server kept it, for the drafts kept on the
phone (static/diaodu/js/fill.js)."""

import re

import pytest
from django.urls import reverse

from diaodu.conftest import login
from diaodu.reporting import services
from diaodu.reporting.tests.test_services import GOOD, file

pytestmark = pytest.mark.today("2026-05-20")


def _row(html: str, project) -> str:
    match = re.search(rf'<tr id="row-{project.pk}".*?</tr>', html, re.S)
    assert match, f"no row for {project}"
    return match.group(0)


def _data(project, version, **changes):
    data = {f"p{project.pk}-{key}": value for key, value in {**GOOD, **changes}.items()}
    data[f"p{project.pk}-version"] = str(version)
    return data


def test_each_row_is_a_card_with_labels_and_its_own_save_button(city, period):
    client = login(city.users.owner)
    page = client.get(reverse("reporting:fill", args=[period.pk])).content.decode()
    # The table for a wide screen, unchanged: its header row is there.
    assert 'class="table table-vcenter card-table fill-grid"' in page
    assert "<thead>" in page
    # The drafts' scope: this user and this period; the messages, translated.
    user, period_pk = city.users.owner.pk, period.pk
    assert f'id="fill-rows" data-draft-key="diaodu.draft.{user}.{period_pk}"' in page
    assert 'data-msg-pending="已保存在手机上，联网后自动提交"' in page
    assert 'data-msg-saved="已提交"' in page
    assert 'src="/static/diaodu/js/fill.js"' in page
    for project in (city.projects.jiefang, city.projects.city):
        row = _row(page, project)
        assert 'class="fill-card"' in row and f'data-project="{project.pk}"' in row
        assert 'data-draft-state="clean"' in row
        assert f'id="draft-message-{project.pk}" data-draft-message' in row
        assert f'id="save-{project.pk}" data-fill-save' in row
        assert row.count("<button") >= 1 and "保存" in row
        # A label above each field, shown only on a phone, tied to its field.
        for name in GOOD:
            field_id = f"id_p{project.pk}-{name}"
            assert f'<label class="form-label d-sm-none" for="{field_id}">' in row, name
            assert f'id="{field_id}"' in row


def test_a_locked_report_is_a_card_with_labels_and_no_save(city, period):
    report = file(city.users.owner, city.projects.jiefang, period).report
    services.do_submit_report(city.users.owner, report)
    page = login(city.users.owner).get(reverse("reporting:fill", args=[period.pk]))
    page = page.content.decode()
    row = _row(page, city.projects.jiefang)
    assert "data-locked" in row and "data-fill-save" not in row
    assert '<span class="form-label d-sm-none">现场施工人数</span>' in row


def test_a_saved_row_says_so_and_gives_its_version(city, period):
    client = login(city.users.owner)
    project = city.projects.jiefang
    response = client.post(
        reverse("reporting:fill-row", args=[period.pk, project.pk]), _data(project, 0)
    )
    assert response.status_code == 200
    assert response["X-Report-Version"] == "1"
    assert 'data-draft-state="saved"' in response.content.decode()


def test_a_row_saved_over_a_newer_version_is_a_conflict(city, period):
    project = city.projects.jiefang
    file(city.users.owner, project, period)  # version 1, saved elsewhere
    client = login(city.users.owner)
    response = client.post(
        reverse("reporting:fill-row", args=[period.pk, project.pk]),
        _data(project, 0, physical_progress="离线时填写的进度"),
    )
    assert response.status_code == 409
    assert not response.has_header("X-Report-Version")
    row = response.content.decode()
    assert 'data-draft-state="conflict"' in row and 'data-current-version="1"' in row
    assert "离线时填写的进度" in row  # what was typed stays in the row
    assert f'id="draft-overwrite-{project.pk}"' in row


def test_refused_values_answer_400_and_keep_what_was_typed(city, period):
    client = login(city.users.owner)
    project = city.projects.jiefang
    response = client.post(
        reverse("reporting:fill-row", args=[period.pk, project.pk]),
        _data(project, 0, physical_percent="101", physical_progress="桩基完成"),
    )
    assert response.status_code == 400
    assert not response.has_header("X-Report-Version")
    assert "桩基完成" in response.content.decode()


def test_the_report_page_keeps_its_actions_on_a_phone(city, period):
    report = file(city.users.owner, city.projects.jiefang, period).report
    page = login(city.users.owner).get(reverse("reporting:report", args=[report.pk]))
    assert 'class="card-footer btn-list report-actions"' in page.content.decode()
