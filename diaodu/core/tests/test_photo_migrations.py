"""Upgrading to photos that say where and when (reporting.0011_photo_evidence,
inspections.0003_photo_evidence): the photos already kept stay as they were, of no known time
or place and without a watermarked copy."""

from datetime import date

import pytest

from diaodu.tests.migrations import migrate, migrate_to_latest

BEFORE = [("reporting", "0010_month_snapshots"), ("inspections", "0002_field_limits")]


@pytest.fixture
def old_apps(transactional_db):
    yield migrate(BEFORE)
    migrate_to_latest()


def test_the_photos_kept_stay_as_they_were(old_apps):
    Unit = old_apps.get_model("org", "Unit")
    Project = old_apps.get_model("projects", "Project")
    Period = old_apps.get_model("reporting", "ReportingPeriod")
    Report = old_apps.get_model("reporting", "ProgressReport")
    Inspection = old_apps.get_model("inspections", "Inspection")
    owner = Unit.objects.create(name="建投", code="jt", kind="enterprise")
    project = Project.objects.create(name="焦北学校", owner=owner)
    period = Period.objects.create(
        start=date(2026, 5, 1), end=date(2026, 5, 31), due_date=date(2026, 5, 25)
    )
    report = Report.objects.create(project=project, period=period)
    inspection = Inspection.objects.create(
        project=project, date=date(2026, 5, 18), inspectors="黄海", findings="现场察看。"
    )
    old_apps.get_model("reporting", "ReportPhoto").objects.create(
        report=report, image="reports/2026/05/1/a/site.jpg", caption="塔吊"
    )
    old_apps.get_model("inspections", "InspectionPhoto").objects.create(
        inspection=inspection, image="inspections/2026/05/1/b/visit.jpg", caption="现场"
    )

    new_apps = migrate(
        [("reporting", "0011_photo_evidence"), ("inspections", "0003_photo_evidence")]
    )
    for label, model in (("reporting", "ReportPhoto"), ("inspections", "InspectionPhoto")):
        photo = new_apps.get_model(label, model).objects.get()
        assert photo.caption in ("塔吊", "现场") and photo.image.name.endswith(".jpg")
        assert (photo.place_source, photo.time_source) == ("none", "none")
        assert photo.taken_at is None and photo.latitude is None and not photo.watermarked
