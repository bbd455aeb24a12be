from django.db import models
from django.utils.translation import gettext_lazy as _


class BulletinStatus(models.TextChoices):
    WRITING = "writing", _("Being written")
    ISSUED = "issued", _("Issued")
    FAILED = "failed", _("Failed")
