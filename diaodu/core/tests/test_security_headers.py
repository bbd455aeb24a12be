"""Content-Security-Policy and Permissions-Policy on every answer; no page needs inline script."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import reverse

from diaodu.core.middleware import SecurityHeadersMiddleware

TEMPLATES = Path(settings.BASE_DIR) / "diaodu" / "templates"
# A script element without src that is not data (json_script writes type="application/json").
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
# An event handler attribute (onclick=..., onchange=...) or a javascript: URL.
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=|javascript:", re.I)


def _policy(response) -> dict[str, str]:
    directives = (
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    return {name: value for name, value in directives}


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def test_no_template_carries_inline_script_or_handlers():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER):
            offenders += [
                f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in pattern.finditer(text)
            ]
    assert not offenders, "Move these to a file under static/diaodu/js:\n" + "\n".join(offenders)


def test_the_check_sees_inline_script():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js"></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert INLINE_HANDLER.search('<select onchange="this.form.submit()">')


@pytest.mark.parametrize(
    "url",
    ["home", "projects:list", "dashboard", "map", "battle-map", "assessment:bulletins", "api-docs"],
)
def test_pages_answer_with_the_policies_and_no_inline_script(city, url):
    response = _login(city.users.hq).get(reverse(url))
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html).group(0)


def test_the_sign_in_page_and_errors_carry_the_policy(db):
    client = Client()
    assert "script-src 'self'" in client.get(reverse("login"))["Content-Security-Policy"]
    assert "script-src 'self'" in client.get("/no-such-page/")["Content-Security-Policy"]


def test_the_api_carries_the_policy(city):
    response = _login(city.users.hq).get("/api/projects/")
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_the_project_page_and_the_inspection_form_have_no_inline_script(city):
    for user, url in (
        (city.users.hq, reverse("projects:detail", args=[city.projects.jiefang.pk])),
        (city.users.inspector, reverse("inspections:new") + f"?project={city.projects.jiefang.pk}"),
    ):
        response = _login(user).get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), url
        assert not INLINE_HANDLER.search(html), url


@override_settings(DIAODU_CONTENT_SECURITY_POLICY="", DIAODU_PERMISSIONS_POLICY="")
def test_empty_settings_send_no_policy(rf):
    response = SecurityHeadersMiddleware(lambda request: HttpResponse())(rf.get("/"))
    assert "Content-Security-Policy" not in response
    assert "Permissions-Policy" not in response
