"""A real browser and the site served to it, for the browser tests.

The browser is Debian's Chromium (DIAODU_CHROMIUM, by default /usr/bin/chromium; `.ci/run`
installs it with apt-get), driven by Playwright; without it the tests that use it are skipped,
except under CI=true, where they fail. diaodu/conftest.py offers the fixtures `browser`,
`live_server` and `signed_in` from here.
"""

import os
import shutil
from unittest import mock

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("DIAODU_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but Chromium is not at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    playwright = pytest.importorskip("playwright.sync_api")
    # Playwright's synchronous API runs an event loop in the test's thread, which Django takes
    # for async code; the tests' own queries (and the database's flush after each) are
    # synchronous, as the server's are.
    with mock.patch.dict(os.environ, {"DJANGO_ALLOW_ASYNC_UNSAFE": "true"}):
        with playwright.sync_playwright() as driver:
            chromium = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            yield chromium
            chromium.close()


@pytest.fixture(scope="module")
def live_server(django_db_blocker):
    """The site on a free local port (localhost: a secure context, where a page may ask for
    the location), its static files served as in development (the app that serves them is
    Django's own under another name, which pytest-django does not see)."""
    from pytest_django.live_server_helper import LiveServer

    apps = [*settings.INSTALLED_APPS, "django.contrib.staticfiles"]
    with django_db_blocker.unblock(), mock.patch.object(settings, "INSTALLED_APPS", apps):
        server = LiveServer("localhost")
    yield server
    with django_db_blocker.unblock():
        server.stop()


@pytest.fixture
def signed_in(browser, live_server):
    """`signed_in(user, **options)`: a new page in its own browser context (Playwright's
    options: viewport, permissions, ...), signed in as `user`, the browser's clock at the
    server's (the tests run on a day of their own), the service worker left out (it would
    fetch every static file in each new context). The contexts close after the test."""
    from django.test import Client
    from django.utils import timezone

    contexts = []

    def opened(user, **options):
        client = Client()
        client.force_login(user)
        context = browser.new_context(locale="zh-CN", service_workers="block", **options)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        contexts.append(context)
        context.clock.set_fixed_time(timezone.now())
        return context.new_page()

    yield opened
    for context in contexts:
        context.close()
