"""Every upload is stored under a path nobody can guess, keeping its original name."""

import re
from datetime import date
from types import SimpleNamespace

from django.core.files.base import ContentFile

from diaodu.bulletins.models import bulletin_path
from diaodu.core.uploads import PATH_LENGTH, Unguessable, unguessable_name
from diaodu.factories import MilestoneFactory
from diaodu.inspections.models import photo_path as inspection_photo_path
from diaodu.reporting.models import photo_path as report_photo_path

TOKEN = r"[A-Za-z0-9_-]{22}"


def test_a_name_is_random_keeps_the_original_and_fits():
    first, second = unguessable_name("x", "现场.jpg"), unguessable_name("x", "现场.jpg")
    assert first != second
    assert re.fullmatch(rf"x/{TOKEN}/现场\.jpg", first)
    long = unguessable_name("approvals/2026/11", "批复" * 80 + ".pdf")
    assert len(long) <= PATH_LENGTH and long.endswith(".pdf")
    assert re.fullmatch(rf"x/{TOKEN}/file", unguessable_name("x", "../"))


def test_the_upload_to_of_files_and_photos(db, city):
    milestone = MilestoneFactory(project=city.projects.jiefang, responsible_unit=city.jiaotong)
    milestone.evidence.save("验收单.pdf", ContentFile(b"%PDF-1.4"), save=True)
    assert re.fullmatch(rf"milestones/\d{{4}}/\d{{2}}/{TOKEN}/验收单\.pdf", milestone.evidence.name)
    report_photo = SimpleNamespace(
        report=SimpleNamespace(period=SimpleNamespace(start=date(2026, 5, 1))), report_id=7
    )
    assert re.fullmatch(
        rf"reports/2026/05/7/{TOKEN}/a\.jpg", report_photo_path(report_photo, "a.jpg")
    )
    inspection_photo = SimpleNamespace(
        inspection=SimpleNamespace(date=date(2026, 6, 2)), inspection_id=3
    )
    assert re.fullmatch(
        rf"inspections/2026/06/3/{TOKEN}/b\.png", inspection_photo_path(inspection_photo, "b.png")
    )
    assert re.fullmatch(
        rf"bulletins/2026/{TOKEN}/通报\.docx",
        bulletin_path(SimpleNamespace(year=2026), "通报.docx"),
    )


def test_the_upload_to_is_stable_in_migrations():
    assert Unguessable("imports") == Unguessable("imports")
    assert Unguessable("imports").deconstruct()[2] == {} and Unguessable("a").deconstruct()[1] == (
        "a",
    )
