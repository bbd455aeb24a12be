"""Photos that prove where and when: the time and place read from a photo's EXIF, else the
browser's; flags (never refusals) for a photo taken far from the project or long before the
report's period or the inspection; a watermarked copy beside the original kept as it came,
both behind the same check of who may see them; hostile EXIF that breaks nothing.

Every photo here is a JPEG built with Pillow, with real EXIF where a test needs it."""

import io
import logging
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image, ImageDraw

from diaodu.conftest import login
from diaodu.core import photo_evidence
from diaodu.core.choices import Source
from diaodu.core.photo_evidence import Sent, distance_km, read_exif
from diaodu.factories import InspectionPhotoFactory, ReportPhotoFactory
from diaodu.inspections import services as inspection_services
from diaodu.inspections.choices import Rating
from diaodu.inspections.models import InspectionPhoto
from diaodu.projects.tests.test_api import api
from diaodu.reporting import services
from diaodu.reporting.models import ProgressReport, ReportingPeriod, ReportPhoto

pytestmark = pytest.mark.today("2026-05-20")

# The project stands here; one degree of latitude is 111.195 km on the mean earth.
SITE = (Decimal("34.800000"), Decimal("113.650000"))
NORTH_20_3_KM = (34.8 + 0.1826, 113.65)  # 20.30 km due north
NEARBY = (34.81, 113.66)  # about 1.4 km away


def dms(degrees: float) -> tuple[float, float, float]:
    whole = int(degrees)
    minutes = int((degrees - whole) * 60)
    seconds = round(((degrees - whole) * 60 - minutes) * 60, 4)
    return (float(whole), float(minutes), seconds)


