"""Refusing an upload that is too large before anything of it is stored, with its size said,
checking that a photo is one, and storing every upload under a name nobody can guess."""

import io
import os
import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _


def upload_limit_bytes() -> int:
    """The largest file of any kind Diaodu accepts (a photo or another file)."""
    return max(settings.DIAODU_UPLOAD_MAX_MB, settings.DIAODU_PHOTO_MAX_MB) * 1024 * 1024


# A file whose name or type says it is a photo: limited to DIAODU_PHOTO_MAX_MB wherever it is
# accepted (a report's or inspection's photo, a milestone's evidence, an approval's scan).
PHOTO_NAMES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".heic")


def too_large(name: str, content_type: str | None, size: int) -> str:
    """What to say of a file of `size` bytes, in the words every size check uses: a photo
    against DIAODU_PHOTO_MAX_MB, any other file against DIAODU_UPLOAD_MAX_MB."""
    if (content_type or "").startswith("image/") or name.lower().endswith(PHOTO_NAMES):
        return _("The photo is %(size).1f MB; the limit is %(limit)d MB.") % {
            "size": size / 1024 / 1024,
            "limit": settings.DIAODU_PHOTO_MAX_MB,
        }
    return file_too_large(size)


def file_too_large(size: int) -> str:
    return _("The file is %(size).1f MB; the limit is %(limit)d MB.") % {
        "size": size / 1024 / 1024,
        "limit": settings.DIAODU_UPLOAD_MAX_MB,
    }


def check_file_size(upload: "File[Any]") -> "File[Any]":
    """Refuse a file other than a photo larger than DIAODU_UPLOAD_MAX_MB, before anything of it
    is read (a form calls it from `clean_<field>`); returns the file."""
    limit = settings.DIAODU_UPLOAD_MAX_MB
    if upload.size is not None and upload.size > limit * 1024 * 1024:
        raise ValidationError(file_too_large(upload.size))
    return upload


class RefusedUpload(UploadedFile):  # type: ignore[type-arg]  # of bytes, as Django's are
    """A file larger than any Diaodu accepts: its name, type and true size, none of its
    content. Every size check refuses it by the limit of its field; reading it raises the
    ValidationError of `too_large`, so that nothing empty is ever stored in its place."""

    def __init__(self, name: str, content_type: str | None, size: int, charset: str | None):
        super().__init__(io.BytesIO(), name, content_type, size, charset)

    def refusal(self) -> ValidationError:
        return ValidationError(too_large(self.name or "", self.content_type, self.size or 0))

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        raise self.refusal()

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> "RefusedUpload":
        raise self.refusal()


class UploadLimitHandler(FileUploadHandler):
    """Keeps no file larger than any Diaodu accepts, and says how large it was.

    The bytes of each file are counted as they come. Once a file passes `upload_limit_bytes`
    the rest of it is read and dropped (the handlers after this one keep nothing more of it),
    and it arrives as a `RefusedUpload` of its true size: the form or serializer of its field
    refuses it with the limit of that field ("照片大小为 30.2 MB，上限为 10 MB。") where Django
    would have dropped the file and said that none was sent ("该字段是必填项"). The request's
    other fields, before and after the file, are read as usual.
    """

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.limit = upload_limit_bytes()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        return None if self.received > self.limit else raw_data

    def file_complete(self, file_size: int) -> "UploadedFile[bytes] | None":
        if self.received <= self.limit:
            return None  # the next handler's file, complete
        return RefusedUpload(self.file_name or "", self.content_type, self.received, self.charset)


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
