"""Photos of a site attached to a record (a progress report, an inspection): one abstract
model and one way in, which always checks that the file is a photo."""

from typing import Any, TypeVar

from django.core.files import File
from django.db import models
from django.utils.translation import gettext_lazy as _

from diaodu.core.history import record
from diaodu.core.models import Action
from diaodu.core.services import Actor
from diaodu.core.uploads import check_photo


class Photo(models.Model):
    """A photo of the site (images only, size-limited) attached to a record.

    Each concrete model adds the foreign key to what it is attached to, names it in `OWNER`,
    and declares its `image` with the place its files are kept.
    """

    OWNER: str
    image: models.ImageField  # the concrete model's field

    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        abstract = True
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption or self.image.name or ""

    @property
    def project(self) -> Any:  # the owner's project (a projects.Project)
        return getattr(self, self.OWNER).project


P = TypeVar("P", bound=Photo)


def attach_photo(actor: Actor, photo: P, image: "File[Any]") -> P:
    """Keep `image` as `photo` (its owner and caption set) and record who added it.

    The file is checked first, however it came in (a page, the API, a command): no larger
    than DIAODU_PHOTO_MAX_MB, and a JPEG, PNG, WebP or GIF image; else ValidationError with
    the reason in the user's language, and nothing is stored. The caller checks who may.
    """
    photo.image = check_photo(image)
    photo.caption = (photo.caption or "").strip()
    photo.full_clean(exclude=["image"])
    photo.save()
    record(actor, photo, Action.CREATE, {"image": [None, photo.image.name]}, project=photo.project)
    return photo
