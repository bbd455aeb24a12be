"""The documents a project appears in: the bulletins that name it and the minutes of its meetings.

A bulletin keeps only its Word file, as issued, so the projects it names are read from that
file: its table of red projects and its table of overdue tasks (`bulletins.documents`), whose
headings are matched in every language of the site. Each file is read once per process (its
stored name changes when it is written again). A project is named by its name: two projects of
the same name are both said to appear.

A meeting's minutes (会议纪要) list the tasks set at it, each with its project; a meeting whose
scope names a project is about it too. Only the meetings the reader sees are given.
"""

import functools
import re
from collections import defaultdict
from zipfile import BadZipFile

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from docx import Document
from docx.opc.exceptions import PackageNotFoundError

from diaodu.bulletins.choices import BulletinStatus
from diaodu.bulletins.models import Bulletin
from diaodu.meetings.models import Meeting
from diaodu.org.models import AnyUser
from diaodu.problems.models import Task


def _in_every_language(make):
    values = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            values.append(make())
    return values


def _red_heading() -> list[str]:
    return [gettext("No."), gettext("Region"), gettext("Project"), gettext("Reason")]


def _tasks_heading() -> list[str]:
    return [gettext("No."), gettext("Lead unit"), gettext("Overdue"), gettext("Tasks")]


def _task_pattern() -> re.Pattern:
    """A task as the bulletin writes it, its project captured."""
    text = re.escape(gettext("%(task)s (%(project)s, deadline %(deadline)s)"))
    text = text.replace(re.escape("%(task)s"), ".*")
    text = text.replace(re.escape("%(project)s"), "(?P<project>.+?)")
    text = text.replace(re.escape("%(deadline)s"), "[^()（）]+")
    return re.compile(text, re.DOTALL)


@functools.lru_cache(maxsize=512)
def names_in_bulletin(name: str) -> frozenset[str]:
    """The names of the projects a stored bulletin names (among its red projects or as the
    project of an overdue task)."""
    red_headings = _in_every_language(_red_heading)
    task_headings = _in_every_language(_tasks_heading)
    patterns = _in_every_language(_task_pattern)
    with default_storage.open(name, "rb") as stored:
        document = Document(stored)
    names: set[str] = set()
    for table in document.tables:
        rows = [[cell.text.strip() for cell in row.cells] for row in table.rows]
        if not rows:
            continue
        if rows[0] in red_headings:
            names.update(row[2] for row in rows[1:] if len(row) > 2 and row[2])
        elif rows[0] in task_headings:
            for row in rows[1:]:
                for item in row[-1].split("；"):
                    for pattern in patterns:
                        match = pattern.fullmatch(item.strip())
                        if match:
                            names.add(match.group("project").strip())
                            break
    return frozenset(names)


def bulletins_naming(projects) -> dict[int, list[Bulletin]]:
    """project id → the issued bulletins (not superseded) that name it, oldest first."""
    bulletins = (
        Bulletin.objects.filter(status=BulletinStatus.ISSUED, superseded=False)
        .exclude(document="")
        .only("pk", "title", "created_at", "document")
        .order_by("created_at", "pk")
    )
    by_name: dict[str, list[int]] = defaultdict(list)
    for project in projects:
        by_name[project.name].append(project.pk)
    found: dict[int, list[Bulletin]] = defaultdict(list)
    for bulletin in bulletins:
        try:
            named = names_in_bulletin(bulletin.document.name)
        except (OSError, ValueError, KeyError, BadZipFile, PackageNotFoundError):
            continue  # a file missing or no Word file names no project
        for name in named & by_name.keys():
            for project_id in by_name[name]:
                found[project_id].append(bulletin)
    return found


def meetings_about(projects, user: AnyUser) -> dict[int, list[Meeting]]:
    """project id → the meetings held (that the user sees) whose minutes set a task about it
    or whose scope names it, oldest first."""
    ids = [project.pk for project in projects]
    visible = Meeting.objects.visible_to(user).filter(date__lte=timezone.localdate())
    pairs = set(
        Task.objects.filter(project_id__in=ids, meeting__in=visible.values("pk"))
        .values_list("project_id", "meeting_id")
        .distinct()
        .order_by()
    )
    named = Meeting.projects.through.objects.filter(
        Q(project_id__in=ids) & Q(meeting_id__in=visible.values("pk"))
    )
    pairs |= set(named.values_list("project_id", "meeting_id").order_by())
    meetings = {
        meeting.pk: meeting
        for meeting in Meeting.objects.filter(pk__in={m for _p, m in pairs}).only(
            "pk", "title", "date"
        )
    }
    found: dict[int, list[Meeting]] = defaultdict(list)
    for project_id, meeting_id in pairs:
        found[project_id].append(meetings[meeting_id])
    for items in found.values():
        items.sort(key=lambda meeting: (meeting.date, meeting.pk))
    return found
