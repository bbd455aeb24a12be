"""`diaodu import_projects FILE`: check a project ledger and import it, all or nothing."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.exchange import workbooks
from diaodu.exchange.importer import ProjectImport
from diaodu.exchange.reader import ReadError, read
from diaodu.org.commands import acting_user
from diaodu.projects.models import Program


class Command(BaseCommand):
    help = _(
        "Import projects from an Excel (.xlsx) or CSV ledger. Every row is checked first; "
        "the file goes in whole or not at all."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The ledger file."))
        parser.add_argument(
            "--program", help=_("Add every project to this programme (name or code).")
        )
        parser.add_argument(
            "--year", type=int, help=_("Year of the annual plan (default: this year).")
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Check and report; write nothing.")
        )
        parser.add_argument(
            "--create-missing", action="store_true", help=_("Create unknown units and leaders.")
        )
        parser.add_argument(
            "--user", help=_("Import as this user (default: the first headquarters user).")
        )
        parser.add_argument(
            "--problems", help=_("Write the file with its problems marked here (.xlsx).")
        )

    def handle(self, *args, **options):
        user = self._user(options["user"])
        program = self._program(options["program"], options["year"])
        importer = ProjectImport(
            user,
            program=program,
            year=options["year"],
            create_missing=options["create_missing"],
            progress=self._progress,
            source=options["file"],
        )
        try:
            with open(options["file"], "rb") as handle:
                ledger = read(handle, options["file"])
        except OSError as error:
            raise CommandError(
                _("Cannot open %(file)s: %(error)s")
                % {"file": options["file"], "error": error.strerror}
            ) from error
        except ReadError as error:
            raise CommandError(str(error)) from error
        plan = importer.check(ledger)
        self.stderr.write("")
        for warning in plan.warnings:
            self.stdout.write(_("Row %(row)d, %(column)s: %(message)s") % warning.as_dict())
        if not plan.ok:
            for problem in plan.problems:
                self.stdout.write(_("Row %(row)d, %(column)s: %(message)s") % problem.as_dict())
            if options["problems"]:
                with open(options["problems"], "wb") as out:
                    out.write(workbooks.marked(ledger, [p.as_dict() for p in plan.problems]))
            raise CommandError(
                _("Nothing was imported: %(count)d problems.") % {"count": len(plan.problems)}
            )
        if options["verbosity"] > 1:
            for row in plan.rows:
                if row.action != "unchanged":
                    self.stdout.write(
                        f"{row.row}\t{row.action}\t{row.project.name}\t{sorted(row.changes)}"
                    )
        if not options["dry_run"]:
            importer.apply(plan)
        counts = plan.counts
        message = (
            _("Dry run: %(created)d to create, %(updated)d to update, %(unchanged)d unchanged.")
            if options["dry_run"]
            else _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
        )
        self.stdout.write(message % counts)

    def _progress(self, done, total):
        if self.stderr.isatty() or sys.stderr.isatty():
            self.stderr.write(f"\r{_('Checked')} {done}/{total}", ending="")
        elif done == total or done % 2000 == 0:
            self.stderr.write(f"{_('Checked')} {done}/{total}")

    def _user(self, username):
        return acting_user(username, _("There is no headquarters user to import as; give --user."))

    def _program(self, name, year):
        if not name:
            return None
        programs = Program.objects.filter(Q(name=name) | Q(code=name))
        if year:
            programs = programs.filter(year=year)
        program = programs.order_by("-year").first()
        if program is None:
            raise CommandError(
                _("There is no programme %(name)s in %(year)s.")
                % {"name": name, "year": year or timezone.localdate().year}
            )
        return program
