"""Backup and restore of a whole instance: the database and the uploaded files in one archive.

An archive is a .tar.gz holding, in this order:

- `manifest.json`: the format and its version, the Diaodu version, the database vendor, when it
  was written, the rows of every model, and the SHA-256 of the dump;
- `database.dump` (PostgreSQL: `pg_dump` in its custom format) or `database.sqlite3` (SQLite:
  the online backup API); either is one consistent snapshot, and the rows counted in the
  manifest are counted in that same snapshot;
- `media/...`: every file under MEDIA_ROOT, read after the database, so every file a row of
  the dump names is there (a file uploaded meanwhile is merely extra);
- `media.json`: the names and sizes of the files archived, written last.

A restore reads the whole archive and checks it (manifest, checksum, the files against
`media.json`, the compression's own check) before it changes anything, then replaces the
database in one step (`pg_restore --single-transaction`, or SQLite's backup API into the open
database), and moves the files into MEDIA_ROOT.
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "diaodu-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_LIST = "media.json"
MEDIA_DIR = "media"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
STAGING_PREFIX = ".restoring-"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A problem that stops a backup or a restore, with a message naming what is wrong."""


@dataclass
class Outcome:
    """What a backup wrote or a restore brought back."""

    path: Path
    manifest: dict[str, Any]
    counts: dict[str, int]
    media_files: int = 0
    media_bytes: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def vendor_name(vendor: str) -> str:
    return VENDOR_NAMES.get(vendor, vendor)


def diaodu_version() -> str:
    try:
        return metadata.version("diaodu")
    except metadata.PackageNotFoundError:
        return "unknown"


def default_archive_name() -> str:
    return timezone.localtime().strftime("diaodu-%Y%m%d-%H%M%S.tar.gz")


def _check_vendor() -> str:
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(
            _("Backups support PostgreSQL and SQLite; this instance uses %(vendor)s.")
            % {"vendor": vendor}
        )
    return vendor


def _counted_models() -> list[type[Model]]:
    """Every model with a table of its own (many-to-many tables included), by label."""
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    return sorted(models, key=lambda model: model._meta.label)


