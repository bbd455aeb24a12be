"""Enumerations of meetings."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from diaodu.problems.choices import ProblemLevel


class MeetingKind(models.TextChoices):
    SCHEDULING = "scheduling", _("Scheduling meeting")
    PROGRESS = "progress", _("Progress meeting")
    SPECIAL = "special", _("Special meeting")
    SITE_VISIT = "site_visit", _("Site visit meeting")


class MeetingLevel(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")


# The problems a meeting decides: those escalated to the leaders of its level.
PROBLEM_LEVEL_OF = {
    MeetingLevel.CITY: ProblemLevel.CITY_LEADER,
    MeetingLevel.DISTRICT: ProblemLevel.DISTRICT_LEADER,
}
