"""The backward-scheduling page reads its two values through a form: what cannot be read is
refused with the field named, never silently replaced by the project's own date or template."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from diaodu.conftest import login
from diaodu.projects.models import Milestone
from diaodu.projects.schedule import TEMPLATES, do_apply_schedule

TODAY = timezone.localdate()


@pytest.fixture
def page(city):
    return reverse("schedule", args=[city.projects.jiefang.pk])


@pytest.mark.parametrize(
    "sent, field",
    [
        ({"target": "2030-02-30", "template": "building"}, "目标日期"),
        ({"target": "明年", "template": "building"}, "目标日期"),
        ({"target": "", "template": "building"}, "目标日期"),
        ({"target": "2030-06-30", "template": "nope"}, "节点模板"),
        ({"target": "2030-06-30"}, "节点模板"),
    ],
)
def test_applying_what_cannot_be_read_is_refused_and_moves_nothing(city, page, sent, field):
    """Before, a date that was no date was replaced by the project's planned completion and
    applied, and a missing template by the project's own."""
    response = login(city.users.hq).post(page, sent)
    assert response.status_code == 400
    assert any(error.startswith(f"{field}：") for error in response.context["errors"])
    assert not response.context["can_apply"] and response.context["steps"] == []
    assert not Milestone.objects.filter(project=city.projects.jiefang).exists()


def test_a_preview_fills_in_what_is_left_out_and_refuses_what_cannot_be_read(city, page):
    client = login(city.users.jiefang)
    response = client.get(page)
    assert response.status_code == 200 and response.context["steps"]
    response = client.get(page, {"template": "industry"})
    assert response.status_code == 200 and len(response.context["steps"]) == len(
        TEMPLATES["industry"]
    )
    response = client.get(page, {"target": "2030-13-01"})
    assert response.status_code == 400 and response.context["steps"] == []
    assert response.context["target"] == "2030-13-01"  # shown as typed, to be corrected


def test_the_applied_schedule_is_the_one_previewed(city, page):
    target = TODAY + timedelta(days=500)
    client = login(city.users.hq)
    preview = client.get(page, {"target": target.isoformat(), "template": "infrastructure"})
    assert preview.context["can_apply"]
    client.post(page, {"target": target.isoformat(), "template": "infrastructure"})
    milestones = Milestone.objects.filter(project=city.projects.jiefang)
    assert milestones.count() == len(TEMPLATES["infrastructure"])
    assert max(m.planned_date for m in milestones) == target


@pytest.mark.parametrize(
    "template, target",
    [("nope", TODAY + timedelta(days=400)), ("building", date(1, 1, 1)), ("building", date.max)],
)
def test_the_service_refuses_an_unknown_template_or_a_year_out_of_range(city, template, target):
    """Called from elsewhere than the page (a command, the shell), the service checks too."""
    with pytest.raises(ValidationError):
        do_apply_schedule(city.users.hq, city.projects.jiefang, template, target, TODAY)
    assert not Milestone.objects.filter(project=city.projects.jiefang).exists()