def jpeg(size=(1600, 1200), taken: datetime | None = None, gps=None, exif=None) -> bytes:
    """A photo of a site (sky, ground and a crane, so it compresses as a photo does)."""
    image = Image.new("RGB", size, (135, 180, 225))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rectangle((0, height * 2 // 3, width, height), fill=(120, 100, 70))
    draw.line((width // 3, height // 5, width // 3, height * 2 // 3), fill=(230, 170, 0), width=9)
    draw.line((width // 5, height // 5, width * 4 // 5, height // 5), fill=(230, 170, 0), width=7)
    exif = exif if exif is not None else Image.Exif()
    if taken is not None:
        exif[0x8769] = {0x9003: taken.strftime("%Y:%m:%d %H:%M:%S")}
    if gps is not None:
        latitude, longitude = gps
        exif[0x8825] = {
            1: "N" if latitude >= 0 else "S",
            2: dms(abs(latitude)),
            3: "E" if longitude >= 0 else "W",
            4: dms(abs(longitude)),
        }
    content = io.BytesIO()
    image.save(content, "JPEG", quality=88, exif=exif)
    return content.getvalue()


def upload(content: bytes, name="site.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


@pytest.fixture
def project(city):
    project = city.projects.jiefang
    project.latitude, project.longitude = SITE
    project.address = "解放区人民路88号"
    project.save()
    return project


@pytest.fixture
def report(city, project):
    """May 2026's report of 解放区项目, a draft its owner files."""
    period = ReportingPeriod.objects.create(
        start=date(2026, 5, 1),
        end=date(2026, 5, 31),
        due_date=date(2026, 5, 25),
        opened_at=timezone.now(),
    )
    return ProgressReport.objects.create(project=project, period=period)


@pytest.fixture
def inspection(city, project):
    return inspection_services.do_record_inspection(
        city.users.inspector,
        project,
        date=date(2026, 5, 18),
        inspectors="黄海",
        findings="现场察看。",
        rating=Rating.GOOD,
    )


def add(city, report, content: bytes, sent: Sent | None = None) -> ReportPhoto:
    return services.do_add_photo(city.users.owner, report, upload(content), "塔吊", sent)


def messages_of(photo) -> list[str]:
    with translation.override("zh-hans"):
        return [flag.message for flag in photo.flags]


# -- where and when -----------------------------------------------------------------------


def test_exif_gps_twenty_km_away_is_flagged_with_the_distance(city, report):
    photo = add(city, report, jpeg(taken=datetime(2026, 5, 10, 9, 30), gps=NORTH_20_3_KM))
    photo.refresh_from_db()
    assert photo.place_source == Source.EXIF and photo.time_source == Source.EXIF
    assert abs(float(photo.latitude) - NORTH_20_3_KM[0]) < 1e-5
    assert photo.taken_at == timezone.make_aware(datetime(2026, 5, 10, 9, 30))
    assert messages_of(photo) == ["拍摄地点距项目约 20.3 公里"]
    assert [flag.code for flag in photo.flags] == ["far"]


def test_a_photo_near_the_project_and_in_time_is_not_flagged(city, report):
    photo = add(city, report, jpeg(taken=datetime(2026, 5, 10, 9, 30), gps=NEARBY))
    assert photo.flags == [] and 1 < photo.distance_km < 2


def test_the_distance_allowed_is_a_setting(city, report, settings):
    settings.DIAODU_PHOTO_MAX_DISTANCE_KM = 25
    photo = add(city, report, jpeg(gps=NORTH_20_3_KM))
    assert photo.flags == []


def test_without_exif_the_browser_location_and_time_are_kept(city, report):
    sent_at = timezone.make_aware(datetime(2026, 5, 20, 9, 55))
    photo = add(city, report, jpeg(), Sent(34.8101234567, 113.66, 12.4, sent_at))
    photo.refresh_from_db()
    assert photo.place_source == Source.BROWSER and photo.time_source == Source.BROWSER
    assert photo.latitude == Decimal("34.810123") and photo.longitude == Decimal("113.660000")
    assert photo.accuracy == 12 and photo.taken_at == sent_at


def test_exif_comes_before_the_browser(city, report):
    sent_at = timezone.make_aware(datetime(2026, 5, 20, 9, 55))
    photo = add(
        city,
        report,
        jpeg(taken=datetime(2026, 5, 11, 8, 0), gps=NORTH_20_3_KM),
        Sent(*NEARBY, 10, sent_at),
    )
    assert photo.place_source == Source.EXIF and photo.time_source == Source.EXIF
    assert photo.accuracy is None and "far" in [flag.code for flag in photo.flags]


def test_nothing_known_is_said_so(city, report):
    photo = add(city, report, jpeg())
    assert (photo.place_source, photo.time_source) == (Source.NONE, Source.NONE)
    assert photo.latitude is None and photo.taken_at is None and photo.flags == []


def test_exif_time_long_before_the_period_is_flagged(city, report):
    photo = add(city, report, jpeg(taken=datetime(2026, 2, 1, 10, 0), gps=NEARBY))
    # 1 February is 89 days before 1 May, the start of the period.
    assert messages_of(photo) == ["拍摄时间早于本期开始 89 天（拍摄于 2026-02-01，上限 45 天）。"]
    recent = add(city, report, jpeg(taken=datetime(2026, 3, 20, 10, 0), gps=NEARBY))
    assert recent.flags == []  # 42 days before


def test_an_inspection_photo_long_before_the_visit_is_flagged(city, inspection):
    photo = inspection_services.do_add_inspection_photo(
        city.users.inspector, inspection, upload(jpeg(taken=datetime(2026, 3, 1, 10, 0)))
    )
    with translation.override("zh-hans"):
        assert [flag.message for flag in photo.flags] == [
            "拍摄时间早于督查日期 78 天（拍摄于 2026-03-01，上限 45 天）。"
        ]


def test_haversine():
    assert distance_km(0, 0, 0, 1) == pytest.approx(111.195, abs=0.01)
    assert distance_km(39.9042, 116.4074, 31.2304, 121.4737) == pytest.approx(1067, abs=2)
    assert distance_km(34.8, 113.65, 34.8, 113.65) == 0


# -- the watermarked copy ------------------------------------------------------------------


def test_the_watermarked_copy_is_made_and_the_original_kept_byte_for_byte(city, report):
    original = jpeg(taken=datetime(2026, 5, 10, 9, 30), gps=NEARBY)
    photo = add(city, report, original)
    with photo.image.open("rb") as stored:
        assert stored.read() == original
    assert photo.watermarked.name.endswith("-watermarked.jpg")
    assert photo.watermarked.name.rsplit("/", 2)[0] == photo.image.name.rsplit("/", 2)[0]
    with photo.watermarked.open("rb") as stamped:
        copy = stamped.read()
    assert copy != original
    with Image.open(io.BytesIO(copy)) as image:
        assert image.format == "JPEG" and image.width == 1600 and image.height > 1200
        band = image.convert("L").crop((0, 1210, 1600, image.height))
        darkest, brightest = band.getextrema()
        assert darkest < 60 and brightest > 200  # white writing on a dark band


def test_the_band_says_project_time_place_and_unit(city, report, project):
    photo = add(city, report, jpeg(taken=datetime(2026, 5, 10, 9, 30), gps=NEARBY))
    with translation.override("zh-hans"):
        lines = photo_evidence_lines(city, photo)
    assert lines == [
        "解放区项目",
        "拍摄时间 2026-05-10 09:30",
        "拍摄地点 34.81°N, 113.66°E",
        f"上传单位 {city.users.owner.unit}",
    ]
    unplaced = add(city, report, jpeg())
    with translation.override("zh-hans"):
        assert photo_evidence_lines(city, unplaced)[2] == "项目地址 解放区人民路88号"


def photo_evidence_lines(city, photo):
    from diaodu.core.photos import band_lines

    return band_lines(city.users.owner, photo)


def test_the_copy_of_a_phone_photo_takes_well_under_a_second(city, report):
    content = jpeg()
    photo = ReportPhoto(report=report)
    photo.image = upload(content)
    started = time.perf_counter()
    stamped = photo_evidence.watermark(photo.image, ["解放区项目", "2026-05-20 10:00", "—", "—"])
    assert stamped and time.perf_counter() - started < 1.0


def test_the_cjk_font_is_found():
    found = photo_evidence.cjk_font()
    if found is None:
        pytest.skip("no font with Chinese glyphs on this machine")
    assert found[0].startswith("/")


def test_without_a_cjk_font_pillow_writes_it_and_the_log_says_so(city, report, monkeypatch, caplog):
    monkeypatch.setattr(photo_evidence, "cjk_font", lambda: None)
    with caplog.at_level(logging.WARNING, logger="diaodu.core.photo_evidence"):
        photo = add(city, report, jpeg(gps=NEARBY))
    assert photo.watermarked and "fonts-noto-cjk" in caplog.text


# -- what the browser sends, checked -----------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "field", "words"),
    [
        ({"latitude": "95", "longitude": "113.6"}, "latitude", "纬度须在 -90 至 90 度之间。"),
        ({"latitude": "34.8", "longitude": "-181"}, "longitude", "经度须在 -180 至 180 度之间。"),
        ({"latitude": "34.8"}, "longitude", "经度和纬度应同时填写或同时留空。"),
        ({"latitude": "北纬", "longitude": "113.6"}, "latitude", "纬度须为数字。"),
        ({"latitude": "nan", "longitude": "113.6"}, "latitude", "纬度须为数字。"),
        ({"accuracy": "-3"}, "accuracy", "定位精度须在 0 至 100,000 米之间。"),
        ({"taken_at": "1999-06-01T08:00:00Z"}, "taken_at", "年份须在 2000 年至 2100 年之间"),
    ],
)
def test_the_page_and_the_api_refuse_a_bad_location_in_chinese(city, report, sent, field, words):
    client = login(city.users.owner)
    page = client.post(
        reverse("reporting:photo", args=[report.pk]),
        {"image": upload(jpeg((400, 300))), **sent},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    said = [str(message) for message in page.context["messages"]]
    assert any(message.startswith(words) for message in said), said
    answer = api(city.users.owner).post(
        f"/api/reports/{report.pk}/photos/",
        {"image": upload(jpeg((400, 300))), **sent},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert answer.status_code == 400
    assert answer.json()[field][0].startswith(words)
    assert not ReportPhoto.objects.exists()


def test_the_service_checks_what_was_sent_however_it_came(city, report):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        add(city, report, jpeg(), Sent(latitude=91, longitude=0))
    assert refused.value.message_dict == {"latitude": ["纬度须在 -90 至 90 度之间。"]}
    assert not ReportPhoto.objects.exists()


def test_the_page_keeps_what_the_browser_sent(city, report):
    client = login(city.users.owner)
    client.post(
        reverse("reporting:photo", args=[report.pk]),
        {
            "image": upload(jpeg()),
            "latitude": "34.98",
            "longitude": "113.65",
            "accuracy": "8",
            "taken_at": "2026-05-20T01:50:00.000Z",
        },
    )
    photo = report.photos.get()
    assert photo.place_source == Source.BROWSER and photo.accuracy == 8
    assert photo.taken_at == datetime.fromisoformat("2026-05-20T01:50:00+00:00")
    page = client.get(reverse("reporting:report", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert "拍摄地点距项目约 20.0 公里" in text and "34.98°N, 113.65°E" in text
    assert 'capture="environment"' in text and "diaodu/js/photos.js" in text


def test_without_script_or_leave_the_photo_goes_in_as_before(city, report):
    client = login(city.users.owner)
    empty = {"latitude": "", "longitude": "", "accuracy": "", "taken_at": ""}
    client.post(reverse("reporting:photo", args=[report.pk]), {"image": upload(jpeg()), **empty})
    client.post(reverse("reporting:photo", args=[report.pk]), {"image": upload(jpeg())})
    assert [photo.place_source for photo in report.photos.all()] == [Source.NONE, Source.NONE]


# -- shown and answered ------------------------------------------------------------------


def test_the_reviewer_sees_the_flag_and_the_api_answers_it(city, report):
    photo = add(city, report, jpeg(taken=datetime(2026, 5, 10, 9, 30), gps=NORTH_20_3_KM))
    services.do_submit_report(city.users.owner, report)
    page = login(city.users.jiefang).get(
        reverse("reporting:report", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "拍摄地点距项目约 20.3 公里" in page.content.decode()
    body = (
        api(city.users.jiefang)
        .get(f"/api/reports/{report.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        .json()
    )
    [answered] = body["photos"]
    assert answered["flags"] == [{"code": "far", "message": "拍摄地点距项目约 20.3 公里"}]
    assert answered["distance_km"] == 20.3 and answered["place_source"] == "exif"
    assert answered["watermarked_url"].endswith(
        reverse("reporting:photo-file", args=[photo.pk]) + "?copy=watermarked"
    )


def test_the_inspection_page_and_api_show_the_flags(city, inspection):
    inspection_services.do_add_inspection_photo(
        city.users.inspector, inspection, upload(jpeg(gps=NORTH_20_3_KM)), "现场"
    )
    page = login(city.users.hq).get(
        reverse("inspections:detail", args=[inspection.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "拍摄地点距项目约 20.3 公里" in page.content.decode()
    body = (
        api(city.users.hq)
        .get(f"/api/inspections/{inspection.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        .json()
    )
    assert body["photos"][0]["flags"][0]["code"] == "far"


def test_the_inspection_form_takes_the_photo_with_its_place(city, project):
    client = login(city.users.inspector)
    page = client.get(reverse("inspections:new") + f"?project={project.pk}")
    assert 'capture="environment"' in page.content.decode()
    client.post(
        reverse("inspections:new") + f"?project={project.pk}",
        {
            "project": project.pk,
            "date": "2026-05-19",
            "inspectors": "黄海",
            "findings": "现场察看。",
            "rating": Rating.GOOD,
            "photo": upload(jpeg()),
            "latitude": "34.81",
            "longitude": "113.66",
            "problems-TOTAL_FORMS": "0",
            "problems-INITIAL_FORMS": "0",
            "tasks-TOTAL_FORMS": "0",
            "tasks-INITIAL_FORMS": "0",
        },
    )
    photo = InspectionPhoto.objects.get()
    assert photo.place_source == Source.BROWSER and photo.flags == [] and photo.watermarked


# -- access ------------------------------------------------------------------------------


def test_the_copy_leaves_through_the_same_protected_view(city, report, settings):
    photo = add(city, report, jpeg(gps=NEARBY))
    url = reverse("reporting:photo-file", args=[photo.pk])
    with photo.watermarked.open("rb") as stamped:
        copy = stamped.read()
    owner = login(city.users.owner)
    answer = owner.get(url + "?copy=watermarked")
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == copy
    assert b"".join(owner.get(url).streaming_content) != copy
    assert owner.get(url + "?copy=everything").status_code == 404
    assert login(city.users.gaoxin).get(url + "?copy=watermarked").status_code == 404
    anonymous = Client().get(url + "?copy=watermarked")
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    settings.DIAODU_MEDIA_ACCEL_PREFIX = "/protected-media/"
    accel = owner.get(url + "?copy=watermarked")
    assert accel["X-Accel-Redirect"] == "/protected-media/" + photo.watermarked.name


def test_a_photo_without_a_copy_has_none_to_send(city, report):
    photo = ReportPhoto(report=report)
    photo.image.save("old.jpg", upload(jpeg((200, 150))))
    url = reverse("reporting:photo-file", args=[photo.pk])
    owner = login(city.users.owner)
    assert owner.get(url).status_code == 200
    assert owner.get(url + "?copy=watermarked").status_code == 404
    page = owner.get(reverse("reporting:report", args=[report.pk]))
    assert f'src="{url}"' in page.content.decode()


# -- hostile EXIF ------------------------------------------------------------------------


def _garbage_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x8825] = {1: "north", 2: (4e9, 99.0, 75.0), 3: "E", 4: (113.0, 0.0, 0.0)}
    exif[0x8769] = {0x9003: "2026:13:45 99:99:99", 0x9286: "x" * 60_000}  # a huge UserComment
    return exif


def _huge_count() -> bytes:
    """GPSLatitude declared as two thousand million rationals (Pillow writes big-endian)."""
    content = jpeg(gps=NORTH_20_3_KM)
    entry = b"\x00\x02\x00\x05\x00\x00\x00\x03"
    assert entry in content
    return content.replace(entry, b"\x00\x02\x00\x05\x7f\xff\xff\xff")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(jpeg(exif=_garbage_gps()), id="garbage-gps-and-a-huge-comment"),
        pytest.param(_huge_count(), id="a-tag-of-two-thousand-million-values"),
        pytest.param(jpeg(gps=(95.0, 200.0)), id="degrees-out-of-range"),
        pytest.param(jpeg(taken=datetime(1970, 1, 1)), id="a-time-before-2000"),
        pytest.param(jpeg(taken=datetime(2099, 1, 1)), id="a-time-to-come"),
    ],
)
def test_hostile_exif_breaks_nothing_and_is_believed_in_nothing(city, report, content):
    photo = add(city, report, content)
    assert (photo.place_source, photo.time_source) == (Source.NONE, Source.NONE)
    assert photo.latitude is None and photo.taken_at is None and photo.watermarked


def test_zero_denominators_and_a_truncated_exif_are_taken_as_none():
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (34.0, 0.0, 0.0), 3: "E", 4: (113.0, 0.0, 0.0)}
    content = jpeg((64, 48), exif=exif)
    # Each rational's denominator set to zero where the GPS values are written.
    thirty_four = b"\x00\x00\x00\x22\x00\x00\x00\x01"  # 34/1, big-endian
    assert read_exif(io.BytesIO(content)).latitude == Decimal("34.000000")
    broken = content.replace(thirty_four, b"\x00\x00\x00\x22\x00\x00\x00\x00")
    assert broken != content and read_exif(io.BytesIO(broken)) == photo_evidence.Found()
    start = content.index(b"Exif")
    cut = content[: start + 40] + content[start + 40 :][:20]
    assert read_exif(io.BytesIO(cut)) == photo_evidence.Found()


def test_exif_does_not_let_a_non_photo_through(city, report, settings):
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (34.0, 48.0, 0.0), 3: "E", 4: (113.0, 39.0, 0.0)}
    header = jpeg((16, 16), exif=exif)
    not_a_photo = header[: header.index(b"\xff\xdb")] + b"<script>alert(1)</script>" * 50
    with pytest.raises(ValidationError):
        add(city, report, not_a_photo)
    settings.DIAODU_PHOTO_MAX_MB = 0
    with pytest.raises(ValidationError):
        add(city, report, jpeg(gps=NEARBY))
    assert not ReportPhoto.objects.exists()


def test_a_browser_time_to_come_is_not_believed_but_a_fast_clock_is(city, report):
    soon = timezone.now() + timedelta(minutes=5)
    assert add(city, report, jpeg((64, 48)), Sent(taken_at=soon)).taken_at == soon
    wrong_clock = add(
        city, report, jpeg((64, 48)), Sent(taken_at=timezone.now() + timedelta(days=2))
    )
    assert wrong_clock.taken_at is None and wrong_clock.time_source == Source.NONE


# -- settings and factories --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("DIAODU_PHOTO_MAX_DISTANCE_KM", "五公里", "is not a whole number"),
        ("DIAODU_PHOTO_MAX_AGE_DAYS", "-1", "below its minimum 0"),
    ],
)
def test_the_limits_are_read_strictly(name, value, words):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DIAODU_")}
    environment.update({"DIAODU_DEBUG": "true", name: value})
    result = subprocess.run(
        [sys.executable, "-c", "import diaodu.settings"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and name in result.stderr and words in result.stderr


def test_the_factories_make_photos_of_nowhere_and_no_time(db):
    for factory in (ReportPhotoFactory, InspectionPhotoFactory):
        photo = factory()
        photo.full_clean()
        assert (photo.place_source, photo.time_source) == (Source.NONE, Source.NONE)
        assert photo.flags == [] and not photo.watermarked


def test_a_photo_too_large_to_decode_keeps_no_copy_but_is_kept(city, report, monkeypatch, caplog):
    monkeypatch.setattr(photo_evidence, "COPY_MAX_PIXELS", 100 * 100)
    content = io.BytesIO()
    Image.new("RGB", (400, 300), (90, 140, 200)).save(content, "PNG")
    with caplog.at_level(logging.WARNING, logger="diaodu.core.photo_evidence"):
        photo = services.do_add_photo(
            city.users.owner,
            report,
            SimpleUploadedFile("site.png", content.getvalue(), content_type="image/png"),
        )
    assert photo.pk and photo.image and not photo.watermarked
    assert "no watermarked copy" in caplog.text


def test_a_png_with_transparency_gets_a_jpeg_copy(city, report):
    content = io.BytesIO()
    Image.new("RGBA", (300, 200), (90, 140, 200, 128)).save(content, "PNG")
    photo = services.do_add_photo(
        city.users.owner,
        report,
        SimpleUploadedFile("site.png", content.getvalue(), content_type="image/png"),
    )
    with photo.watermarked.open("rb") as stamped, Image.open(stamped) as copy:
        assert copy.format == "JPEG" and copy.width == 300


def test_the_inspection_page_takes_a_photo_with_its_place(city, inspection):
    client = login(city.users.inspector)
    page = client.get(reverse("inspections:detail", args=[inspection.pk]))
    assert 'capture="environment"' in page.content.decode()
    client.post(
        reverse("inspections:photo", args=[inspection.pk]),
        {"image": upload(jpeg()), "latitude": "34.98", "longitude": "113.65", "accuracy": "20"},
    )
    photo = inspection.photos.get()
    assert photo.place_source == Source.BROWSER and [f.code for f in photo.flags] == ["far"]
    refused = client.post(
        reverse("inspections:photo", args=[inspection.pk]),
        {"image": upload(jpeg()), "latitude": "34.98", "longitude": "999"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    said = [str(message) for message in refused.context["messages"]]
    assert "经度须在 -180 至 180 度之间。" in said and inspection.photos.count() == 1
