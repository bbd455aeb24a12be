"""`diaodu export_oc4ids [--user NAME] [--output FILE]`: the projects a user sees as an OC4IDS
project package (JSON), the same package as GET /api/oc4ids/ gives, every page in one.

The package holds exactly what the user sees (headquarters: every project); without --user it
is exported as the first headquarters user, and the command says whom it exported as.
"""

import json
import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from diaodu.oc4ids.package import all_projects_data, package, published_date, visible_projects
from diaodu.org.choices import Role
from diaodu.org.commands import acting_user


class Command(BaseCommand):
    help = _(
        "Write the projects a user sees as an OC4IDS project package (JSON), by default as the "
        "first headquarters user (every project)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--user", help=_("Export what this user sees (default: the first headquarters user).")
        )
        parser.add_argument(
            "--output", help=_("The JSON file to write (default: the standard output).")
        )

    def handle(self, *args, **options):
        user = self._user(options["user"])
        output = self._output(options["output"])
        projects = visible_projects(user)
        data = package(list(all_projects_data(user)), published_date(projects))
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        role = user.get_role_display() if user.role else _("superuser")  # a named superuser
        said = _("Exported %(count)d projects as %(user)s (%(role)s).") % {
            "count": len(data["projects"]),
            "user": user.username,
            "role": role,
        }
        if output is None:
            self.stdout.write(text, ending="")
            self.stderr.write(said)
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": output, "error": error.strerror}
            ) from error
        self.stdout.write(_("%(said)s Wrote %(file)s.") % {"said": said, "file": output})

    def _user(self, username):
        """The user named, or the first active headquarters user."""
        if username:
            return acting_user(username, "")
        user = (
            get_user_model()
            .objects.filter(is_active=True, role=Role.HEADQUARTERS)
            .order_by("pk")
            .first()
        )
        if user is None:
            raise CommandError(_("There is no headquarters user to export as; give --user."))
        return user

    def _output(self, name) -> Path | None:
        if not name:
            return None
        path = Path(name)
        folder = path.parent if str(path.parent) else Path(".")
        if path.is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK):
            raise CommandError(_("Cannot write %(file)s.") % {"file": path})
        if path.exists() and not os.access(path, os.W_OK):
            raise CommandError(_("Cannot write %(file)s.") % {"file": path})
        return path
