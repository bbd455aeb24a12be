"""An action on a state the user no longer sees is refused: the page and the API say which
state they acted on, so a second escalation from the same level does not skip one."""

from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from diaodu.problems import services
from diaodu.problems.choices import ProblemLevel
from diaodu.problems.models import Problem
from diaodu.problems.tests.test_problems import raise_problem


def test_the_page_sends_the_state_it_showed_and_a_stale_action_is_refused(city):
    problem = raise_problem(city, unit=city.jiefang)
    client = Client()
    client.force_login(city.users.hq)
    page = client.get(reverse("problems:problem", args=[problem.pk])).content.decode()
    seen = services.state_of(problem)
    assert f'name="seen" value="{seen}"' in page
    url = reverse("problems:problem-action", args=[problem.pk, "escalate"])
    client.post(url, {"text": "第一次", "seen": seen})
    response = client.post(url, {"text": "第二次", "seen": seen}, follow=True)
    assert "已有他人处理" in response.content.decode()
    assert Problem.objects.get(pk=problem.pk).level == ProblemLevel.DISTRICT_LEADER


def test_an_action_without_the_state_still_works(city):
    problem = raise_problem(city, unit=city.jiefang)
    client = Client()
    client.force_login(city.users.hq)
    url = reverse("problems:problem-action", args=[problem.pk, "escalate"])
    client.post(url, {"text": "升级"})
    assert Problem.objects.get(pk=problem.pk).level == ProblemLevel.DISTRICT_LEADER


def test_the_api_refuses_an_escalation_from_a_level_left_behind(city):
    problem = raise_problem(city, unit=city.jiefang)
    api = APIClient()
    api.force_authenticate(city.users.hq)
    url = f"/api/problems/{problem.pk}/escalate/"
    body = {"text": "协调不了", "from_level": ProblemLevel.UNIT}
    assert api.post(url, body, format="json").status_code == 200
    response = api.post(url, body, format="json")
    assert response.status_code == 400
    assert "已由他人升级" in str(response.json())
    assert Problem.objects.get(pk=problem.pk).level == ProblemLevel.DISTRICT_LEADER
