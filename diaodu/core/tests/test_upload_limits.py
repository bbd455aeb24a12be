"""A file too large for any field is refused with its size and the field's limit, everywhere
a file is taken: every page and every API operation that takes one is tried here with a real
multipart body larger than any file Diaodu accepts, and a new one fails the coverage tests
below until it is added.

Such a body used to lose its file on the way in (Django's upload handlers stopped reading it),
so the form found no file and said "该字段是必填项" or "没有提交文件"; now the file arrives
with its true size and no content (`core.uploads.RefusedUpload`), and the check of its field
says how large it is and what the limit is. Nothing is saved.
"""

import inspect
import json

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from diaodu.conftest import login
from diaodu.core.tests.test_schema import generated_schema
from diaodu.core.uploads import RefusedUpload, UploadLimitHandler
from diaodu.exchange.models import ImportJob
from diaodu.factories import ApprovalFactory, InspectionFactory, MeetingFactory, MilestoneFactory
from diaodu.inspections.models import Inspection, InspectionPhoto
from diaodu.projects.models import Approval, Milestone
from diaodu.projects.tests.test_api import api
from diaodu.reporting.models import ProgressReport, ReportPhoto
from diaodu.reporting.tests.conftest import period  # noqa: F401 (a fixture)
from diaodu.reporting.tests.test_services import file as file_report

pytestmark = pytest.mark.today("2026-05-20")

MB = 1024 * 1024
# A photo may be 1 MB, another file 2 MB: the bodies below (3 MB) are beyond both.
PHOTO_REFUSED = "照片大小为 3.0 MB，上限为 1 MB。"
FILE_REFUSED = "文件大小为 3.0 MB，上限为 2 MB。"
NOT_SENT = ("必填", "没有提交文件", "未提交文件")


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.DIAODU_PHOTO_MAX_MB = 1
    settings.DIAODU_UPLOAD_MAX_MB = 2


def big(name, head=b"", content_type="application/octet-stream"):
    return SimpleUploadedFile(name, head + bytes(3 * MB), content_type=content_type)


def big_photo():
    return big("现场.jpg", b"\xff\xd8\xff\xe0", "image/jpeg")


def big_pdf():
    return big("批复.pdf", b"%PDF-1.7\n", "application/pdf")


def _page_says(response) -> str:
    """The form errors and the messages of a page."""
    said = [str(m) for m in response.context.get("messages", [])] if response.context else []
    for name in ("form", "minutes_form"):
        form = response.context.get(name) if response.context else None
        if form is not None:
            said += [str(e) for errors in form.errors.values() for e in errors]
    return " ".join(said)


def _refused(said: str, expected: str):
    assert expected in said, said
    assert not any(words in said for words in NOT_SENT), said


# -- pages ---------------------------------------------------------------------------------


def test_a_reports_photo_page(city, period):  # noqa: F811
    report = file_report(city.users.owner, city.projects.jiefang, period).report
    response = login(city.users.owner).post(
        reverse("reporting:photo", args=[report.pk]),
        {"image": big_photo(), "caption": "塔吊"},
        follow=True,
    )
    _refused(_page_says(response), PHOTO_REFUSED)
    assert not ReportPhoto.objects.exists()


def test_the_reports_workbook_page(city, period):  # noqa: F811
    response = login(city.users.owner).post(
        reverse("reporting:upload", args=[period.pk]), {"file": big("填报.xlsx", b"PK")}
    )
    _refused(_page_says(response) + response.content.decode(), FILE_REFUSED)
    assert not ProgressReport.objects.exists()


def test_the_approval_pages(city):
    approval = ApprovalFactory(project=city.projects.jiefang)
    client = login(city.users.hq)
    response = client.post(
        reverse("approvals:edit", args=[approval.pk]),
        {"kind": approval.kind, "status": "in_progress", "attachment": big_pdf()},
    )
    _refused(_page_says(response), FILE_REFUSED)
    assert not Approval.objects.get(pk=approval.pk).attachment
    url = reverse("approvals:new") + f"?project={city.projects.jiefang.pk}"
    response = client.post(
        url, {"kind": "environmental", "status": "in_progress", "attachment": big_pdf()}
    )
    _refused(_page_says(response), FILE_REFUSED)
    assert Approval.objects.count() == 1


