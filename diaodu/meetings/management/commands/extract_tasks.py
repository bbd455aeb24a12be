"""diaodu extract_tasks FILE --date YYYY-MM-DD [--json]: draft tasks from a meeting text."""

import io
import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from diaodu.core.archives import HostileFile, check_archive
from diaodu.meetings.extraction import extract


def read_text(path: Path) -> str:
    """The text of a .txt (UTF-8 or GB18030) or .docx file."""
    if not path.exists():
        raise CommandError(_("File not found: %(path)s") % {"path": path})
    if path.suffix.lower() == ".docx":
        try:
            import docx
        except ImportError as exc:
            raise CommandError(
                _("Reading .docx files needs python-docx, which is not installed.")
            ) from exc
        data = path.read_bytes()
        try:
            check_archive(data)
        except HostileFile as error:
            raise CommandError(str(error)) from error
        document = docx.Document(io.BytesIO(data))
        paragraphs = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                paragraphs.append("，".join(cell.text for cell in row.cells))
        return "\n".join(paragraphs)
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError(_("Cannot read %(path)s: it is neither UTF-8 nor GB18030.") % {"path": path})


def format_table(drafts) -> str:
    """The drafts as a readable plain-text list, one block per draft."""
    if not drafts:
        return _("No tasks found.")
    labels = {
        "project": _("Project"),
        "unit": _("Unit"),
        "deadline": _("Deadline"),
        "content": _("Content"),
        "sentence": _("Sentence"),
    }
    blocks = []
    for number, draft in enumerate(drafts, start=1):
        row = draft.as_dict()
        deadline = row["deadline"] or "—"
        if row["deadline_text"]:
            deadline = f"{deadline} ({row['deadline_text']})"
        lines = [f"#{number}"]
        for key, value in (
            ("project", _with_id(row["project"], row["project_id"])),
            ("unit", _with_id(row["unit"], row["unit_id"])),
            ("deadline", deadline),
            ("content", row["content"]),
            ("sentence", row["sentence"].replace("\n", " ")),
        ):
            lines.append(f"  {labels[key]}: {value}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _with_id(name, pk) -> str:
    if not name:
        return "—"
    return f"{name} [#{pk}]" if pk else name


def run(path: Path, meeting_date: date, as_json: bool = False, projects=None, units=None) -> str:
    """What the command prints; a function so it can be tested without the app installed."""
    drafts = extract(read_text(path), meeting_date, projects=projects, units=units)
    if as_json:
        return json.dumps([d.as_dict() for d in drafts], ensure_ascii=False, indent=2)
    return format_table(drafts)


class Command(BaseCommand):
    help = _("Turn meeting minutes, a speech or a news report into draft tasks.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help=_("A .txt (UTF-8 or GB18030) or .docx file."))
        parser.add_argument(
            "--date",
            required=True,
            help=_("The meeting date, YYYY-MM-DD; deadlines are counted from it."),
        )
        parser.add_argument("--json", action="store_true", help=_("Print a JSON list."))

    def handle(self, *args, **options):
        try:
            meeting_date = date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError(
                _("Invalid date %(value)s: use YYYY-MM-DD.") % {"value": options["date"]}
            ) from exc
        self.stdout.write(run(options["file"], meeting_date, as_json=options["json"]))
