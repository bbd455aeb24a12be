"""Checking an uploaded Office file (.xlsx, .docx: a zip archive) before any parser reads it.

A hostile file is small on the wire and huge once read: a zip member of zeros that inflates
a thousandfold, a document whose XML declares entities that expand into gigabytes (billion
laughs), a sheet that declares a million rows. `check_archive` reads only the archive's
directory and the first bytes of each XML member, so a refusal costs milliseconds; the
readers then bound what they parse (`diaodu.core.excel.real_rows`, the minutes' text cap).
"""

import io
import re
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

# An Office file has tens of members; a workbook with many sheets and pictures, hundreds.
MAX_MEMBERS = 2000
# Deflate reaches about 1000:1 on zeros; real sheets and documents stay well under 100:1.
MAX_RATIO = 100
# Members smaller than this are not held to the ratio (a tiny repetitive part compresses well).
RATIO_FROM_BYTES = 1024 * 1024
# The XML declaration, comments and processing instructions before the root element.
PROLOG_BYTES = 64 * 1024
ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")
DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")


class HostileFile(Exception):
    """An archive refused before it is read; the message says why, in the user's language."""


def check_archive(data: bytes) -> zipfile.ZipFile:
    """Refuse an archive that would cost far more to read than its size; return it opened.

    Checks, from the central directory: a real zip, at most MAX_MEMBERS members, no name
    leaving the archive, each member's and the total uncompressed size within
    DIAODU_UPLOAD_MAX_UNZIPPED_MB, no member inflating more than MAX_RATIO times; then that
    no XML member declares a DOCTYPE or entities. The sizes checked are the declared ones,
    which are also the most Python's zipfile will ever inflate a member to.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise HostileFile(_("The file is not a valid Office document (zip).")) from error
    if len(members) > MAX_MEMBERS:
        raise HostileFile(
            _("The file holds %(count)d parts; at most %(limit)d are accepted.")
            % {"count": len(members), "limit": MAX_MEMBERS}
        )
    limit_mb = settings.DIAODU_UPLOAD_MAX_UNZIPPED_MB
    limit = limit_mb * 1024 * 1024
    total = 0
    for member in members:
        name = member.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or ":" in name.split("/")[0]:
            raise HostileFile(
                _("The file holds a part named “%(name)s” outside the document.") % {"name": name}
            )
        total += member.file_size
        if member.file_size > limit or total > limit:
            raise HostileFile(
                _("The file would exceed %(limit)d MB once unzipped; it is refused.")
                % {"limit": limit_mb}
            )
        if member.file_size > RATIO_FROM_BYTES and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise HostileFile(
                _(
                    "Abnormal compression ratio: the part “%(name)s” inflates %(ratio)d times "
                    "(at most %(limit)d); it is refused."
                )
                % {
                    "name": name,
                    "ratio": member.file_size // max(member.compress_size, 1),
                    "limit": MAX_RATIO,
                }
            )
    for member in members:
        if member.filename.lower().endswith((".xml", ".rels", ".vml")):
            _check_prolog(archive, member)
    return archive


def _check_prolog(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """A DOCTYPE (and so any entity) can only stand before the root element: read up to it."""
    try:
        with archive.open(member) as stream:
            head = stream.read(PROLOG_BYTES)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as error:
        raise HostileFile(
            _("The part “%(name)s” of the file cannot be read.") % {"name": member.filename}
        ) from error
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: look at it as ASCII
        head = head.decode("utf-16", errors="ignore").encode("ascii", errors="ignore")
    root = ROOT_ELEMENT.search(head)
    prolog = head[: root.start()] if root else head
    if any(declaration in prolog.upper() for declaration in DECLARATIONS) or (
        root is None and len(head) == PROLOG_BYTES
    ):
        raise HostileFile(
            _(
                "The file contains entity declarations (DOCTYPE/ENTITY) in “%(name)s”, "
                "which Office never writes; it is refused."
            )
            % {"name": member.filename}
        )
