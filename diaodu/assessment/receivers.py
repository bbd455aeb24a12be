"""The assessment app's answers to changes below it: the kept indicators of live rankings
(diaodu/assessment/live.py) are read afresh after any change to what they read."""

from django.apps import apps
from django.dispatch import receiver

from diaodu.assessment import live
from diaodu.core import kept
from diaodu.projects.signals import project_facts_changed

# What the indicators read (diaodu/assessment/indicators.py).
READ = [
    "org.Unit",
    "projects.Project",
    "projects.Program",
    "projects.AnnualPlan",
    "projects.PlanMonth",
    "projects.Milestone",
    "projects.Approval",
    "reporting.ReportingPeriod",
    "reporting.ProgressReport",
    "reporting.InvestmentSummary",
    "problems.Problem",
    "problems.Task",
    "inspections.Inspection",
]


def connect() -> None:
    models = [apps.get_model(label) for label in READ]
    kept.watch(*models, apps.get_model("projects.Program").projects.through)
    kept.register(live.FAMILY, live.looked_at)
    kept.register(live.PORTFOLIO, live.portfolio_looked_at)


@receiver(project_facts_changed, dispatch_uid="assessment.live.facts")
def facts_changed(sender, project_ids, **kwargs):
    """Bulk writes (imports, services writing many rows) say so here."""
    kept.changed()