def test_a_milestones_evidence_page(city):
    milestone = MilestoneFactory(project=city.projects.jiefang)
    response = login(city.users.owner).post(
        reverse("projects:milestone-met", args=[city.projects.jiefang.pk, milestone.pk]),
        {"actual_date": "2026-05-20", "evidence": big_photo()},
    )
    _refused(_page_says(response), PHOTO_REFUSED)
    milestone.refresh_from_db()
    assert milestone.actual_date is None and not milestone.evidence


def test_the_minutes_page(city):
    meeting = MeetingFactory(minutes="")
    response = login(city.users.hq).post(
        reverse("meetings:extract", args=[meeting.pk]),
        {"text": "", "file": big("纪要.docx", b"PK")},
        follow=True,
    )
    _refused(_page_says(response), FILE_REFUSED)
    meeting.refresh_from_db()
    assert meeting.minutes == ""


def test_the_import_page(city):
    response = login(city.users.hq).post(
        reverse("exchange:import"), {"file": big("台账.xlsx", b"PK"), "year": 2026}
    )
    _refused(_page_says(response), FILE_REFUSED)
    assert not ImportJob.objects.exists()


def test_the_inspection_pages(city):
    client = login(city.users.inspector)
    url = reverse("inspections:new") + f"?project={city.projects.jiefang.pk}"
    response = client.post(
        url,
        {
            "date": "2026-05-20",
            "inspectors": "张三",
            "findings": "正常",
            "rating": "good",
            "photo": big_photo(),
            **_empty_rows("problems"),
            **_empty_rows("tasks"),
        },
    )
    _refused(_page_says(response), PHOTO_REFUSED)
    assert not Inspection.objects.exists()
    inspection = InspectionFactory(project=city.projects.jiefang)
    response = client.post(
        reverse("inspections:photo", args=[inspection.pk]), {"image": big_photo()}, follow=True
    )
    _refused(_page_says(response), PHOTO_REFUSED)
    assert not InspectionPhoto.objects.exists()


def _empty_rows(prefix):
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}


# -- the API -------------------------------------------------------------------------------


def _api_says(response) -> str:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    return json.dumps(response.json(), ensure_ascii=False)


def test_a_reports_photo_through_the_api(city, period):  # noqa: F811
    report = file_report(city.users.owner, city.projects.jiefang, period).report
    response = api(city.users.owner).post(
        f"/api/reports/{report.pk}/photos/", {"image": big_photo()}, format="multipart"
    )
    _refused(_api_says(response), PHOTO_REFUSED)
    assert not ReportPhoto.objects.exists()


def test_an_approvals_attachment_through_the_api(city):
    approval = ApprovalFactory(project=city.projects.jiefang)
    response = api(city.users.hq).patch(
        f"/api/approvals/{approval.pk}/", {"attachment": big_pdf()}, format="multipart"
    )
    _refused(_api_says(response), FILE_REFUSED)
    assert not Approval.objects.get(pk=approval.pk).attachment


def test_a_milestones_evidence_through_the_api(city):
    milestone = MilestoneFactory(project=city.projects.jiefang)
    owner = api(city.users.owner)
    response = owner.post(
        f"/api/milestones/{milestone.pk}/met/",
        {"actual_date": "2026-05-20", "evidence": big_pdf()},
        format="multipart",
    )
    _refused(_api_says(response), FILE_REFUSED)
    response = api(city.users.hq).patch(
        f"/api/milestones/{milestone.pk}/", {"evidence": big_photo()}, format="multipart"
    )
    _refused(_api_says(response), PHOTO_REFUSED)
    response = api(city.users.hq).post(
        "/api/milestones/",
        {
            "project": city.projects.jiefang.pk,
            "name": "开工",
            "planned_date": "2026-06-30",
            "evidence": big_pdf(),
        },
        format="multipart",
    )
    _refused(_api_says(response), FILE_REFUSED)
    milestone.refresh_from_db()
    assert milestone.actual_date is None and not milestone.evidence
    assert Milestone.objects.count() == 1


def test_an_import_through_the_api(city):
    response = api(city.users.hq).post(
        "/api/imports/", {"file": big("台账.xlsx", b"PK"), "year": 2026}, format="multipart"
    )
    _refused(_api_says(response), FILE_REFUSED)
    assert not ImportJob.objects.exists()


def test_an_inspections_photo_through_the_api(city):
    inspection = InspectionFactory(project=city.projects.jiefang)
    response = api(city.users.inspector).post(
        f"/api/inspections/{inspection.pk}/photos/", {"image": big_photo()}, format="multipart"
    )
    _refused(_api_says(response), PHOTO_REFUSED)
    assert not InspectionPhoto.objects.exists()


