"""The monitoring app's answers to what lower apps announce."""

from django.dispatch import receiver

from diaodu.monitoring.lights import refresh_lights
from diaodu.projects.signals import project_facts_changed


@receiver(project_facts_changed, dispatch_uid="monitoring.refresh_lights")
def refresh_stored_lights(sender, project_ids, **kwargs):
    """A project's facts changed: its stored light and reasons are recomputed at once."""
    refresh_lights(project_ids)
