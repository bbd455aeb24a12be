"""Stored files leave through views that check access: streamed by Django, or sent by nginx.

With DIAODU_MEDIA_ACCEL_PREFIX set, a download is an empty answer carrying X-Accel-Redirect
(the stored name URL-quoted) for nginx's internal location; without it, Django streams the file.
Either way the name may be Chinese, a missing file is 404, and who may download is unchanged.
"""

from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.http import Http404
from django.test import Client
from django.urls import reverse

from diaodu.assessment.choices import PeriodKind
from diaodu.bulletins.models import Bulletin
from diaodu.conftest import login
from diaodu.core.downloads import protected_file_response
from diaodu.factories import ApprovalFactory, MilestoneFactory

PDF = b"%PDF-1.4 approval document"
PNG = b"\x89PNG\r\n\x1a\n site photo"
PREFIX = "/protected-media/"


@pytest.fixture
def accel(settings):
    settings.DIAODU_MEDIA_ACCEL_PREFIX = PREFIX


@pytest.fixture
def stored(city):
    """An approval with a Chinese-named document, a milestone met with a photo, a bulletin."""
    approval = ApprovalFactory(project=city.projects.jiefang)
    approval.attachment.save("施工许可证.pdf", ContentFile(PDF))
    milestone = MilestoneFactory(project=city.projects.jiefang, name="开工")
    milestone.evidence.save("site.png", ContentFile(PNG))
    bulletin = Bulletin.objects.create(
        kind=PeriodKind.MONTH, year=2026, number=3, issue=1, title="3月重点项目通报"
    )
    bulletin.document.save("bulletin-2026-03-issue1.docx", ContentFile(b"PK docx"))
    return approval, milestone, bulletin


def test_streamed_by_django_without_the_prefix(stored):
    approval, milestone, _bulletin = stored
    response = protected_file_response(approval.attachment)
    assert response.getvalue() == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "X-Accel-Redirect" not in response
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert f"filename*=UTF-8''{quote('施工许可证.pdf')}" in disposition
    inline = protected_file_response(milestone.evidence, "照片.png", as_attachment=False)
    assert inline["Content-Disposition"].startswith('inline; filename="site.png"')
    assert inline["Content-Type"] == "image/png" and inline.getvalue() == PNG


def test_sent_by_nginx_with_the_prefix(stored, accel):
    approval, milestone, _bulletin = stored
    response = protected_file_response(approval.attachment)
    assert response.content == b""
    assert response["X-Accel-Redirect"] == PREFIX + quote(approval.attachment.name)
    assert "%E6%96%BD" in response["X-Accel-Redirect"]  # 施, quoted: nginx unquotes it
    assert response["Content-Type"] == "application/pdf"
    assert f"filename*=UTF-8''{quote('施工许可证.pdf')}" in response["Content-Disposition"]
    plain = protected_file_response(milestone.evidence, as_attachment=False)
    assert plain["Content-Disposition"] == 'inline; filename="site.png"'


@pytest.mark.parametrize("with_prefix", [False, True])
def test_a_missing_or_empty_file_is_404(stored, settings, with_prefix):
    settings.DIAODU_MEDIA_ACCEL_PREFIX = PREFIX if with_prefix else ""
    approval, milestone, _bulletin = stored
    approval.attachment.storage.delete(approval.attachment.name)
    with pytest.raises(Http404):
        protected_file_response(approval.attachment)
    milestone.evidence = ""
    with pytest.raises(Http404):
        protected_file_response(milestone.evidence)


def _urls(approval, milestone, bulletin):
    return {
        "approval": reverse("approvals:attachment", args=[approval.pk]),
        "evidence": reverse(
            "projects:milestone-evidence", args=[milestone.project_id, milestone.pk]
        ),
        "bulletin": reverse("assessment:bulletin-download", args=[bulletin.pk]),
        "bulletin-api": f"/api/bulletins/{bulletin.pk}/download/",
    }


def test_the_views_hand_the_file_to_nginx(city, stored, accel):
    approval, milestone, bulletin = stored
    client = login(city.users.jiefang)
    names = {
        "approval": approval.attachment.name,
        "evidence": milestone.evidence.name,
        "bulletin": bulletin.document.name,
        "bulletin-api": bulletin.document.name,
    }
    for key, url in _urls(approval, milestone, bulletin).items():
        response = client.get(url)
        assert response.status_code == 200, key
        assert response["X-Accel-Redirect"] == PREFIX + quote(names[key]), key
        assert response.content == b"", key
    bulletin_response = client.get(_urls(approval, milestone, bulletin)["bulletin"])
    assert 'filename="bulletin-2026-03-issue1.docx"' in bulletin_response["Content-Disposition"]
    assert quote("3月重点项目通报") in bulletin_response["Content-Disposition"]


@pytest.mark.parametrize("with_prefix", [False, True])
def test_the_views_still_check_who_may_download(city, stored, settings, with_prefix):
    settings.DIAODU_MEDIA_ACCEL_PREFIX = PREFIX if with_prefix else ""
    approval, milestone, bulletin = stored
    urls = _urls(approval, milestone, bulletin)
    outsider = login(city.users.gaoxin)  # a region that does not see 解放区's project
    assert outsider.get(urls["approval"]).status_code == 404
    assert outsider.get(urls["evidence"]).status_code == 404
    assert login(city.users.jiefang).get(urls["evidence"]).status_code == 200
    anonymous = Client()
    for key in ("approval", "evidence", "bulletin"):
        response = anonymous.get(urls[key])
        assert response.status_code == 302 and "X-Accel-Redirect" not in response, key
    assert anonymous.get(urls["bulletin-api"]).status_code == 401
