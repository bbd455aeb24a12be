"""The rankings and indicators API answers as its schema documents."""

import pytest

from diaodu.conftest import login
from diaodu.core.tests.test_schema import assert_documented, generated_schema

from .conftest import TODAY

pytestmark = pytest.mark.today(TODAY)  # the ranked city is as it stood on 15 April 2026


def test_rankings_and_indicators_are_answered_as_documented(ranked):
    schema, hq = generated_schema(), login(ranked.city.users.hq)
    current = hq.get("/api/rankings/current/?period=2026-03&group=region")
    assert current.json()["entries"]
    assert_documented(schema, "GET", "/api/rankings/current/", current)
    indicators = hq.get("/api/indicators/?period=2026Q1&group=department")
    assert indicators.json()["units"]
    assert_documented(schema, "GET", "/api/indicators/", indicators)
    published = hq.post(
        "/api/rankings/publish/", {"period": "2026-03"}, content_type="application/json"
    )
    assert published.status_code == 201
    assert_documented(schema, "POST", "/api/rankings/publish/", published)
    detail = hq.get(f"/api/rankings/{published.json()[0]['id']}/")
    assert detail.json()["published"]
    assert_documented(schema, "GET", "/api/rankings/{id}/", detail)
