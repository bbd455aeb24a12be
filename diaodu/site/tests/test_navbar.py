"""The menu, rendered once per process for each page, language and kind of user: each page
still marks its own section, each user sees only their items, each language its words."""

import re

import pytest
from django.urls import reverse

from diaodu.conftest import login
from diaodu.core.templatetags import diaodu as tags

ACTIVE = re.compile(r'class="nav-link(?: dropdown-toggle)? active"[^>]*>([^<]+)')


def _menu(response) -> str:
    html = response.content.decode()
    return html[html.index('<ul class="navbar-nav') : html.index("</ul>", html.index("navbar-nav"))]


@pytest.mark.parametrize("kept", [False, True])
def test_each_page_marks_its_section_and_each_user_sees_their_items(city, settings, kept):
    settings.DEBUG = False
    hq, owner = login(city.users.hq), login(city.users.owner)
    for _round in range(2 if kept else 1):  # rendered, then served from memory
        assert ACTIVE.findall(_menu(hq.get(reverse("dashboard")))) == ["综合看板"]
        assert ACTIVE.findall(_menu(hq.get(reverse("meetings:list")))) == ["调度会"]
        hq_menu, owner_menu = _menu(hq.get(reverse("home"))), _menu(owner.get(reverse("home")))
        assert reverse("notifications:outbox") in hq_menu
        assert reverse("notifications:outbox") not in owner_menu
        assert ACTIVE.findall(owner_menu) == ["首页"]
    english = login(city.users.hq)
    english.cookies["django_language"] = "en"
    assert "Meetings" in _menu(english.get(reverse("home")))
    assert "调度会" in _menu(hq.get(reverse("home")))
    assert len(tags._fragments) == 5  # (dashboard, meetings, home) × hq, home × owner, en


def test_in_development_the_menu_is_rendered_every_time(city, settings):
    settings.DEBUG = True
    login(city.users.hq).get(reverse("home"))
    assert tags._fragments == {}
