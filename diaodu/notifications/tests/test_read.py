"""Marking a notice read: one service for the page and the API, by its recipient only, once."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from diaodu.conftest import login
from diaodu.factories import NotificationFactory
from diaodu.notifications.services import mark_read
from diaodu.projects.tests.test_api import api


def test_only_the_recipient_marks_a_notice_read(city):
    notice = NotificationFactory(recipient=city.users.jiefang)
    for user in (city.users.owner, city.users.hq):
        with pytest.raises(PermissionDenied):
            mark_read(user, notice)
    notice.refresh_from_db()
    assert notice.read_at is None
    assert mark_read(city.users.jiefang, notice) == 1


def test_a_notice_read_again_keeps_the_time_it_was_first_read(city):
    first = timezone.now() - timedelta(days=2)
    notice = NotificationFactory(recipient=city.users.owner, read_at=first)
    assert mark_read(city.users.owner, notice) == 0
    notice.refresh_from_db()
    assert notice.read_at == first


def test_the_api_marks_ones_own_notice_read_once(city):
    notice = NotificationFactory(recipient=city.users.owner)
    url = f"/api/notifications/{notice.pk}/read/"
    client = api(city.users.owner)
    response = client.post(url)
    assert response.status_code == 200 and response.json()["read_at"] is not None
    first = response.json()["read_at"]
    assert client.post(url).json()["read_at"] == first
    assert api(city.users.jiefang).post(url).status_code == 404
    assert api().post(url).status_code in {401, 403}


def test_the_page_and_the_api_use_the_same_rule(city):
    """Opened on the page after the API marked it: the first time stays."""
    notice = NotificationFactory(recipient=city.users.owner, url=reverse("projects:list"))
    first = api(city.users.owner).post(f"/api/notifications/{notice.pk}/read/").json()["read_at"]
    login(city.users.owner).get(reverse("notifications:open", args=[notice.pk]))
    assert api(city.users.owner).get(f"/api/notifications/{notice.pk}/").json()["read_at"] == first
