"""What the project layer announces to the layers above it.

A lower app never calls upwards: when something that a project's light or figures depend on
changes (its stage, dates, milestones, approvals, a report, a problem), the service that changed
it calls `facts_changed(project_ids)`. The monitoring app listens and recomputes the stored
lights, in the same transaction, so that a page read after the change shows the new light.
"""

from collections.abc import Iterable

from django.dispatch import Signal

from diaodu.core import kept

# Sent with `project_ids`: a list of the primary keys of the projects whose facts changed.
project_facts_changed = Signal()


def facts_changed(project_ids: Iterable[int]) -> None:
    """Announce that the facts of these projects changed (no-op for an empty list)."""
    ids = sorted({pk for pk in project_ids if pk is not None})
    if ids:
        project_facts_changed.send(sender=facts_changed, project_ids=ids)


# Which projects there are, whose they are and in which programmes: a project created, deleted
# or saved (its owner may have changed), a programme saved or deleted (its year decides which
# periods its projects file in) or a project moved in or out of one moves it on. What is counted
# from these alone (how many projects an owner files for in a period: reporting/progress.py) is
# kept under it. Writes in bulk call `project_set.changed()` themselves.
project_set = kept.Version("kept:version:project-set")


def watch_project_set() -> None:
    from diaodu.projects.models import Program, Project

    project_set.watch(Project, Program, Program.projects.through)
