"""Enumerations of inspections, each with a colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rating(models.TextChoices):
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


RATING_COLOURS: dict[str, str] = {Rating.GOOD: "green", Rating.FAIR: "yellow", Rating.POOR: "red"}
