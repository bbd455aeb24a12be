"""`diaodu refresh`: recompute derived figures (investment summaries, project lights). Daily."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from diaodu.projects.lights import RULES_VERSION, refresh_lights
from diaodu.reporting.totals import refresh_summaries


class Command(BaseCommand):
    help = _(
        "Recompute investment summaries and project lights (run daily, and after changing "
        "a threshold)."
    )

    def handle(self, *args, **options):
        summaries = refresh_summaries()
        lights = refresh_lights()
        self.stdout.write(
            _("%(summaries)d summaries and %(lights)d lights recomputed (rules %(version)s).")
            % {"summaries": summaries, "lights": lights, "version": RULES_VERSION}
        )
