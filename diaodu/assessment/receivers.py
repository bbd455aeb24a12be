"""The assessment app's answers to changes below it: the kept indicators of live rankings
(diaodu/assessment/live.py) are read afresh after any change to what they read."""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from diaodu.assessment import live
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


def _changed(sender, **kwargs):
    live.changed()


def connect() -> None:
    for label in READ:
        model = apps.get_model(label)
        uid = f"assessment.live.{label}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.delete")
    programs = apps.get_model("projects.Program").projects.through
    m2m_changed.connect(_changed, sender=programs, dispatch_uid="assessment.live.programs")


@receiver(project_facts_changed, dispatch_uid="assessment.live.facts")
def facts_changed(sender, project_ids, **kwargs):
    """Bulk writes (imports, services writing many rows) say so here."""
    live.changed()
