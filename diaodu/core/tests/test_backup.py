"""`diaodu backup` and `diaodu restore`: the demo city goes out and comes back whole.

The round trip runs on the database the suite runs on (PostgreSQL with pg_dump and pg_restore,
SQLite with its backup API): build the demo city, back it up, drop every table and delete the
uploaded files, restore, and compare the rows of every model, every progress report field by
field, and every file byte by byte. A damaged, foreign or mismatched archive is refused with a
message naming the problem, and changes nothing.
"""

import hashlib
import io
import json
import os
import shutil
import tarfile
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import translation

from diaodu.assessment.defaults import create_default_scheme
from diaodu.assessment.models import ScoringRule, ScoringScheme
from diaodu.core.backups import DUMP_NAMES, current_counts, read_manifest
from diaodu.demo import builder
from diaodu.factories import ProjectFactory, UserFactory
from diaodu.reporting.models import ProgressReport

TODAY = date(2026, 11, 20)
OTHER_VENDOR = {"postgresql": "sqlite", "sqlite": "postgresql"}


@pytest.fixture
def tools():
    """pg_dump and pg_restore on PostgreSQL: missing under CI=true is a failure, not a skip."""
    if connection.vendor != "postgresql":
        return
    missing = [tool for tool in ("pg_dump", "pg_restore") if not shutil.which(tool)]
    if missing:
        message = f"{', '.join(missing)} not on the PATH: install postgresql-client"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def schema_back():
    """Whatever happens in the test, leave the test database with its tables for the next."""
    yield
    if "projects_project" not in connection.introspection.table_names():
        call_command("migrate", verbosity=0)


