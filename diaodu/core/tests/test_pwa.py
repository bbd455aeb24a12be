"""The site installed on a phone: the manifest, the service worker and the offline page are
public, answer with the right types and headers, and carry nothing from outside this site and
nothing of the user's."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from diaodu.conftest import login

EXTERNAL = re.compile(r"(?:https?:)?//[a-z0-9.-]+", re.I)


@pytest.mark.django_db
def test_the_manifest_makes_the_site_installable(client):
    response = client.get(reverse("manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "重点项目调度"
    assert manifest["short_name"] == "调度"
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#")
    icons = {(icon["sizes"], icon["purpose"]): icon for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= set(icons)
    for icon in manifest["icons"]:
        assert icon["type"] == "image/png"
        # Each icon is a file of this site's static files, of the size it claims.
        path = icon["src"].removeprefix("/static/")
        found = finders.find(path)
        assert found, icon["src"]
        with open(found, "rb") as image:
            header = image.read(24)
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(header[16:20], "big")
        assert f"{width}x{width}" == icon["sizes"]


@pytest.mark.django_db
def test_the_manifest_names_nothing_outside_the_site(client):
    text = client.get(reverse("manifest")).content.decode()
    assert "http://" not in text and "https://" not in text
    assert not EXTERNAL.search(text), text


@pytest.mark.django_db
def test_the_service_worker_serves_the_whole_site_and_keeps_no_pages(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    # The shell it keeps: this site's static files and the offline page, nothing else.
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", script).group(1))
    assert "/offline/" in shell
    assert "/static/diaodu/js/fill.js" in shell
    assert all(url.startswith("/static/") or url == "/offline/" for url in shell), shell
    assert "http://" not in script and "https://" not in script
    # Pages are never put in the cache: only the shell's static files are.
    assert script.count("cache.put(") == 1 and "SHELL.indexOf(url.pathname)" in script


@pytest.mark.django_db
def test_the_service_worker_changes_its_cache_with_the_static_files(client, settings):
    first = re.search(r"const CACHE = (\".*?\");", client.get("/sw.js").content.decode())
    settings.STATIC_URL = "/assets/"
    second = re.search(r"const CACHE = (\".*?\");", client.get("/sw.js").content.decode())
    assert first.group(1) != second.group(1)


@pytest.mark.django_db
def test_the_offline_page_is_public_and_shows_nothing_of_the_user(city):
    client = login(city.users.owner)
    response = client.get(reverse("offline"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "没有网络连接" in page
    assert city.users.owner.username not in page
    assert "csrfmiddlewaretoken" not in page


@pytest.mark.django_db
def test_every_page_links_the_manifest_and_registers_the_service_worker(city):
    page = login(city.users.owner).get(reverse("home")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'rel="apple-touch-icon" href="/static/diaodu/icons/apple-touch-icon.png"' in page
    assert 'src="/static/diaodu/js/install.js" data-service-worker="/sw.js"' in page


def test_every_file_of_the_shell_exists():
    from diaodu.core.pwa import SHELL

    assert [path for path in SHELL if not finders.find(path)] == []
