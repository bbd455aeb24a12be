"""`diaodu demo`: build the demo city (deterministic, dated relative to today)."""

import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from diaodu.demo import builder
from diaodu.projects.models import Project


class Command(BaseCommand):
    help = _("Build the demo city: units, leaders, programmes, projects and demo accounts.")

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Do nothing if the database already holds projects."),
        )
        group.add_argument(
            "--reset",
            action="store_true",
            help=_("Delete all projects, units and users first, then build the demo city."),
        )

    def handle(self, *args, if_empty=False, reset=False, **options):
        if Project.objects.exists():
            if if_empty:
                self.stdout.write(
                    _("The database already holds projects; the demo city is not built again.")
                )
                self._accounts()
                return
            if not reset:
                raise CommandError(
                    _(
                        "The database already holds projects. "
                        "Use --reset to replace them with the demo city."
                    )
                )
            builder.reset()
        # The demo's hundreds of changes are not worth a log line each.
        changes = logging.getLogger("diaodu.changes")
        level, changes.level = changes.level, logging.WARNING
        try:
            city = builder.build()
        finally:
            changes.setLevel(level)
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo city built: %(projects)d projects, %(units)d units.")
                % {"projects": city.projects, "units": city.units}
            )
        )
        self._accounts()

    def _accounts(self):
        self.stdout.write(
            _("Demo accounts (password %(password)s):") % {"password": builder.PASSWORD}
        )
        for username, _role, _unit, _last, _first, what in builder.ACCOUNTS:
            self.stdout.write(f"  {username:<10} {what}")
