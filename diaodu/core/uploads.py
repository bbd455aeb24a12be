"""Refusing an upload that is too large before anything of it is stored or read, checking that
a photo is one, and storing every upload under a name nobody can guess."""

import os
import secrets
from typing import IO, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _


def upload_limit_bytes() -> int:
    return max(settings.DIAODU_UPLOAD_MAX_MB, settings.DIAODU_PHOTO_MAX_MB) * 1024 * 1024


class UploadLimitHandler(FileUploadHandler):
    """Stops a request whose body is larger than any file Diaodu accepts.

    The request is marked `upload_too_large` so that the form can say so; the body is
    discarded unread.
    """

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        self.too_large = content_length is not None and content_length > upload_limit_bytes()
        if self.too_large and self.request is not None:
            self.request.upload_too_large = True  # type: ignore[attr-defined]  # a mark, read by getattr

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        if getattr(self, "too_large", False):
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


# Photos of a site (reports, inspections): the types a browser shows inline.
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


def check_photo(image: "File[Any]") -> "File[Any]":
    """Refuse a photo larger than DIAODU_PHOTO_MAX_MB, or not a JPEG, PNG, WebP or GIF image.

    Raises ValidationError with the reason in the user's language; returns the image. Forms
    call it from `clean_<field>`, services before they store a photo however it came in. The
    size is checked first, so that a file too large is never read; then Pillow must read it as
    an image (as Django's ImageField does), which also sets its true content type.
    """
    limit = settings.DIAODU_PHOTO_MAX_MB * 1024 * 1024
    if image.size > limit:
        raise ValidationError(
            _("The photo is %(size).1f MB; the limit is %(limit)d MB.")
            % {"size": image.size / 1024 / 1024, "limit": settings.DIAODU_PHOTO_MAX_MB}
        )
    if getattr(image, "image", None) is None:  # not yet read by an ImageField
        image = forms.ImageField().to_python(image) or image  # None only for no file at all
    content_type = getattr(image, "content_type", None)
    if content_type and content_type not in IMAGE_TYPES:
        raise ValidationError(_("Only JPEG, PNG, WebP or GIF photos are accepted."))
    return image


# What a stored file's path may hold (Django's FileField default).
PATH_LENGTH = 100


def unguessable_name(folder: str, filename: str, max_length: int = PATH_LENGTH) -> str:
    """`folder/<random>/<name>`: the random part (128 bits) makes a path nobody can guess, the
    original name is kept for the download, shortened if the whole would be too long."""
    base = os.path.basename(filename.replace("\\", "/")).strip(". ")
    name = get_valid_filename(base) if base else "file"
    prefix = f"{folder.strip('/')}/{secrets.token_urlsafe(16)}/"
    stem, extension = os.path.splitext(name)
    room = max(max_length - len(prefix) - len(extension), 8)
    return prefix + stem[:room] + extension[:16]


@deconstructible
class Unguessable:
    """A FileField's `upload_to`: `<folder>/<yyyy>/<mm>/<random>/<original name>`.

    Nothing under the media folder is public (files leave through views that check access),
    and the random part keeps a path from being guessed should a proxy ever publish it.
    """

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance: Any, filename: str) -> str:
        return unguessable_name(f"{self.folder}/{timezone.localdate():%Y/%m}", filename)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unguessable) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)
