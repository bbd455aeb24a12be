"""The error pages in production mode: in Chinese, with the reference the office looks up."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.template import loader
from django.test import Client, override_settings
from django.urls import path

from diaodu.conftest import login
from diaodu.urls import urlpatterns as site


def _boom(request):
    raise RuntimeError("broken on purpose")


def _forbidden(request):
    raise PermissionDenied


def _suspicious(request):
    raise SuspiciousOperation("not like this")


urlpatterns = [
    *site,
    path("test-500/", _boom),
    path("test-403/", _forbidden),
    path("test-400/", _suspicious),
]

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("diaodu.core.tests.test_error_pages"),
]


def _page(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    page = response.content.decode()
    assert response["X-Request-ID"] in page  # the reference a user quotes to the office
    return page


@override_settings(DEBUG=False)
def test_404_for_an_anonymous_user(client):
    page = _page(client, "/no-such-page/", 404)
    assert "页面不存在" in page
    assert "返回首页" in page


@override_settings(DEBUG=False)
def test_404_for_a_signed_in_user_out_of_scope(city):
    client = login(city.users.owner)
    page = _page(client, f"/projects/{city.projects.gaoxin.pk}/", 404)
    assert "页面不存在" in page
    assert city.projects.gaoxin.name not in page


@override_settings(DEBUG=False)
def test_403(city):
    page = _page(login(city.users.owner), "/test-403/", 403)
    assert "无权操作" in page


@override_settings(DEBUG=False)
def test_400(client):
    page = _page(client, "/test-400/", 400)
    assert "请求有误" in page


@override_settings(DEBUG=False)
def test_500_is_plain_and_in_chinese():
    client = Client(raise_request_exception=False)
    page = _page(client, "/test-500/", 500)
    assert "系统出错了" in page
    assert "broken on purpose" not in page


@override_settings(DEBUG=False)
def test_csrf_failure_in_chinese():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "表单已失效" in page
    assert response["X-Request-ID"] in page


def test_500_needs_no_request_and_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        page = loader.get_template("500.html").render()
    assert "系统出错了" in page