def _count_rows(cursor: Any, tables: set[str], quote: Callable[[str], str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for model in _counted_models():
        table = model._meta.db_table
        if table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (table names)
            counts[model._meta.label] = cursor.fetchone()[0]
    return counts


def current_counts() -> dict[str, int]:
    """Rows of every model in the configured database (tables not created yet are left out)."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        return _count_rows(cursor, tables, connection.ops.quote_name)


def holdings() -> dict[str, int]:
    """Projects and users in the database: a restore goes only into an instance without any."""
    project = apps.get_model("projects", "Project")
    counted = {"projects": project, "users": get_user_model()}
    tables = set(connection.introspection.table_names())
    return {
        name: model._base_manager.count() if model._meta.db_table in tables else 0
        for name, model in counted.items()
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _(
                "%(tool)s is not on the PATH: install the PostgreSQL client tools of the "
                "server's major version (e.g. postgresql-client-15)."
            )
            % {"tool": name}
        )
    return path


def _pg_env() -> dict[str, str]:
    """The environment that points pg_dump and pg_restore at the configured database."""
    db = connection.settings_dict
    _args, extra = DatabaseClient.settings_to_cmd_args_env(db, [])
    env = dict(os.environ)
    env.update(extra or {})
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("NAME", "PGDATABASE"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        raise BackupError(
            _("%(tool)s failed (exit status %(status)d): %(error)s")
            % {
                "tool": Path(command[0]).name,
                "status": result.returncode,
                "error": " / ".join(lines[-5:]) or _("no message"),
            }
        )
    return result.stdout


def _dump_postgresql(target: Path) -> tuple[dict[str, int], dict[str, Any]]:
    """pg_dump of one snapshot, and the rows counted in that same snapshot."""
    pg_dump = _tool("pg_dump")
    env = _pg_env()
    snapshot_connection = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with snapshot_connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            tables = set(snapshot_connection.introspection.table_names(cursor))
            counts = _count_rows(cursor, tables, snapshot_connection.ops.quote_name)
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-password",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                ],
                env,
            )
            cursor.execute("ROLLBACK")
    finally:
        snapshot_connection.close()
    tool_version = _run([pg_dump, "--version"], env).strip()
    return counts, {"server_version": server_version, "pg_dump": tool_version}


def _dump_sqlite(target: Path) -> tuple[dict[str, int], dict[str, Any]]:
    """SQLite's online backup of the open database, counted in the copy itself."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = {row[0] for row in cursor.fetchall()}
        counts = _count_rows(cursor, tables, connection.ops.quote_name)
    finally:
        copy.close()
    return counts, {"sqlite_version": sqlite3.sqlite_version}


def _media_files(root: Path) -> list[tuple[Path, str]]:
    """The regular files under MEDIA_ROOT, with their names in the archive, sorted."""
    found: list[tuple[Path, str]] = []
    if not root.is_dir():
        return found
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(STAGING_PREFIX))
        for name in sorted(files):
            path = Path(folder, name)
            if path.is_symlink() or not path.is_file():
                continue
            found.append((path, PurePosixPath(MEDIA_DIR, *path.relative_to(root).parts).as_posix()))
    return found


def _add_bytes(tar: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(content))


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> int | None:
    """Add one file as it is now; None if it was deleted since it was listed."""
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return None
    with handle:
        stat = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size = stat.st_size
        info.mtime = int(stat.st_mtime)
        info.mode = 0o640
        tar.addfile(info, handle)
    return stat.st_size


def write_backup(output: Path) -> Outcome:
    """Write the archive to `output` through a temporary file beside it, renamed when complete."""
    started = time.monotonic()
    vendor = _check_vendor()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    dump_name = DUMP_NAMES[vendor]
    handle = tempfile.NamedTemporaryFile(
        dir=output.parent, prefix=f".{output.name}.", suffix=".partial", delete=False
    )
    partial = Path(handle.name)
    handle.close()
    try:
        with tempfile.TemporaryDirectory(dir=output.parent, prefix=".diaodu-backup-") as work:
            dump = Path(work, dump_name)
            if vendor == "postgresql":
                counts, details = _dump_postgresql(dump)
            else:
                counts, details = _dump_sqlite(dump)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "diaodu_version": diaodu_version(),
                "created": timezone.now().isoformat(),
                "database": {
                    "vendor": vendor,
                    "file": dump_name,
                    "sha256": _sha256(dump),
                    "size": dump.stat().st_size,
                    **details,
                },
                "counts": counts,
            }
            media = {}
            with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
                tar.add(dump, arcname=dump_name)
                for path, name in _media_files(Path(settings.MEDIA_ROOT)):
                    size = _add_file(tar, path, name)
                    if size is not None:
                        media[name] = size
                _add_bytes(tar, MEDIA_LIST, json.dumps({"files": media}, indent=0).encode())
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Outcome(
        path=output,
        manifest=manifest,
        counts=counts,
        media_files=len(media),
        media_bytes=sum(media.values()),
        seconds=time.monotonic() - started,
    )


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives named as `diaodu backup` names them."""
    archives = sorted(folder.glob("diaodu-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    removed = archives[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink()
    return removed


# Restoring ----------------------------------------------------------------------------------


def _damaged(path: Path, error: object) -> BackupError:
    return BackupError(
        _("%(path)s is damaged or incomplete (%(error)s); nothing was restored.")
        % {"path": path, "error": error}
    )


def _foreign(path: Path, why: str) -> BackupError:
    return BackupError(
        _("%(path)s is not a Diaodu backup (%(why)s); nothing was restored.")
        % {"path": path, "why": why}
    )


def read_manifest(path: Path) -> dict[str, Any]:
    """The archive's manifest, checked for its format; the archive is its first entry."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("There is no file %(path)s.") % {"path": path})
    try:
        with tarfile.open(path, "r|gz") as tar:
            first = tar.next()
            handle = tar.extractfile(first) if first is not None and first.isfile() else None
            if first is None or first.name != MANIFEST or handle is None:
                raise _foreign(path, _("it has no manifest.json"))
            manifest = json.loads(handle.read().decode())
    except (tarfile.TarError, gzip.BadGzipFile, zlib.error, EOFError) as error:
        raise _foreign(path, _("not a .tar.gz archive: %(error)s") % {"error": error}) from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _foreign(path, _("its manifest is not JSON")) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _foreign(path, _("its manifest is not a Diaodu manifest"))
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            _(
                "%(path)s was written in backup format %(version)s, by a newer Diaodu; this "
                "version reads format %(ours)d. Restore it with the Diaodu that wrote it, or a "
                "newer one."
            )
            % {"path": path, "version": version, "ours": FORMAT_VERSION}
        )
    database = manifest.get("database")
    if (
        not isinstance(database, dict)
        or database.get("vendor") not in DUMP_NAMES
        or database.get("file") != DUMP_NAMES[database["vendor"]]
        or not isinstance(database.get("sha256"), str)
        or not isinstance(manifest.get("counts"), dict)
    ):
        raise _foreign(path, _("its manifest lacks the database's vendor, file or checksum"))
    return manifest


