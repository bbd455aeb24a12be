"""Channels beyond the bell run as tasks after the change: a failing one never undoes it."""

import logging

import pytest
from django.urls import reverse

from diaodu.conftest import login
from diaodu.notifications.models import Notification
from diaodu.notifications.tasks import RETRIES, deliver

SENT: list[list[int]] = []
CALLS = {"failing": 0}


def recording_channel(notifications):
    SENT.append([n.pk for n in notifications])


def failing_channel(notifications):
    CALLS["failing"] += 1
    raise ConnectionError("the chat robot is unreachable")


@pytest.fixture(autouse=True)
def _reset():
    SENT.clear()
    CALLS["failing"] = 0


def raise_a_problem(city):
    """A headquarters user raises a problem through the page; the unit is notified."""
    client = login(city.users.hq)
    return client.post(
        reverse("problems:problem-new", args=[city.projects.jiefang.pk]),
        {
            "description": "征地拆迁未完成",
            "category": "land",
            "responsible_unit": city.jiefang.pk,
            "deadline": "2026-12-31",
        },
    )


def test_a_channel_delivers_once_after_the_change(
    city, settings, django_capture_on_commit_callbacks
):
    settings.DIAODU_NOTIFICATION_CHANNELS = [f"{__name__}.recording_channel"]
    with django_capture_on_commit_callbacks(execute=True):
        response = raise_a_problem(city)
    assert response.status_code == 302
    notes = list(Notification.objects.values_list("pk", flat=True))
    assert notes and SENT == [notes]
    # Delivered again (a task run twice): nothing more is sent.
    assert deliver(f"{__name__}.recording_channel", notes) == "nothing to send"
    assert SENT == [notes]


def test_a_failing_channel_is_retried_logged_and_changes_nothing_for_the_user(
    city, settings, django_capture_on_commit_callbacks, caplog
):
    settings.DIAODU_NOTIFICATION_CHANNELS = [f"{__name__}.failing_channel"]
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        response = raise_a_problem(city)
    assert response.status_code == 302  # the problem is raised, whatever the channel does
    assert city.projects.jiefang.problems.count() == 1
    assert Notification.objects.exists()  # the bell has it
    assert CALLS["failing"] == RETRIES + 1  # tried, then retried RETRIES times
    assert "retrying" in caplog.text and "gave up" in caplog.text
    assert all(n.delivered_by == [] for n in Notification.objects.all())
