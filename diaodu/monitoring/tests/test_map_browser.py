"""map.js in a real browser (Debian's Chromium, driven by Playwright): the points the page
carries are drawn, and a point's popup, built when it is opened, names and links the project
with its region and stage.

The browser is /usr/bin/chromium (`.ci/run` installs it with apt-get); without it these tests
are skipped, except under CI=true, where they fail.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from diaodu.projects.choices import Stage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.today("2026-11-20")]


def test_a_point_opens_its_popup(signed_in, live_server, city):
    # Two projects at the corners and one in the middle, where the map is centred.
    for project, lat, lng in [
        (city.projects.gaoxin, "35.100000", "113.100000"),
        (city.projects.city, "35.300000", "113.300000"),
        (city.projects.jiefang, "35.200000", "113.200000"),
    ]:
        project.latitude, project.longitude = Decimal(lat), Decimal(lng)
        project.stage = Stage.NEW
        project.save()
    page = signed_in(city.users.hq, viewport={"width": 1280, "height": 800})
    page.set_default_timeout(15000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + reverse("map"))
    box = page.locator("#map").bounding_box()
    page.locator("#map canvas").wait_for()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    link = page.locator(".leaflet-popup-content a")
    link.wait_for()
    jiefang = city.projects.jiefang
    assert link.text_content() == jiefang.name
    assert link.get_attribute("href") == reverse("projects:detail", args=[jiefang.pk])
    text = page.locator(".leaflet-popup-content").text_content()
    with translation.override("zh-hans"):
        assert text.endswith(f"{jiefang.region} · {Stage.NEW.label}")
    assert not errors
