"""Moving the bulletin out of the assessment app keeps every bulletin: the same rows in the same
table, their files, their change history and the permissions given on them
(assessment.0005_bulletin_moved, bulletins.0001_initial), and moving back keeps them too."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from diaodu.tests.migrations import migrate_to_latest

# Before the move: bulletins in the assessment app, and no bulletins app yet.
BEFORE = [("assessment", "0004_bulletin_status"), ("bulletins", None)]
AFTER = [("assessment", "0005_bulletin_moved"), ("bulletins", "0001_initial")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # The models as they stand then: the two apps at the targets, every other app as it is.
    moved = {app for app, _name in targets}
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in moved]
    applied = [target for target in targets if target[1] is not None]
    return executor.loader.project_state(applied + others).apps


@pytest.fixture
def old_apps(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    migrate_to_latest()


def _bulletin(apps, app_label, pk):
    row = apps.get_model(app_label, "Bulletin").objects.values().get(pk=pk)
    return {key: value for key, value in row.items() if key != "created_at"}


def test_the_bulletins_move_with_their_rows_history_and_permissions(old_apps):
    User = old_apps.get_model("org", "User")
    ContentType = old_apps.get_model("contenttypes", "ContentType")
    Permission = old_apps.get_model("auth", "Permission")
    ChangeRecord = old_apps.get_model("core", "ChangeRecord")
    Bulletin = old_apps.get_model("assessment", "Bulletin")
    hq = User.objects.create(username="hq")
    issued = Bulletin.objects.create(
        kind="month", year=2026, number=3, issue=1, title="2026年3月重点项目建设情况通报",
        document="bulletins/2026/AbCdEfGhIjKlMnOpQrStUv/bulletin-2026-03-issue1.docx",
        status="issued", created_by=hq,
    )  # fmt: skip
    failed = Bulletin.objects.create(
        kind="quarter", year=2026, number=1, issue=2, title="2026年第一季度通报",
        status="failed", error="RuntimeError('the disk is full')", created_by=hq,
    )  # fmt: skip
    before = {pk: _bulletin(old_apps, "assessment", pk) for pk in (issued.pk, failed.pk)}
    bulletin_type, _created = ContentType.objects.get_or_create(
        app_label="assessment", model="bulletin"
    )
    may_view, _created = Permission.objects.get_or_create(
        content_type=bulletin_type, codename="view_bulletin", defaults={"name": "Can view"}
    )
    hq.user_permissions.add(may_view)
    history = ChangeRecord.objects.create(
        content_type=bulletin_type, object_id=str(issued.pk), object_repr=issued.title,
        action="create", changes={"issue": [None, 1]}, actor=hq,
    )  # fmt: skip

    apps = migrate(AFTER)
    with pytest.raises(LookupError):
        apps.get_model("assessment", "Bulletin")
    assert {pk: _bulletin(apps, "bulletins", pk) for pk in before} == before
    ContentType = apps.get_model("contenttypes", "ContentType")
    moved = ContentType.objects.get(pk=bulletin_type.pk)
    assert (moved.app_label, moved.model) == ("bulletins", "bulletin")
    assert not ContentType.objects.filter(app_label="assessment", model="bulletin").exists()
    record = apps.get_model("core", "ChangeRecord").objects.get(pk=history.pk)
    assert record.content_type_id == moved.pk and record.object_id == str(issued.pk)
    user = apps.get_model("org", "User").objects.get(pk=hq.pk)
    assert list(user.user_permissions.values_list("content_type__app_label", "codename")) == [
        ("bulletins", "view_bulletin")
    ]
    # The table goes on numbering where it stopped.
    Bulletin = apps.get_model("bulletins", "Bulletin")
    later = Bulletin.objects.create(kind="month", year=2026, number=4, issue=3, title="4月通报")
    assert later.pk > max(before) and later.status == "issued" and later.error == ""

    # And back: the rows and the history are the assessment app's again.
    apps = migrate(BEFORE)
    assert {pk: _bulletin(apps, "assessment", pk) for pk in before} == before
    back = apps.get_model("contenttypes", "ContentType").objects.get(pk=bulletin_type.pk)
    assert (back.app_label, back.model) == ("assessment", "bulletin")


def test_a_period_issued_twice_before_keeps_its_latest_bulletin_current(transactional_db):
    """bulletins.0003: a period issued twice before issuing again returned the same bulletin
    keeps both; the later is current, the earlier superseded, and the constraint holds."""
    apps = migrate([("bulletins", "0002_field_limits")])
    Bulletin = apps.get_model("bulletins", "Bulletin")
    first = Bulletin.objects.create(kind="month", year=2026, number=3, issue=1, title="3月通报")
    again = Bulletin.objects.create(kind="month", year=2026, number=3, issue=2, title="3月通报")
    other = Bulletin.objects.create(kind="month", year=2026, number=4, issue=3, title="4月通报")
    try:
        apps = migrate([("bulletins", "0003_one_bulletin_per_period")])
        Bulletin = apps.get_model("bulletins", "Bulletin")
        superseded = dict(Bulletin.objects.values_list("pk", "superseded"))
        assert superseded == {first.pk: True, again.pk: False, other.pk: False}
    finally:
        migrate_to_latest()
