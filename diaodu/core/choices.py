"""Enumerations shared across apps: the warning light, the kinds of numbered documents."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Light(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class DocumentKind(models.TextChoices):
    """The documents numbered in sequence each year (发文字号, diaodu.core.numbering)."""

    BULLETIN = "bulletin", _("Bulletin")  # 通报
    MINUTES = "minutes", _("Meeting minutes")  # 会议纪要
    SUPERVISION = "supervision", _("Supervision notice")  # 督办单
    SUMMONS = "summons", _("Summons notice")  # 约谈通知


class Source(models.TextChoices):
    """Where a photo's time or place came from (diaodu.core.photos)."""

    EXIF = "exif", _("The photo's EXIF")
    BROWSER = "browser", _("The browser")
    NONE = "none", _("Unknown")
