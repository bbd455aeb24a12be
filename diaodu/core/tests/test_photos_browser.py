"""photos.js in a real browser (Debian's Chromium, driven by Playwright), on a phone's screen:
a 4000 × 3000 photo from the camera is sent under 1 MB, 1600 px on its long side, its EXIF
(time and GPS) kept; the browser's location goes with it when the user allows; without script
the photo goes in as it was chosen.

The browser is /usr/bin/chromium (`.ci/run` installs it with apt-get); without it these tests
are skipped, except under CI=true, where they fail.
"""

import io
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from diaodu.core.choices import Source
from diaodu.core.tests import test_photo_evidence as evidence
from diaodu.core.tests.test_photo_evidence import NEARBY, NORTH_20_3_KM, jpeg

project, report = evidence.project, evidence.report  # the May report of a located project

PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.today("2026-05-20")]


@pytest.fixture
def phone(signed_in, live_server, city):
    """The report's page on a phone, signed in as the owner; `located` gives the browser a
    place the user allowed it to tell, `script` turns JavaScript off."""

    def opened(report, located=None, script=True):
        page = signed_in(
            city.users.owner,
            viewport=PHONE,
            java_script_enabled=script,
            permissions=["geolocation"] if located else [],
            geolocation=located,
        )
        page.set_default_timeout(20000)
        page.goto(live_server.url + reverse("reporting:report", args=[report.pk]))
        return page

    return opened


def camera_photo(**exif) -> bytes:
    """What a phone's camera writes: 4000 × 3000, noisy enough to weigh several megabytes."""
    smooth = Image.open(io.BytesIO(jpeg((4000, 3000), **exif)))
    noisy = Image.blend(smooth, Image.effect_noise((4000, 3000), 40).convert("RGB"), 0.25)
    content = io.BytesIO()
    noisy.save(content, "JPEG", quality=92, exif=smooth.getexif())
    return content.getvalue()


def send(page, content: bytes, wait_for: str):
    page.set_input_files(
        "input[data-photo]",
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": content}],
    )
    status = page.locator("[data-photo-status]")
    status.filter(has_text="照片已就绪").wait_for()
    if wait_for:
        status.filter(has_text=wait_for).wait_for()
    sent_at = page.locator("[data-photo-field=taken_at]").input_value()
    assert datetime.fromisoformat(sent_at).tzinfo is not None  # the file's time, in UTC
    with page.expect_navigation():
        page.locator("form:has(input[data-photo]) button").click()


def test_a_camera_photo_goes_small_with_its_exif(phone, report):
    original = camera_photo(taken=datetime(2026, 5, 18, 9, 30), gps=NORTH_20_3_KM)
    assert len(original) > 3_000_000
    page = phone(report, located={"latitude": NEARBY[0], "longitude": NEARBY[1], "accuracy": 12})
    send(page, original, "已附上定位")
    photo = report.photos.get()
    assert photo.image.size < 1_000_000
    with photo.image.open("rb") as stored, Image.open(stored) as image:
        assert max(image.size) == 1600
    assert photo.place_source == Source.EXIF and photo.time_source == Source.EXIF
    assert photo.taken_at == timezone.make_aware(datetime(2026, 5, 18, 9, 30))
    assert [flag.code for flag in photo.flags] == ["far"]
    assert "拍摄地点距项目约 20.3 公里" in page.content()


def test_without_exif_the_browser_says_where(phone, report):
    page = phone(report, located={"latitude": NEARBY[0], "longitude": NEARBY[1], "accuracy": 12})
    send(page, camera_photo(), "已附上定位")
    photo = report.photos.get()
    assert photo.place_source == Source.BROWSER and photo.accuracy == 12
    assert float(photo.latitude) == pytest.approx(NEARBY[0]) and photo.flags == []


def test_refused_the_location_the_photo_goes_without_it(phone, report):
    page = phone(report)
    send(page, camera_photo(), "未获取定位")
    photo = report.photos.get()
    assert photo.place_source == Source.NONE and photo.image.size < 1_000_000


def test_without_script_the_photo_goes_as_chosen(phone, report):
    original = camera_photo(gps=NEARBY)
    page = phone(report, script=False)
    page.set_input_files(
        "input[data-photo]",
        files=[{"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": original}],
    )
    with page.expect_navigation():
        page.locator("form:has(input[data-photo]) button").click()
    photo = report.photos.get()
    with photo.image.open("rb") as stored:
        assert stored.read() == original
    assert photo.place_source == Source.EXIF
