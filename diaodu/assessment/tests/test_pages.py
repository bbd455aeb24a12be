"""The ranking and scheme pages and their API: who sees, who publishes, what is refused."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from diaodu.assessment.choices import Indicator
from diaodu.assessment.explain import indicator_label
from diaodu.assessment.models import Ranking, ScoringScheme
from diaodu.conftest import login

from .conftest import TODAY

pytestmark = pytest.mark.today(TODAY)  # the ranked city is as it stood on 15 April 2026


@pytest.mark.parametrize("who", ["hq", "leader", "inspector", "jiefang", "jiaotong", "owner"])
def test_every_signed_in_user_reads_the_ranking(ranked, who, django_assert_max_num_queries):
    client = login(getattr(ranked.city.users, who))
    with django_assert_max_num_queries(45):
        response = client.get("/rankings/?period=2026-03&group=region")
    assert response.status_code == 200
    page = response.content.decode()
    assert "解放区" in page and "高新区" in page and "计分明细" in page
    assert ("/rankings/publish/" in page) == (who == "hq")


def test_anonymous_users_are_sent_to_sign_in(ranked, client):
    for url in ["/rankings/", "/rankings/schemes/", "/rankings/export.xlsx"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get("/api/rankings/current/").status_code in (401, 403)
    assert client.get("/api/indicators/").status_code in (401, 403)


def test_the_default_period_is_last_month_and_groups_switch(ranked):
    client = login(ranked.city.users.jiefang)
    page = client.get("/rankings/").content.decode()
    assert "2026年03月" in page
    departments = client.get("/rankings/?period=2026Q1&group=department").content.decode()
    assert "交通运输局" in departments and "解放区" not in departments.split("<tbody>")[1]


def test_a_bad_or_future_period_says_so(ranked):
    client = login(ranked.city.users.hq)
    assert "不是有效的期间" in client.get("/rankings/?period=March", follow=True).content.decode()
    assert "尚未开始" in client.get("/rankings/?period=2026-06").content.decode()


def test_headquarters_publishes_and_others_cannot(ranked):
    response = login(ranked.city.users.jiefang).post("/rankings/publish/", {"period": "2026-03"})
    assert response.status_code == 403 and not Ranking.objects.exists()
    response = login(ranked.city.users.hq).post("/rankings/publish/", {"period": "2026-03"})
    assert response.status_code == 302
    assert Ranking.objects.filter(year=2026, number=3).count() == 2  # both groups
    page = login(ranked.city.users.owner).get("/rankings/?period=2026-03").content.decode()
    assert "发布人" in page


def test_the_ranking_exports_to_excel(ranked):
    response = login(ranked.city.users.gaoxin).get("/rankings/export.xlsx?period=2026-03")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [row for row in sheet.iter_rows(values_only=True)]
    assert rows[1][0] == "序号" and [row[0] for row in rows[2:4]] == [1, 2]
    names = [row[2] for row in rows[2:4]]
    assert set(names) == {"解放区", "高新区"}
    # A rate is a percentage (stored as the fraction), a count a whole number.
    formats = {sheet.cell(2, c).value: sheet.cell(3, c).number_format for c in range(1, 30)}
    assert formats[indicator_label(Indicator.INVESTMENT_RATE)] == "0.0%"
    assert formats[indicator_label(Indicator.PROBLEMS_OVERDUE)] == "0"
    column = list(formats).index(indicator_label(Indicator.INVESTMENT_RATE)) + 1
    rates = [sheet.cell(row, column).value for row in (3, 4)]
    assert all(rate is None or 0 <= rate <= 2 for rate in rates) and any(rates)


def test_schemes_page_and_a_new_version(ranked):
    assert login(ranked.city.users.jiefang).get("/rankings/schemes/").status_code == 200
    assert login(ranked.city.users.jiefang).get("/rankings/schemes/new/").status_code == 403
    client = login(ranked.city.users.hq)
    form = client.get("/rankings/schemes/new/")
    assert form.status_code == 200 and "investment_rate" in form.content.decode()
    data = {
        "name": "2026年办法", "valid_from": "2026-04", "top_count": 1, "bottom_count": 1,
        "tie_break_1": "reporting_rate", "note": "",
        "rules-TOTAL_FORMS": 2, "rules-INITIAL_FORMS": 0,
        "rules-0-indicator": "reporting_rate", "rules-0-method": "ratio", "rules-0-weight": "100",
        "rules-0-target": "100", "rules-0-floor": "0", "rules-0-when_missing": "full",
        "rules-1-indicator": "", "rules-1-method": "ratio", "rules-1-when_missing": "full",
    }  # fmt: skip
    response = client.post("/rankings/schemes/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    scheme = ScoringScheme.objects.get(name="2026年办法")
    assert scheme.rules.count() == 1 and scheme.tie_breaks == ["reporting_rate"]
    # The same month again, and a rate without points: every problem said, what was typed kept.
    data["rules-0-weight"] = ""
    response = client.post("/rankings/schemes/new/", data)
    page = response.content.decode()
    assert response.status_code == 200 and "该月份已有一个版本" in page and "2026年办法" in page
    assert "2026年办法" in client.get("/rankings/?period=2026-04").content.decode()
    assert "2026年办法" not in client.get("/rankings/?period=2026-03").content.decode()
    # A month already over cannot be given a new version.
    data.update({"valid_from": "2026-02", "rules-0-weight": "100", "name": "倒签"})
    page = client.post("/rankings/schemes/new/", data).content.decode()
    assert "最早只能从2026-04起用" in page


def test_api_current_ranking_and_indicators(ranked, django_assert_max_num_queries):
    client = login(ranked.city.users.jiaotong)
    with django_assert_max_num_queries(40):
        data = client.get("/api/rankings/current/?period=2026-03&group=region").json()
    assert data["period"] == "2026-03" and not data["published"]
    for entry in data["entries"]:
        assert sum(float(line["points"]) for line in entry["lines"]) == pytest.approx(
            float(entry["score"])
        )
    indicators = client.get("/api/indicators/?period=2026Q1&group=department").json()
    assert {u["unit"]["name"] for u in indicators["units"]} == {"交通运输局", "自然资源和规划局"}
    bad = client.get("/api/rankings/current/?period=2026-13")
    assert bad.status_code == 400 and "2024Q1" in bad.json()["period"][0]
    assert client.get("/api/indicators/?group=nonsense").status_code == 400


def test_api_publish_and_schemes(ranked):
    region = login(ranked.city.users.jiefang)
    assert region.post("/api/rankings/publish/", {"period": "2026-03"}).status_code == 403
    hq = login(ranked.city.users.hq)
    response = hq.post(
        "/api/rankings/publish/", {"period": "2026-03"}, content_type="application/json"
    )
    assert response.status_code == 201 and len(response.json()) == 2
    listed = region.get("/api/rankings/?group=region").json()
    assert listed["count"] == 1
    detail = region.get(f"/api/rankings/{listed['results'][0]['id']}/").json()
    assert detail["published"] and detail["entries"]
    assert hq.post("/api/rankings/publish/", {"period": "2030-01"}).status_code == 400

    scheme = {
        "name": "API版本", "valid_from": "2026-04-01", "tie_breaks": ["investment_rate"],
        "rules": [{"indicator": "investment_rate", "method": "ratio", "weight": "100"}],
    }  # fmt: skip
    assert region.post("/api/schemes/", scheme, content_type="application/json").status_code == 403
    created = hq.post("/api/schemes/", scheme, content_type="application/json")
    assert created.status_code == 201, created.json()
    again = hq.post("/api/schemes/", scheme, content_type="application/json")
    assert again.status_code == 400 and "valid_from" in again.json()
    default = ScoringScheme.objects.get(valid_from__year=2000)
    assert hq.delete(f"/api/schemes/{default.pk}/").status_code == 400  # it scored a ranking
    assert hq.delete(f"/api/schemes/{created.json()['id']}/").status_code == 204
