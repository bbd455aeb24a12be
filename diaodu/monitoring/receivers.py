"""The monitoring app's answers to what lower apps announce."""

from django.apps import apps
from django.dispatch import receiver

from diaodu.core import kept
from diaodu.monitoring.lights import refresh_lights
from diaodu.projects.signals import project_facts_changed

# What the dashboard's figures read (diaodu/monitoring/figures.py).
READ = [
    "org.Unit",
    "projects.Project",
    "projects.Program",
    "projects.AnnualPlan",
    "projects.PlanMonth",
    "reporting.ReportingPeriod",
    "reporting.ProgressReport",
    "reporting.InvestmentSummary",
    "reporting.MonthSnapshot",
    "reporting.ProjectSnapshot",
    "problems.Problem",
    "problems.Task",
    "inspections.Inspection",
]


def connect() -> None:
    from diaodu.monitoring import figures, ledger

    project, task = apps.get_model("projects.Project"), apps.get_model("problems.Task")
    kept.watch(
        *[apps.get_model(label) for label in READ],
        apps.get_model("projects.Program").projects.through,
        project.responsible_units.through,
        task.responsible_units.through,
    )
    kept.register(figures.FAMILY, figures.looked_at)
    kept.register(ledger.FAMILY, ledger.looked_at)


@receiver(project_facts_changed, dispatch_uid="monitoring.refresh_lights")
def refresh_stored_lights(sender, project_ids, **kwargs):
    """A project's facts changed: its stored light and reasons are recomputed at once."""
    refresh_lights(project_ids)
