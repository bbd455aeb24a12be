"""Photos of a site attached to a record (a progress report, an inspection): one abstract
model and one way in, which always checks that the file is a photo, reads where and when it
was taken, and keeps beside it a copy that says so on its face."""

import logging
import os
from datetime import date
from typing import Any, NamedTuple, TypeVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import models
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from diaodu.core.choices import Source
from diaodu.core.downloads import protected_file_response
from diaodu.core.history import record
from diaodu.core.limits import validate_year
from diaodu.core.models import Action
from diaodu.core.photo_evidence import (
    Sent,
    believable_time,
    check_sent,
    coordinate,
    distance_km,
    place_text,
    read_exif,
    watermark,
)
from diaodu.core.services import Actor
from diaodu.core.uploads import check_photo

logger = logging.getLogger(__name__)


def copy_path(photo: "Photo", filename: str) -> str:
    """The watermarked copy is kept where its concrete model keeps the original."""
    meta: Any = photo._meta  # the field is declared by each concrete model
    return str(meta.get_field("image").upload_to(photo, filename))


class Flag(NamedTuple):
    """Why a photo may not show the site when the record says: `far` or `old`, and in words."""

    code: str
    message: str


class Photo(models.Model):
    """A photo of the site (images only, size-limited) attached to a record, with when and
    where it was taken as far as is known, and a copy with that burned in.

    Each concrete model adds the foreign key to what it is attached to, names it in `OWNER`,
    declares its `image` with the place its files are kept, and says in `reference_day` the
    day its photos should not be much older than (with `TOO_OLD`, the flag's words).
    """

    OWNER: str
    TOO_OLD: Any  # a lazy message with %(age)d, %(day)s and %(limit)d
    image: models.ImageField  # the concrete model's field

    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    watermarked = models.ImageField(
        _("watermarked copy"),
        upload_to=copy_path,
        blank=True,
        help_text=_("The photo with the project, time, place and uploader's unit written on it."),
    )
    taken_at = models.DateTimeField(
        _("time taken"), null=True, blank=True, validators=[validate_year]
    )
    time_source = models.CharField(
        _("time from"), max_length=10, choices=Source.choices, default=Source.NONE
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    accuracy = models.PositiveIntegerField(
        _("accuracy (m)"),
        null=True,
        blank=True,
        help_text=_("The browser's estimate of its location's error; none from EXIF."),
    )
    place_source = models.CharField(
        _("place from"), max_length=10, choices=Source.choices, default=Source.NONE
    )

    class Meta:
        abstract = True
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption or self.image.name or ""

    @property
    def project(self) -> Any:  # the owner's project (a projects.Project)
        return getattr(self, self.OWNER).project

    def reference_day(self) -> date:
        raise NotImplementedError

    @property
    def distance_km(self) -> float | None:
        """How far from the project's location it was taken, when both are known."""
        project = self.project
        if None in (self.latitude, self.longitude, project.latitude, project.longitude):
            return None
        return distance_km(self.latitude, self.longitude, project.latitude, project.longitude)

    @property
    def flags(self) -> list[Flag]:
        """What makes the photo doubtful as evidence of the record, each with its reason:
        taken farther than DIAODU_PHOTO_MAX_DISTANCE_KM from the project, or more than
        DIAODU_PHOTO_MAX_AGE_DAYS before the record's day. Flags, never refusals."""
        flags = []
        distance = self.distance_km
        if distance is not None and distance > settings.DIAODU_PHOTO_MAX_DISTANCE_KM:
            flags.append(
                Flag(
                    "far",
                    gettext("Taken about %(distance).1f km from the project.")
                    % {"distance": distance},
                )
            )
        if self.taken_at is not None:
            day = timezone.localdate(self.taken_at)
            age = (self.reference_day() - day).days
            if age > settings.DIAODU_PHOTO_MAX_AGE_DAYS:
                flags.append(
                    Flag(
                        "old",
                        str(self.TOO_OLD)
                        % {
                            "age": age,
                            "day": day.isoformat(),
                            "limit": settings.DIAODU_PHOTO_MAX_AGE_DAYS,
                        },
                    )
                )
        return flags

    @property
    def place(self) -> str:
        """Where it was taken, to two decimals ("" when unknown)."""
        if self.latitude is None or self.longitude is None:
            return ""
        return place_text(self.latitude, self.longitude)


P = TypeVar("P", bound=Photo)


def attach_photo(actor: Actor, photo: P, image: "File[Any]", sent: Sent | None = None) -> P:
    """Keep `image` as `photo` (its owner and caption set) and record who added it.

    The file is checked first, however it came in (a page, the API, a command): no larger
    than DIAODU_PHOTO_MAX_MB, and a JPEG, PNG, WebP or GIF image; else ValidationError with
    the reason in the user's language, and nothing is stored. So is what the browser `sent`
    (its location, the time taken). The time and place come from the photo's EXIF when it has
    them, else from the browser; the file is kept as it came, and a watermarked copy beside
    it. The caller checks who may.
    """
    sent = sent or Sent()
    photo.image = check_photo(image)
    errors = check_sent(sent)
    if errors:
        raise ValidationError(errors)
    found = read_exif(photo.image)
    if found.taken_at is not None:
        photo.taken_at, photo.time_source = found.taken_at, Source.EXIF
    elif believable_time(sent) is not None:
        photo.taken_at, photo.time_source = sent.taken_at, Source.BROWSER
    if found.latitude is not None:
        photo.latitude, photo.longitude = found.latitude, found.longitude
        photo.place_source = Source.EXIF
    elif sent.latitude is not None and sent.longitude is not None:
        photo.latitude, photo.longitude = coordinate(sent.latitude), coordinate(sent.longitude)
        photo.accuracy = None if sent.accuracy is None else round(sent.accuracy)
        photo.place_source = Source.BROWSER
    photo.caption = (photo.caption or "").strip()
    photo.full_clean(exclude=["image", "watermarked"])
    photo.save()
    _stamp(actor, photo)
    record(actor, photo, Action.CREATE, {"image": [None, photo.image.name]}, project=photo.project)
    return photo


def _stamp(actor: Actor, photo: Photo) -> None:
    """Keep the watermarked copy of a saved photo; a photo that cannot be stamped keeps none
    (said in the log), since the original is the evidence."""
    try:
        with translation.override(settings.LANGUAGE_CODE):
            stamped = watermark(photo.image, band_lines(actor, photo))
    except Exception:  # noqa: BLE001  # Pillow read the image once; a second read may still fail
        logger.warning("photo %s: no watermarked copy", photo.pk, exc_info=True)
        return
    if stamped is None:
        return
    stem = os.path.splitext(os.path.basename(photo.image.name or "photo"))[0]
    photo.watermarked.save(f"{stem}-watermarked.jpg", ContentFile(stamped), save=False)
    photo.save(update_fields=["watermarked"])


def band_lines(actor: Actor, photo: Photo) -> list[str]:
    """The watermark's lines: project, date and time, place, uploader's unit."""
    project = photo.project
    if photo.taken_at is not None:
        when = gettext("Taken %(time)s") % {
            "time": timezone.localtime(photo.taken_at).strftime("%Y-%m-%d %H:%M")
        }
    else:
        when = gettext("Uploaded %(time)s") % {
            "time": timezone.localtime(photo.uploaded_at).strftime("%Y-%m-%d %H:%M")
        }
    if photo.latitude is not None and photo.longitude is not None:
        where = gettext("Place %(place)s") % {"place": photo.place}
    elif project.address:
        where = gettext("Project address %(address)s") % {"address": project.address}
    else:
        where = gettext("Place unknown")
    unit = getattr(actor, "unit", None)
    return [
        project.name,
        when,
        where,
        gettext("Uploaded by %(unit)s") % {"unit": unit or getattr(actor, "username", "—")},
    ]


class CopyForm(forms.Form):
    """Which file of a photo to send: the original (as taken) or the watermarked copy."""

    copy = forms.ChoiceField(
        choices=[("original", _("Original")), ("watermarked", _("Watermarked copy"))],
        required=False,
    )


def photo_response(request: HttpRequest, photo: Photo) -> HttpResponseBase:
    """A photo the view has let through: the original, or with ?copy=watermarked its
    watermarked copy (404 when it has none); both through the one protected download."""
    form = CopyForm(request.GET)
    if not form.is_valid():
        raise Http404
    if form.cleaned_data["copy"] == "watermarked":
        return protected_file_response(photo.watermarked, as_attachment=False)
    return protected_file_response(photo.image, as_attachment=False)