def wipe_database():
    """Drop every table (on PostgreSQL the whole schema), as on a new, empty database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")
            cursor.execute("PRAGMA foreign_keys = ON")
    assert connection.introspection.table_names() == []


def report_checksum() -> str:
    """Every progress report, every field (id, project, period, status, figures, texts)."""
    fields = [field.attname for field in ProgressReport._meta.concrete_fields]
    digest = hashlib.sha256()
    for row in ProgressReport.objects.order_by("pk").values_list(*fields):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def media_digests(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def default_scheme():
    """The scoring scheme a migration installs, which the demo ranks its regions under; a
    transactional test run before this one leaves the tables empty."""
    if not ScoringScheme.objects.exists():
        create_default_scheme(ScoringScheme, ScoringRule)


@pytest.mark.django_db(transaction=True)
def test_the_demo_city_round_trips(tools, schema_back, default_scheme, settings, tmp_path):
    with time_machine.travel(TODAY):
        builder.build(TODAY)
    media = Path(settings.MEDIA_ROOT)
    evidence = media / "milestones" / "2026" / "11" / "竣工验收 报告.pdf"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 64)
    (media / "photos").mkdir()
    (media / "photos" / "site.jpg").write_bytes(b"\xff\xd8\xff" + os.urandom(5000))
    counts = current_counts()
    reports = report_checksum()
    files = media_digests(media)
    assert counts["reporting.ProgressReport"] > 500 and counts["projects.Project"] > 50
    assert any(name.startswith("bulletins/") for name in files)  # the demo's bulletin

    archive = tmp_path / "backups" / "city.tar.gz"
    out = io.StringIO()
    call_command("backup", output=str(archive), stdout=out)
    assert str(archive) in out.getvalue()
    assert [p.name for p in archive.parent.iterdir()] == ["city.tar.gz"]  # nothing half-written
    manifest = read_manifest(archive)
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["counts"] == counts

    wipe_database()
    shutil.rmtree(media)
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)

    assert current_counts() == counts
    assert report_checksum() == reports
    assert media_digests(media) == files
    assert f"{counts['reporting.ProgressReport']:>9}" in out.getvalue()

    with pytest.raises(CommandError) as refused:  # the instance is no longer empty
        call_command("restore", str(archive))
    assert f"{counts['projects.Project']}" in str(refused.value)
    assert current_counts() == counts
    client = Client()
    assert client.login(username="hq", password="diaodu-demo")
    assert client.get("/projects/").status_code == 200


# Refusals: each names what is wrong and changes nothing -------------------------------------


@pytest.fixture
def small(tools, settings, tmp_path):
    """A backup of a small instance: a project, a user, an uploaded file."""
    ProjectFactory(name="一号项目")
    UserFactory(username="owner1")
    upload = Path(settings.MEDIA_ROOT) / "approvals" / "许可.pdf"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"%PDF-1.4 small")
    archive = tmp_path / "small.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    return archive


def members(archive: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(archive, "r:gz") as tar:
        return [(m, tar.extractfile(m).read() if m.isfile() else b"") for m in tar.getmembers()]


def write(archive: Path, entries) -> Path:
    with tarfile.open(archive, "w:gz") as tar:
        for info, content in entries:
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return archive


def with_manifest(archive: Path, target: Path, change) -> Path:
    entries = members(archive)
    info, content = entries[0]
    manifest = json.loads(content)
    change(manifest)
    entries[0] = (info, json.dumps(manifest).encode())
    return write(target, entries)


def restore_refused(archive: Path, *args) -> str:
    before = current_counts()
    files = media_digests(Path(archive).parent)
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), *args, stdout=io.StringIO())
    assert current_counts() == before
    assert media_digests(Path(archive).parent) == files
    return str(refused.value)


@pytest.mark.django_db(transaction=True)
def test_an_instance_with_projects_or_users_is_refused_unless_forced(small, settings):
    message = restore_refused(small)
    assert "already holds 1 projects and 1 users" in message and "--force" in message
    call_command("restore", str(small), "--force", stdout=io.StringIO())
    assert current_counts()["projects.Project"] == 1
    assert (Path(settings.MEDIA_ROOT) / "approvals" / "许可.pdf").read_bytes() == b"%PDF-1.4 small"


@pytest.mark.django_db(transaction=True)
def test_a_damaged_archive_changes_nothing(small, tmp_path):
    data = bytearray(small.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(bytes(data))
    assert "damaged or incomplete" in restore_refused(damaged, "--force")
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(small.read_bytes()[: len(data) - 100])
    assert "damaged or incomplete" in restore_refused(truncated, "--force")


@pytest.mark.django_db(transaction=True)
def test_a_dump_that_does_not_match_its_checksum_is_refused(small, tmp_path):
    entries = members(small)
    dump_name = DUMP_NAMES[connection.vendor]
    entries = [
        (info, content[:-10] + bytes(b ^ 0xFF for b in content[-10:]))
        if info.name == dump_name
        else (info, content)
        for info, content in entries
    ]
    message = restore_refused(write(tmp_path / "altered.tar.gz", entries), "--force")
    assert "does not match the checksum" in message and "nothing was restored" in message


@pytest.mark.django_db(transaction=True)
def test_foreign_files_are_not_taken_for_backups(small, tmp_path):
    text = tmp_path / "notes.tar.gz"
    text.write_text("not an archive")
    assert "is not a Diaodu backup" in restore_refused(text, "--force")
    other = write(tmp_path / "other.tar.gz", [(tarfile.TarInfo("readme.txt"), b"hello")])
    assert "has no manifest.json" in restore_refused(other, "--force")
    missing = restore_refused(tmp_path / "nowhere.tar.gz", "--force")
    assert "There is no file" in missing


@pytest.mark.django_db(transaction=True)
def test_another_vendor_or_a_newer_format_is_refused(small, tmp_path):
    other = OTHER_VENDOR[connection.vendor]

    def vendor(manifest):
        manifest["database"].update(vendor=other, file=DUMP_NAMES[other])

    message = restore_refused(with_manifest(small, tmp_path / "vendor.tar.gz", vendor), "--force")
    assert "PostgreSQL" in message and "SQLite" in message and "DATABASE_URL" in message

    def newer(manifest):
        manifest["format_version"] = 99

    message = restore_refused(with_manifest(small, tmp_path / "newer.tar.gz", newer), "--force")
    assert "format 99" in message


@pytest.mark.django_db(transaction=True)
def test_an_entry_leaving_the_media_folder_is_refused(small, tmp_path, settings):
    entries = members(small)
    evil = tarfile.TarInfo("media/../../escaped.txt")
    entries.insert(2, (evil, b"outside"))
    message = restore_refused(write(tmp_path / "evil.tar.gz", entries), "--force")
    assert "unsafe entry" in message
    assert not (Path(settings.MEDIA_ROOT).parent.parent / "escaped.txt").exists()
    assert not list(Path(settings.MEDIA_ROOT).glob(".restoring-*"))


@pytest.mark.django_db(transaction=True)
def test_messages_are_in_chinese(small):
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(small), stdout=io.StringIO())
    assert "数据库中已有 1 个项目和 1 个用户" in str(refused.value)


@pytest.mark.django_db(transaction=True)
def test_backups_go_to_var_by_default_and_the_oldest_are_pruned(tools, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    folder = tmp_path / "backups"
    folder.mkdir()
    for age, name in enumerate(["diaodu-20260101-010000.tar.gz", "diaodu-20260102-010000.tar.gz"]):
        (folder / name).write_bytes(b"old")
        os.utime(folder / name, (1_700_000_000 + age, 1_700_000_000 + age))
    (folder / "keep-me.txt").write_text("not a backup")
    call_command("backup", keep=2, stdout=io.StringIO())
    names = sorted(p.name for p in folder.iterdir())
    assert "diaodu-20260101-010000.tar.gz" not in names
    assert "diaodu-20260102-010000.tar.gz" in names and "keep-me.txt" in names
    (written,) = [
        n for n in names if n.startswith("diaodu-") and not n.startswith("diaodu-2026010")
    ]
    assert read_manifest(folder / written)["format"] == "diaodu-backup"


@pytest.mark.django_db(transaction=True)
def test_without_pg_dump_the_backup_says_what_to_install(tools, monkeypatch, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump is used on PostgreSQL only")
    monkeypatch.setenv("PATH", str(tmp_path))
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("backup", output=str(tmp_path / "x.tar.gz"), stdout=io.StringIO())
    assert "pg_dump is not on the PATH" in str(refused.value)
    assert not list(tmp_path.glob("*.tar.gz*")) and not list(tmp_path.glob(".x.tar.gz*"))
