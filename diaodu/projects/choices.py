"""Enumerations of programmes and projects, each status with a colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")


class ProgramLevel(models.TextChoices):
    PROVINCE = "province", _("Provincial")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")


class Stage(models.TextChoices):
    RESERVE = "reserve", _("Reserve")
    PREPARATION = "preparation", _("Preparation")
    NEW = "new", _("New start")
    CONTINUING = "continuing", _("Continuing")
    COMPLETED = "completed", _("Completed")
    OPERATING = "operating", _("In operation")
    CANCELLED = "cancelled", _("Cancelled")


STAGE_COLOURS: dict[str, str] = {
    Stage.RESERVE: "secondary",
    Stage.PREPARATION: "purple",
    Stage.NEW: "cyan",
    Stage.CONTINUING: "blue",
    Stage.COMPLETED: "green",
    Stage.OPERATING: "teal",
    Stage.CANCELLED: "dark",
}


class Category(models.TextChoices):
    INDUSTRY = "industry", _("Industry")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    TRANSPORT = "transport", _("Transport")
    WATER = "water", _("Water")
    ENERGY = "energy", _("Energy")
    LIVELIHOOD = "livelihood", _("Livelihood")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    URBAN_RENEWAL = "urban_renewal", _("Urban renewal")
    ECOLOGY = "ecology", _("Ecology")
    TOURISM = "tourism", _("Culture and tourism")
    AGRICULTURE = "agriculture", _("Agriculture")
    SERVICES = "services", _("Modern services")


class ApprovalKind(models.TextChoices):
    PROJECT_APPROVAL = "project_approval", _("Project approval or filing")
    FEASIBILITY = "feasibility", _("Feasibility study approval")
    LAND_PRE_REVIEW = "land_pre_review", _("Land pre-review and site selection")
    LAND_USE_PERMIT = "land_use_permit", _("Land use planning permit")
    LAND_GRANT = "land_grant", _("Land grant or allocation")
    BUILDING_PLAN_PERMIT = "building_plan_permit", _("Building planning permit")
    ENVIRONMENTAL = "environmental", _("Environmental impact approval")
    ENERGY = "energy", _("Energy conservation review")
    SOIL_WATER = "soil_water", _("Soil and water conservation")
    DRAWING_REVIEW = "drawing_review", _("Construction drawing review")
    CONSTRUCTION_PERMIT = "construction_permit", _("Construction permit")


class ApprovalStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", pgettext_lazy("approval status", "Done")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


APPROVAL_STATUS_COLOURS: dict[str, str] = {
    ApprovalStatus.NOT_STARTED: "secondary",
    ApprovalStatus.IN_PROGRESS: "yellow",
    ApprovalStatus.DONE: "green",
    ApprovalStatus.NOT_APPLICABLE: "light",
}


class FundingSource(models.TextChoices):
    TREASURY_BOND = "treasury_bond", _("Additional treasury bonds")
    ULTRA_LONG_BOND = "ultra_long_bond", _("Ultra-long special treasury bonds")
    CENTRAL_BUDGET = "central_budget", _("Central budget investment")
    SPECIAL_BOND = "special_bond", _("Local government special bonds")
    POLICY_LOAN = "policy_loan", _("Policy bank loans")
    PROVINCIAL = "provincial", _("Provincial funds")
    LOCAL_FISCAL = "local_fiscal", _("City and county fiscal funds")
    BANK_LOAN = "bank_loan", _("Bank loans")
    SELF_RAISED = "self_raised", _("Self-raised by the enterprise")
    PRIVATE = "private", _("Private capital (PPP)")


class MilestoneState(models.TextChoices):
    DONE = "done", _("Done")
    DONE_LATE = "done_late", _("Done late")
    PENDING = "pending", _("Pending")
    OVERDUE = "overdue", _("Overdue")


MILESTONE_STATE_COLOURS: dict[str, str] = {
    MilestoneState.DONE: "green",
    MilestoneState.DONE_LATE: "lime",
    MilestoneState.PENDING: "secondary",
    MilestoneState.OVERDUE: "red",
}