# -- the handler ---------------------------------------------------------------------------


def test_the_fields_after_a_refused_file_are_read(city, period):  # noqa: F811
    """Django's handlers stopped reading the body at a file too large, so what came after it
    was lost as well; now the caption sent after the photo is read (and checked)."""
    report = file_report(city.users.owner, city.projects.jiefang, period).report
    response = api(city.users.owner).post(
        f"/api/reports/{report.pk}/photos/",
        {"image": big_photo(), "caption": "塔" * 201},
        format="multipart",
    )
    errors = response.json()
    assert PHOTO_REFUSED in errors["image"][0]
    assert "200" in errors["caption"][0]


def test_a_refused_upload_has_nothing_to_read():
    """Stored by mistake, it would be an empty file: reading it says why it is refused."""
    upload = RefusedUpload("现场.jpg", "image/jpeg", 3 * MB, None)
    with pytest.raises(ValidationError) as refused:
        upload.read()
    assert PHOTO_REFUSED in refused.value.messages
    with pytest.raises(ValidationError):
        list(upload.chunks())


def test_the_handler_keeps_what_is_within_the_limit(settings):
    handler = UploadLimitHandler()
    handler.new_file("image", "a.jpg", "image/jpeg", None)
    assert handler.receive_data_chunk(b"x" * MB, 0) == b"x" * MB
    assert handler.file_complete(MB) is None  # the next handler's file
    handler.new_file("image", "b.jpg", "image/jpeg", None)
    for start in range(0, 3 * MB, MB):
        kept = handler.receive_data_chunk(b"x" * MB, start)
    assert kept is None
    refused = handler.file_complete(3 * MB)
    assert isinstance(refused, RefusedUpload) and refused.size == 3 * MB


# -- coverage: every page and operation that takes a file is tried above ---------------------

# The form classes whose files the page tests above send, and the operations of the API.
PAGE_FORMS = {
    "diaodu.reporting.forms.PhotoForm",
    "diaodu.reporting.forms.UploadForm",
    "diaodu.projects.approval_forms.ApprovalForm",
    "diaodu.projects.forms.MilestoneMetForm",
    "diaodu.meetings.forms.MinutesForm",
    "diaodu.exchange.forms.ImportForm",
    "diaodu.inspections.forms.InspectionForm",
    "diaodu.inspections.forms.PhotoForm",
}
# Forms of the administration, which takes its files as Django does (its pages are for
# administrators; a file too large is refused by the model's checks in the services).
ADMIN_FORMS = set()

API_OPERATIONS = {
    "POST /api/reports/{id}/photos/",
    "PATCH /api/approvals/{id}/",
    "PUT /api/approvals/{id}/",
    "POST /api/milestones/{id}/met/",
    "PATCH /api/milestones/{id}/",
    "PUT /api/milestones/{id}/",
    "POST /api/milestones/",
    "POST /api/imports/",
    "POST /api/inspections/{id}/photos/",
}


def _form_classes():
    get_resolver().url_patterns  # noqa: B018 (imports every view, and so every form)
    seen, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return [c for c in seen if c.__module__.startswith("diaodu.") and not inspect.isabstract(c)]


def test_every_page_that_takes_a_file_is_tried():
    taking = {
        f"{form.__module__}.{form.__qualname__}"
        for form in _form_classes()
        if any(isinstance(f, forms.FileField) for f in form.base_fields.values())
    }
    missing = taking - PAGE_FORMS - ADMIN_FORMS
    assert not missing, f"add a test sending a file too large through {sorted(missing)}"


def test_every_api_operation_that_takes_a_file_is_tried():
    schema = generated_schema()
    components = schema["components"]["schemas"]
    taking = set()
    for route, item in schema["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody", {}) if isinstance(operation, dict) else {}
            for content in body.get("content", {}).values():
                if _takes_a_file(content.get("schema", {}), components):
                    taking.add(f"{method.upper()} {route}")
    missing = taking - API_OPERATIONS
    assert not missing, f"add a test sending a file too large through {sorted(missing)}"


def _takes_a_file(node, components, seen=()) -> bool:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            return name not in seen and _takes_a_file(components[name], components, (*seen, name))
        if node.get("format") == "binary":
            return True
        return any(_takes_a_file(value, components, seen) for value in node.values())
    if isinstance(node, list):
        return any(_takes_a_file(value, components, seen) for value in node)
    return False
