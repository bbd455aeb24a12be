"""The API's limits: so many requests a minute per user, then 429 with Retry-After."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_user_beyond_the_rate_is_told_to_wait_and_others_are_not(city, settings):
    settings.DIAODU_API_RATE_USER = "3/minute"
    api = _api(city.users.jiefang)
    assert [api.get("/api/projects/").status_code for _ in range(3)] == [200, 200, 200]
    response = api.get("/api/projects/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "限" in response.json()["detail"]  # in Chinese
    assert _api(city.users.gaoxin).get("/api/projects/").status_code == 200


def test_off_means_no_limit(city, settings):
    settings.DIAODU_API_RATE_USER = ""
    api = _api(city.users.hq)
    assert {api.get("/api/units/").status_code for _ in range(20)} == {200}


def test_pages_are_not_throttled(city, settings):
    settings.DIAODU_API_RATE_USER = "1/minute"
    client = APIClient()
    client.force_login(city.users.hq)
    assert {client.get("/projects/").status_code for _ in range(3)} == {200}
