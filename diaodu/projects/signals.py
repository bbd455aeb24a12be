"""What the project layer announces to the layers above it.

A lower app never calls upwards: when something that a project's light or figures depend on
changes (its stage, dates, milestones, approvals, a report, a problem), the service that changed
it calls `facts_changed(project_ids)`. The monitoring app listens and recomputes the stored
lights, in the same transaction, so that a page read after the change shows the new light.
"""

from collections.abc import Iterable

from django.dispatch import Signal

# Sent with `project_ids`: a list of the primary keys of the projects whose facts changed.
project_facts_changed = Signal()


def facts_changed(project_ids: Iterable[int]) -> None:
    """Announce that the facts of these projects changed (no-op for an empty list)."""
    ids = sorted({pk for pk in project_ids if pk is not None})
    if ids:
        project_facts_changed.send(sender=facts_changed, project_ids=ids)
