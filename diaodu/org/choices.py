"""Enumerations of the organisation: kinds of unit and roles of users."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    REGION = "region", _("Region")
    DEPARTMENT = "department", _("Department")
    ENTERPRISE = "enterprise", _("Enterprise")
    HEADQUARTERS = "headquarters", _("Headquarters")
    INSPECTORATE = "inspectorate", _("Inspectorate")


class Role(models.TextChoices):
    HEADQUARTERS = "headquarters", _("Headquarters")
    LEADER = "leader", _("Leader in charge")
    REGION = "region", _("Region")
    DEPARTMENT = "department", _("Department")
    OWNER = "owner", _("Project owner")
    INSPECTOR = "inspector", _("Inspector")


class LeaderLevel(models.TextChoices):
    CITY = "city", _("City leader")
    DISTRICT = "district", _("District leader")


# Roles that see every project (DESIGN.md, "Who uses it").
ROLES_SEEING_EVERYTHING = frozenset({Role.HEADQUARTERS, Role.LEADER, Role.INSPECTOR})


class AuditKind(models.TextChoices):
    SIGNED_IN = "signed_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    LOCKED_OUT = "locked_out", _("Locked out")
    SIGNED_OUT = "signed_out", _("Signed out")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PERMISSIONS_CHANGED = "permissions_changed", _("Permissions changed")
    EXPORTED = "exported", _("File downloaded")