def _member_path(root: Path, name: str) -> Path:
    """Where a media entry goes under `root`, refusing any name that would leave it."""
    parts = PurePosixPath(name).parts
    if (
        name.startswith("/")
        or len(parts) < 2
        or parts[0] != MEDIA_DIR
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise BackupError(_("unsafe entry %(name)s") % {"name": name})
    return root.joinpath(*parts[1:])


def _unpack(
    path: Path, manifest: dict[str, Any], work: Path, staging: Path
) -> tuple[Path, dict[str, Any]]:
    """Read the whole archive: the dump into `work`, the files into `staging`; check both."""
    database = manifest["database"]
    dump = work / database["file"]
    digest = hashlib.sha256()
    unpacked: dict[str, int] = {}
    listed = None
    seen_dump = False
    try:
        with gzip.open(path, "rb") as stream:
            with tarfile.open(fileobj=stream, mode="r|") as tar:
                for member in tar:
                    if member.name == MANIFEST:
                        continue
                    if member.isdir():
                        continue
                    source = tar.extractfile(member) if member.isfile() else None
                    if source is None:
                        raise BackupError(_("unexpected entry %(name)s") % {"name": member.name})
                    if member.name == database["file"]:
                        seen_dump = True
                        with open(dump, "wb") as out:
                            while chunk := source.read(CHUNK):
                                digest.update(chunk)
                                out.write(chunk)
                    elif member.name == MEDIA_LIST:
                        listed = json.loads(source.read().decode())["files"]
                    else:
                        target = _member_path(staging, member.name)
                        target.parent.mkdir(parents=True, exist_ok=True)
                        with open(target, "wb") as out:
                            shutil.copyfileobj(source, out, CHUNK)
                        os.utime(target, (member.mtime, member.mtime))
                        unpacked[member.name] = member.size
            while stream.read(CHUNK):  # to the end, so gzip checks its CRC and length
                pass
    except BackupError as error:
        raise _damaged(path, error) from error
    except (
        tarfile.TarError,
        gzip.BadGzipFile,
        zlib.error,
        EOFError,
        UnicodeDecodeError,
        ValueError,
        KeyError,
        TypeError,
    ) as error:
        raise _damaged(path, error) from error
    if not seen_dump:
        raise _damaged(path, _("the database dump is missing"))
    if digest.hexdigest() != database["sha256"]:
        raise BackupError(
            _(
                "The database dump in %(path)s does not match the checksum in its manifest: "
                "the archive is damaged; nothing was restored."
            )
            % {"path": path}
        )
    if listed is None:
        raise _damaged(path, _("the list of uploaded files is missing"))
    if listed != unpacked:
        raise _damaged(path, _("the uploaded files differ from their list"))
    return dump, unpacked


def _restore_postgresql(dump: Path) -> None:
    pg_restore = _tool("pg_restore")
    env = _pg_env()
    connections.close_all()  # pg_restore must not wait on this process's own locks
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={env.get('PGDATABASE', '')}",
            str(dump),
        ],
        env,
    )


def _restore_sqlite(dump: Path) -> None:
    """Copy the archived database into the open one, page by page, in one step.

    SQLite's backup API writes through the database's own connection and locks, so the
    result is whole even in WAL mode (copying the file over it could mix in a stale -wal).
    """
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        check = source.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(
                _("The archived SQLite database fails its integrity check: %(error)s")
                % {"error": check}
            )
        source.backup(connection.connection)
    finally:
        source.close()


def _move_media(staging: Path, root: Path) -> None:
    for folder, _dirs, files in os.walk(staging):
        for name in files:
            source = Path(folder, name)
            target = root / source.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)


def _migrations_behind() -> bool:
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def restore_backup(path: Path, *, force: bool = False) -> Outcome:
    """Bring an archive back into this instance's database and MEDIA_ROOT.

    Checks first, changes nothing on any problem: the manifest, the vendor, that the instance
    is empty (unless `force`), the tools, and the whole archive against its checksums.
    """
    started = time.monotonic()
    path = Path(path)
    vendor = _check_vendor()
    if connection.in_atomic_block:
        raise BackupError(_("A restore cannot run inside a database transaction."))
    manifest = read_manifest(path)
    archived = manifest["database"]["vendor"]
    if archived != vendor:
        raise BackupError(
            _(
                "%(path)s holds a %(archived)s database and this instance uses %(vendor)s: "
                "restore it into an instance whose DATABASE_URL points to %(archived)s."
            )
            % {"path": path, "archived": vendor_name(archived), "vendor": vendor_name(vendor)}
        )
    held = holdings()
    if not force and any(held.values()):
        raise BackupError(
            _(
                "The database already holds %(projects)d projects and %(users)d users: a "
                "backup is restored only into an empty instance (a new database, migrated or "
                "not). Add --force to replace everything in it."
            )
            % held
        )
    if vendor == "postgresql":
        _tool("pg_restore")
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=media_root, prefix=STAGING_PREFIX))
    try:
        with tempfile.TemporaryDirectory(prefix="diaodu-restore-") as work:
            dump, media = _unpack(path, manifest, Path(work), staging)
            if vendor == "postgresql":
                _restore_postgresql(dump)
            else:
                _restore_sqlite(dump)
        ContentType.objects.clear_cache()
        _move_media(staging, media_root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    counts = current_counts()
    outcome = Outcome(
        path=path,
        manifest=manifest,
        counts=counts,
        media_files=len(media),
        media_bytes=sum(media.values()),
        seconds=time.monotonic() - started,
    )
    differ = sorted(
        label for label, rows in manifest["counts"].items() if counts.get(label) != rows
    )
    if differ:
        raise BackupError(
            _("Restored, but these tables do not hold the rows the archive counted: %(tables)s")
            % {"tables": ", ".join(differ)}
        )
    if _migrations_behind():
        outcome.notes.append(
            _(
                "The restored database is behind this version's migrations: run "
                "`diaodu migrate`, then `diaodu refresh`."
            )
        )
    return outcome
