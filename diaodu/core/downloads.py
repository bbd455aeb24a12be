"""Uploaded files to whoever the view has let through: the one way a stored file leaves.

Nothing under MEDIA_ROOT is public. A view checks who may see the file, then answers with
`protected_file_response`. Behind nginx (DIAODU_MEDIA_ACCEL_PREFIX set, e.g.
`/protected-media/`) the answer is empty and carries `X-Accel-Redirect`, and nginx sends the
file from an `internal` location that aliases MEDIA_ROOT (deploy/nginx/diaodu.conf), so no
application process is tied up streaming it. Without the prefix Django streams the file.
"""

import mimetypes
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.utils.http import content_disposition_header


def _content_type(*names: str) -> str:
    for name in names:
        guessed, encoding = mimetypes.guess_type(name)
        if guessed and not encoding:
            return guessed
    return "application/octet-stream"


def _disposition(as_attachment: bool, name: str, stored: str) -> str:
    """The header naming the download; a Chinese name also gets an ASCII one for old clients."""
    if name.isascii():
        return content_disposition_header(as_attachment, name) or "inline"  # no name at all
    base = stored.rsplit("/", 1)[-1]
    fallback = base if base.isascii() else "download" + PurePosixPath(name).suffix
    if not fallback.isascii():
        fallback = "download"
    ascii_part = content_disposition_header(as_attachment, fallback) or "inline"
    return f"{ascii_part}; filename*=UTF-8''{quote(name, safe='')}"


def protected_file_response(
    fieldfile: FieldFile, download_name: str | None = None, *, as_attachment: bool = True
) -> HttpResponseBase:
    """The stored file of `fieldfile`, named `download_name` (its own name by default).

    404 if the field is empty or the file is gone. The name may be Chinese: the
    Content-Disposition carries it as RFC 5987 `filename*`, beside an ASCII `filename` (the
    stored file's own name when that is ASCII) for clients that read only that.
    """
    stored = fieldfile.name
    if not stored:  # an empty field
        raise Http404
    name = download_name or stored.rsplit("/", 1)[-1]
    prefix = settings.DIAODU_MEDIA_ACCEL_PREFIX
    if not prefix:
        try:
            handle = fieldfile.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        streamed = FileResponse(handle, content_type=_content_type(name, stored))
        streamed["Content-Disposition"] = _disposition(as_attachment, name, stored)
        return streamed
    if not fieldfile.storage.exists(stored):
        raise Http404
    response = HttpResponse(content_type=_content_type(name, stored))
    response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(stored.lstrip("/"))
    response["Content-Disposition"] = _disposition(as_attachment, name, stored)
    return response
