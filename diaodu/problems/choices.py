"""Enumerations of problems and tasks, each status with a colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProblemSource(models.TextChoices):
    REPORT = "report", _("Progress report")
    INSPECTION = "inspection", _("Inspection")
    MEETING = "meeting", _("Meeting")
    DIRECT = "direct", _("Raised directly")


class ProblemCategory(models.TextChoices):
    LAND = "land", _("Land")
    FUNDING = "funding", _("Funding")
    DEMOLITION = "demolition", _("Demolition and resettlement")
    APPROVALS = "approvals", _("Approvals")
    PLANNING = "planning", _("Planning")
    ENVIRONMENT = "environment", _("Environment")
    UTILITIES = "utilities", _("Utilities")
    CONSTRUCTION = "construction", _("Construction")
    OTHER = "other", _("Other")


class ProblemLevel(models.TextChoices):
    UNIT = "unit", pgettext_lazy("problem level", "Responsible unit")
    DISTRICT_LEADER = "district_leader", _("District leader")
    CITY_LEADER = "city_leader", _("City leader")


LEVEL_ORDER: list[str] = [ProblemLevel.UNIT, ProblemLevel.DISTRICT_LEADER, ProblemLevel.CITY_LEADER]


class ProblemStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("problem status", "Open")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    REPORTED_SOLVED = "reported_solved", _("Reported solved")
    VERIFIED = "verified", _("Verified and closed")


class TaskSource(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    INSTRUCTION = "instruction", _("Leader's instruction")
    INSPECTION = "inspection", _("Inspection")
    PROBLEM = "problem", _("Problem")


class SupervisionLevel(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary")
    KEY = "key", _("Key")
    LEADER = "leader", _("Supervised by a leader")


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    REPORTED_DONE = "reported_done", _("Reported done")
    VERIFIED = "verified", _("Verified and closed")


STATUS_COLOURS = {
    "open": "red",
    "assigned": "red",
    "accepted": "orange",
    "in_progress": "blue",
    "reported_solved": "cyan",
    "reported_done": "cyan",
    "verified": "green",
}
