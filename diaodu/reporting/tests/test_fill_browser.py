"""The filing page in a real browser (Debian's Chromium, driven by Playwright) on a phone
(390 × 844) that loses its signal: a row saved without a connection stays on the phone, says
so, and goes to the server by itself when the connection returns.

The browser is /usr/bin/chromium (`.ci/run` installs it with apt-get); without it these tests
are skipped, except under CI=true, where they fail.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport

PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.today("2026-05-20")]


def test_a_row_saved_without_signal_is_sent_when_the_signal_returns(
    city, period, live_server, signed_in
):
    from playwright.sync_api import expect

    project = city.projects.jiefang
    page = signed_in(city.users.owner, viewport=PHONE)
    page.set_default_timeout(15000)
    page.goto(live_server.url + reverse("reporting:fill", args=[period.pk]))
    row = page.locator(f"#row-{project.pk}")
    message = page.locator(f"#draft-message-{project.pk}")
    assert row.get_attribute("data-draft-state") == "clean"

    page.context.set_offline(True)
    prefix = f"p{project.pk}-"
    row.locator(f"[name={prefix}invested]").fill("88.5")
    row.locator(f"[name={prefix}physical_percent]").fill("42")
    row.locator(f"[name={prefix}physical_progress]").fill("桩基施工完成，开始承台浇筑")
    with page.expect_event("requestfailed"):
        row.locator("[data-fill-save]").click()
    # The save could not reach the server: the row says it is kept on the phone.
    page.locator(f"#row-{project.pk}[data-draft-state=pending]").wait_for()
    expect(message).to_have_text("已保存在手机上，联网后自动提交")
    key = f"diaodu.draft.{city.users.owner.pk}.{period.pk}.{project.pk}"
    kept = page.evaluate("key => JSON.parse(window.localStorage.getItem(key))", key)
    assert kept["state"] == "pending" and kept["fields"][f"{prefix}invested"] == "88.5"
    assert not ProgressReport.objects.filter(project=project, period=period).exists()

    # The signal returns: the row goes out on its own, without the user pressing anything.
    page.context.set_offline(False)
    page.locator(f"#row-{project.pk}[data-draft-state=saved]").wait_for()
    expect(page.locator(f"#draft-message-{project.pk}")).to_have_text("已提交")
    report = ProgressReport.objects.get(project=project, period=period)
    assert report.status == ReportStatus.DRAFT
    assert report.invested == Decimal("88.5") and report.physical_percent == 42
    assert report.physical_progress == "桩基施工完成，开始承台浇筑"
    # Nothing is left on the phone for this row.
    assert page.evaluate("key => window.localStorage.getItem(key)", key) is None
