"""A report's photos go in one way, checked as every photo is: only images, within the size
limit, refused with the reason in Chinese at the service, on the page and through the API."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from diaodu.conftest import login
from diaodu.core.models import ChangeRecord
from diaodu.projects.tests.test_api import api
from diaodu.reporting import services
from diaodu.reporting.models import ReportPhoto
from diaodu.reporting.tests.test_services import file

# The city's monthly period is May 2026's (conftest.py): on 20 May it is open, not yet due.
pytestmark = pytest.mark.today("2026-05-20")


def picture(kind="PNG", name="site.png"):
    content = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(content, kind)
    return SimpleUploadedFile(name, content.getvalue(), content_type=f"image/{kind.lower()}")


def not_a_picture():
    return SimpleUploadedFile("site.jpg", b"not an image at all", content_type="image/jpeg")


@pytest.fixture
def report(city, period, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return file(city.users.owner, city.projects.jiefang, period).report


def _refused(call) -> str:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        call()
    return " ".join(refused.value.messages)


def test_the_service_keeps_a_photo_and_records_it(city, report):
    photo = services.do_add_photo(city.users.owner, report, picture(), " 塔吊作业 ")
    assert photo.caption == "塔吊作业" and photo.image.name.endswith(".png")
    change = ChangeRecord.objects.get(content_type__model="reportphoto")
    assert change.project == city.projects.jiefang


def test_the_service_refuses_what_is_not_a_photo(city, report):
    message = _refused(lambda: services.do_add_photo(city.users.owner, report, not_a_picture()))
    assert "图片" in message
    message = _refused(
        lambda: services.do_add_photo(city.users.owner, report, picture("BMP", "site.bmp"))
    )
    assert message == "仅支持 JPEG、PNG、WebP 或 GIF 格式的照片。"
    assert not ReportPhoto.objects.exists()


def test_the_service_refuses_a_photo_too_large(city, report, settings):
    settings.DIAODU_PHOTO_MAX_MB = 0
    message = _refused(lambda: services.do_add_photo(city.users.owner, report, picture()))
    assert message.startswith("照片大小为") and "上限为 0 MB" in message
    assert not ReportPhoto.objects.exists()


def test_the_service_refuses_whoever_does_not_file(city, report):
    with pytest.raises(PermissionDenied):
        services.do_add_photo(city.users.gaoxin, report, picture())


def _page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_page_says_why_a_file_is_refused(city, report, settings):
    client = login(city.users.owner)
    url = reverse("reporting:photo", args=[report.pk])
    page = client.post(url, {"image": not_a_picture()}, follow=True)
    assert any("图片" in message for message in _page_messages(page))
    settings.DIAODU_PHOTO_MAX_MB = 0
    page = client.post(url, {"image": picture()}, follow=True)
    assert any(message.startswith("照片大小为") for message in _page_messages(page))
    assert not ReportPhoto.objects.exists()
    settings.DIAODU_PHOTO_MAX_MB = 10
    client.post(url, {"image": picture(), "caption": "现场"})
    assert report.photos.get().caption == "现场"


def test_the_api_adds_a_photo_and_says_why_a_file_is_refused(city, report, settings):
    url = f"/api/reports/{report.pk}/photos/"
    owner = api(city.users.owner)
    answer = owner.post(url, {"image": not_a_picture()}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 400 and "图" in " ".join(answer.json()["image"])
    settings.DIAODU_PHOTO_MAX_MB = 0
    answer = owner.post(url, {"image": picture()}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 400
    assert answer.json()[0].startswith("照片大小为")
    assert not ReportPhoto.objects.exists()
    settings.DIAODU_PHOTO_MAX_MB = 10
    answer = owner.post(url, {"image": picture(), "caption": "现场"})
    assert answer.status_code == 201 and answer.json()["caption"] == "现场"
    assert api(city.users.gaoxin).post(url, {"image": picture()}).status_code == 404
    assert api(city.users.jiefang).post(url, {"image": picture()}).status_code == 403
    assert report.photos.count() == 1
